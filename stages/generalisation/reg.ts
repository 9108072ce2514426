/**
 * Stages `reg` (P-Fig 7) and `reg-talk` (S24–S26): autoencoders trained on the hole dataset
 * with no regularisation, ψ1 (latent distance preservation), ψ2 (weight decay of encoder and
 * decoder), ψ3 (weight decay of the encoder only), S24's denoising term and the contractive
 * term, several seeds each. One stage per figure, as the paper and the talk draw them:
 * - `reg`, P-Fig 7: none, ψ1, ψ2, ψ3. It decides the item.
 * - `reg-talk`, S25–S26: "No reg., Neighbours, Denoising, Encoder" (none, ψ1, denoising, ψ3),
 *   then the contractive term, which the talk's "Denoising AEs etc." leaves open. Its denoising
 *   runs cost about twice a plain run, so the paper's figure does not wait for them.
 *
 * Each draws z(r) for every seed, one panel per regulariser, hole shaded (`figure`); the
 * outputs for an unobserved radius (`outputs`); the hole errors (`table`). Checks, all under
 * the item `reg` (`regChecks`):
 * - deciding: ψ3's z(r) is monotone across the hole in every seed (P§4.4: ψ3 “works
 *   particularly well”, its manifold “smooth”), and ψ3's median roughness of z(r) is below the
 *   unregularised median (P-Fig 7's caption: “consistently smoother than the unregularised
 *   version”);
 * - reported: ψ3's median hole error relative to the unregularised median; whether it is
 *   “well below” (under half), or that this is not testable when most unregularised runs do
 *   not fail like P-Fig 6; the former deciding row (ψ3's worst hole error ÷ the best
 *   unregularised one < 0.5); every regulariser's hole error over its seeds: by `reg` for its
 *   four, by `reg-talk` for the two it adds.
 *
 * @module
 */
import { type AnyStage, defineStage, type Json, type OutputRef } from "../../pipeline/stage.ts";
import { type Check, check } from "../../lib/common/checks.ts";
import {
  type GridCell,
  renderImageGrid,
  renderLineChart,
  renderTable,
  type Series,
} from "../../lib/figures/mod.ts";
import { stableJson } from "../../lib/ml/npy.ts";
import { type Evaluation, reconstructRadii, summarise } from "./evaluate.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";
import { readHole } from "./hole_interval.ts";
import { failsLikeFig6, HOLE_RATIO_BAR, majority } from "./hole_failure.ts";
import { median } from "./median.ts";
import { loadRun, weightsInputs } from "./models.ts";
import { borderLegend, diskCell, fmt, holeBand } from "./plots.ts";
import { PAPER_SEEDS, regTrainingId, type Regulariser, regulariser } from "./trainings.ts";

/** "Well below" (reported): ψ3's median hole error under this fraction of the unregularised median. */
export const WELL_BELOW = 0.5;

/** The regularisers of P-Fig 7, in its order: what `reg` compares. */
export const PAPER_REGULARISERS: readonly Regulariser["key"][] = ["none", "psi1", "psi2", "psi3"];

/**
 * The regularisers of S25–S26, in their order ("No reg., Neighbours, Denoising, Encoder"),
 * then the contractive term: what `reg-talk` compares.
 */
export const TALK_REGULARISERS: readonly Regulariser["key"][] = [
  "none",
  "psi1",
  "denoising",
  "psi3",
  "contractive",
];

/**
 * The parameter holding how many seeds of a regulariser a figure uses: `seeds` for the
 * unregularised and ψ3 runs (the comparison P-Fig 7 is about), `otherSeeds` for the rest.
 */
export function seedsParam(key: Regulariser["key"]): "seeds" | "otherSeeds" {
  return key === "none" || key === "psi3" ? "seeds" : "otherSeeds";
}

/** Every training's weights of these regularisers, local names `<key>-s<seed>.json/.bin`. */
function regInputs(keys: readonly Regulariser["key"][]): Record<string, OutputRef> {
  const out: Record<string, OutputRef> = {};
  for (const r of keys.map(regulariser)) {
    for (let s = 1; s <= PAPER_SEEDS; s++) {
      Object.assign(out, weightsInputs(`${r.key}-s${s}`, regTrainingId(r.key, s)));
    }
  }
  return out;
}

/** One regulariser's runs, evaluated. */
export interface RegulariserResult {
  /** The regulariser. */
  regulariser: Regulariser;
  /** The evaluations, seed 1 first. */
  runs: Evaluation[];
}

/** Mean of numbers. */
const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * Roughness of a run's z(r) over radii 2–30 (`metrics.ts`, `latentRoughness`): the total
 * variation of the slope dz/dr in units of the mean slope, so free of the code's scale and
 * sign; 0 for a line, 1.75 for z ∝ r² (a code following the area), larger with every kink,
 * jump or wiggle. A constant code (null) counts as infinitely rough: it encodes nothing, the
 * most incoherent latent space there is, so a collapsed run cannot make a median look smooth.
 */
const roughness = (e: Evaluation) => e.roughness ?? Infinity;

/** P-Fig 7's caption, the sentence the smoothness check tests. */
const FIG7_QUOTE = "regularised latent spaces are “consistently smoother than the unregularised " +
  "version, which can produce incoherent latent spaces”";

/** P§4.4 on ψ3, the sentence the monotonicity check tests. */
const PSI3_QUOTE = "ψ3 “works particularly well, and [...] the resulting manifold is smooth and " +
  "correctly represents the area of the disks”";

/**
 * The checks of `reg` from the evaluated runs (pure: tested on synthetic evaluations). Every
 * regulariser in `results` serves as a reference; rows are written for those in `reported`
 * (all by default), and ψ3's deciding checks when both it and the unregularised runs are.
 */
export function regChecks(
  results: readonly RegulariserResult[],
  hole: readonly [number, number],
  reported: readonly Regulariser["key"][] = results.map((r) => r.regulariser.key),
): Check[] {
  const by = (key: Regulariser["key"]) => results.find((r) => r.regulariser.key === key);
  const none = by("none"), psi3 = by("psi3");
  const holeErrs = (r: RegulariserResult) => r.runs.map((e) => e.hole.hole);
  const noneMedian = none ? median(holeErrs(none)) : NaN;
  const checks: Check[] = [];
  if (psi3 && none && reported.includes("psi3") && reported.includes("none")) {
    const mono = psi3.runs.map((e) => e.acrossHole.monotone);
    checks.push(check(
      "reg",
      `ψ3 (P§4.4: ${PSI3_QUOTE}): seeds whose z(r) is strictly monotone across the hole (radii ${
        hole[0] - 1
      }–${hole[1] + 1}), out of ${mono.length}`,
      mono.filter(Boolean).length,
      ">=",
      mono.length,
      { perSeed: mono, stepsAgainst: psi3.runs.map((e) => e.acrossHole.violations) },
    ));
    const psi3Rough = median(psi3.runs.map(roughness));
    const noneRough = median(none.runs.map(roughness));
    checks.push(check(
      "reg",
      `ψ3's median roughness of z(r) over radii 2–30 ÷ the unregularised median, over ${psi3.runs.length} and ${none.runs.length} seeds (P-Fig 7: ${FIG7_QUOTE}); roughness: total variation of dz/dr in units of the mean slope, 0 for a line, 1.75 for z ∝ r², a constant code infinitely rough`,
      psi3Rough / noneRough,
      "<",
      1,
      {
        psi3Median: psi3Rough,
        noneMedian: noneRough,
        psi3: psi3.runs.map((e) => e.roughness),
        none: none.runs.map((e) => e.roughness),
      },
    ));
    const relative = median(holeErrs(psi3)) / noneMedian;
    checks.push(check(
      "reg",
      `ψ3's median hole error ÷ the unregularised median (per-pixel MSE, radii ${hole[0]}–${
        hole[1]
      })`,
      relative,
      "report",
      null,
      { psi3: holeErrs(psi3), none: holeErrs(none) },
    ));
    const failing = none.runs.filter((e) => failsLikeFig6(e.hole)).length;
    const need = majority(none.runs.length);
    const failText = `${failing} of ${none.runs.length} unregularised seeds fail like P-Fig 6 ` +
      `(hole error ≥ ${HOLE_RATIO_BAR} × outside)`;
    checks.push(check(
      "reg",
      failing >= need
        ? `ψ3's hole error “well below” the unregularised runs' (median ÷ median < ${WELL_BELOW}); testable: ${failText}`
        : `ψ3's hole error “well below” the unregularised runs': not testable, ${failText}, fewer than a majority (${need}): there is no failure for ψ3 to repair`,
      failing >= need ? relative < WELL_BELOW : null,
      "report",
      null,
      { unregularisedFailing: failing, majority: need, ratio: relative, wellBelow: WELL_BELOW },
    ));
    const worstPsi3 = Math.max(...holeErrs(psi3));
    const bestNone = Math.min(...holeErrs(none));
    checks.push(check(
      "reg",
      `former deciding row, kept as reported: ψ3's largest hole error over its ${psi3.runs.length} seeds ÷ the smallest unregularised one over ${none.runs.length} seeds (its bar was < ${WELL_BELOW})`,
      worstPsi3 / bestNone,
      "report",
      null,
      { formerBar: WELL_BELOW, psi3: holeErrs(psi3), none: holeErrs(none) },
    ));
  }
  for (const r of results.filter((x) => reported.includes(x.regulariser.key))) {
    const errs = holeErrs(r);
    checks.push(check(
      "reg",
      `hole error (per-pixel MSE, radii ${hole[0]}–${hole[1]}), mean over ${errs.length} seed${
        errs.length > 1 ? "s" : ""
      }: ${r.regulariser.label}`,
      mean(errs),
      "report",
      null,
      {
        perSeed: errs,
        median: median(errs),
        relativeToUnregularisedMedian: median(errs) / noneMedian,
        outside: r.runs.map((e) => e.hole.outside),
        monotoneAcrossHole: r.runs.map((e) => e.acrossHole.monotone),
        roughness: r.runs.map((e) => e.roughness),
        meanIou: r.runs.map((e) => e.meanIou),
      },
    ));
  }
  return checks;
}

/** What tells `reg` and `reg-talk` apart. */
interface RegFigure {
  /** Stage id. */
  id: string;
  /** Where the figure is from, e.g. "P-Fig 7". */
  source: string;
  /** The regularisers compared, in the figure's order. */
  keys: readonly Regulariser["key"][];
  /** Those whose hole errors this stage reports (the others are reported by another). */
  reported: readonly Regulariser["key"][];
}

/** A stage drawing one figure of regularisers on the hole dataset (see the module docs). */
function makeRegStage(f: RegFigure) {
  const compared = f.keys.map(regulariser);
  const otherKeys = compared.filter((r) => seedsParam(r.key) === "otherSeeds").map((r) => r.short);
  return defineStage({
    id: f.id,
    description:
      `Regularisers on the hole dataset over several seeds: z(r) and outputs for an unseen radius (${f.source}: ${
        compared.map((r) => r.short).join(", ")
      })`,
    module: import.meta.url,
    params: {
      seeds: {
        type: "integer",
        default: PAPER_SEEDS,
        quick: regulariser("none").quickSeeds,
        min: 1,
        max: PAPER_SEEDS,
        doc: `seeds of the unregularised and ψ3 runs used (P-Fig 7: 5); the quick profile trains ${
          regulariser("none").quickSeeds
        }`,
      },
      otherSeeds: {
        type: "integer",
        default: PAPER_SEEDS,
        quick: regulariser("psi1").quickSeeds,
        min: 1,
        max: PAPER_SEEDS,
        doc: `seeds of ${otherKeys.join(", ")} used (5); the quick profile trains ${
          regulariser("psi1").quickSeeds
        }`,
      },
      unseenRadius: {
        type: "number",
        default: 14.5,
        doc: "the unobserved radius whose outputs are shown (P-Fig 7 shows one disk in the hole)",
      },
    },
    inputs: {
      testImages: "data-test:images.npy",
      testRadii: "data-test:radii.npy",
      holeData: "data-hole:dataset.json",
      ...regInputs(f.keys),
    },
    outputs: [
      "figure.svg",
      "figure.png",
      "figure.json",
      "outputs.svg",
      "outputs.png",
      "outputs.json",
      "table.md",
      "table.json",
      "table.svg",
      "table.png",
      "evaluation.json",
      "checks.json",
    ],
    compute: true,
    estimate: (p) => 3 + 1.5 * (2 * p.seeds + otherKeys.length * p.otherSeeds),
    async run(ctx) {
      const p = ctx.params;
      const hole = await readHole(ctx.inputs.holeData);
      const test = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
      const results: RegulariserResult[] = [];
      const unseen: Float32Array[][] = []; // [regulariser][seed]
      let input: Float32Array | null = null;
      const saved: Record<string, unknown> = {};
      // The parameters each run was trained with, as its weights file records them: the λ and
      // loss scale the table and panels state are the ones trained, overrides included.
      const trained = new Map<string, Record<string, Json>[]>();
      for (const r of compared) {
        const runs: Evaluation[] = [];
        const outs: Float32Array[] = [];
        for (let s = 1; s <= p[seedsParam(r.key)]; s++) {
          const run = await loadRun(ctx.inputs, `${r.key}-s${s}`, test, hole);
          try {
            ctx.log(`${r.key} seed ${s}: ${summarise(run.evaluation)}`);
            const shown = await reconstructRadii(run.model, [p.unseenRadius], test.size);
            input = shown.inputs[0];
            outs.push(shown.outputs[0]);
            runs.push(run.evaluation);
            saved[`${r.key}-s${s}`] = { training: run.params, ...run.evaluation };
            trained.set(r.key, [...(trained.get(r.key) ?? []), run.params]);
          } finally {
            run.model.dispose();
          }
        }
        results.push({ regulariser: r, runs });
        unseen.push(outs);
      }
      const distinct = (values: Json[]) => [...new Set(values.map((v) => String(v)))].join(", ");
      const lambdaOf = (r: Regulariser) =>
        r.param ? distinct((trained.get(r.key) ?? []).map((q) => q[r.param!])) : "–";
      const lambdaText = (r: Regulariser) => (r.param ? `${r.label}, λ = ${lambdaOf(r)}` : r.label);
      const lossScale = distinct([...trained.values()].flat().map((q) => q.loss));
      const lossText = lossScale === "sum"
        ? "P Eq. 1 as a sum over pixels"
        : lossScale === "mean"
        ? "P Eq. 1 as a mean over pixels (the authors' code)"
        : `P Eq. 1, scales ${lossScale}`;

      // z(r), one panel per regulariser, every seed overlaid.
      const series: Series[] = results.flatMap((res) =>
        res.runs.map((e, i) => ({
          name: `seed ${i + 1}`,
          panel: lambdaText(res.regulariser),
          x: e.radii,
          y: e.z,
        }))
      );
      await renderLineChart({
        title:
          `Latent code z against radius, trained without the hole, by regulariser (${f.source})`,
        subtitle: `every seed overlaid (${
          p.seeds === p.otherSeeds
            ? `${p.seeds} each`
            : `${p.seeds} for none and ψ3, ${p.otherSeeds} for the others`
        }); each panel has its own z scale`,
        x: { title: "radius r (pixels)", domain: [0, 32] },
        y: { title: "latent code z" },
        series,
        bands: [holeBand(hole)],
        columns: 3,
        independent: "xy",
        legend: "bottom",
      }, ctx.outPath("figure"));

      // Outputs for the unseen radius: rows = seeds, first column the input.
      const maxSeeds = Math.max(p.seeds, p.otherSeeds);
      const cells: (GridCell | null)[][] = Array.from({ length: maxSeeds }, (_, s) => [
        s === 0 && input ? diskCell(input, p.unseenRadius, hole, false) : null,
        ...unseen.map((outs) => (outs[s] ? diskCell(outs[s], p.unseenRadius, hole, false) : null)),
      ]);
      await renderImageGrid({
        title: `Autoencoding a disk of unobserved radius r = ${p.unseenRadius} (${f.source})`,
        colLabels: ["input", ...compared.map((r) => r.short)],
        rowLabels: Array.from({ length: maxSeeds }, (_, s) => `seed ${s + 1}`),
        cells,
        legend: borderLegend(hole),
      }, ctx.outPath("outputs"));

      // The table of hole errors.
      await renderTable(
        {
          title: `Hole error by regulariser, ${f.source} (per-pixel MSE over test radii ${
            hole[0]
          }–${hole[1]})`,
          columns: [
            "regulariser",
            "λ",
            "seeds",
            "hole error, mean",
            "per seed",
            "outside, mean",
            "monotone across hole",
            "roughness, median",
            "mean IoU",
          ],
          rows: results.map((res) => [
            res.regulariser.label,
            lambdaOf(res.regulariser),
            res.runs.length,
            mean(res.runs.map((e) => e.hole.hole)),
            res.runs.map((e) => fmt(e.hole.hole)).join(", "),
            mean(res.runs.map((e) => e.hole.outside)),
            `${res.runs.filter((e) => e.acrossHole.monotone).length}/${res.runs.length}`,
            median(res.runs.map(roughness)),
            mean(res.runs.map((e) => e.meanIou)),
          ]),
          notes: [
            `Loss: ${lossText}, plus λ·ψ. Outside: test radii in [2, 30] outside the hole.`,
            "Monotone: every step of z over the test radii from one pixel below to one pixel above the hole has the same sign.",
            "Roughness of z(r) over radii 2–30: total variation of dz/dr in units of the mean slope (0 for a line, 1.75 for z ∝ r², ∞ for a constant code).",
          ],
        },
        ctx.outPath("table"),
        { image: true },
      );

      await Deno.writeTextFile(
        ctx.outPath("evaluation.json"),
        stableJson({ holeInterval: hole, runs: saved }) + "\n",
      );
      const checks = regChecks(results, hole, f.reported);
      await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
    },
  });
}

/** Stage `reg`: P-Fig 7, the paper's four regularisers; it decides the item. */
export const regStage: AnyStage = makeRegStage({
  id: "reg",
  source: "P-Fig 7",
  keys: PAPER_REGULARISERS,
  reported: PAPER_REGULARISERS,
});

/** Stage `reg-talk`: S25–S26 with the denoising term, plus the contractive term. */
export const regTalkStage: AnyStage = makeRegStage({
  id: "reg-talk",
  source: "S24–S26",
  keys: TALK_REGULARISERS,
  // `reg` reports the others.
  reported: TALK_REGULARISERS.filter((k) => !PAPER_REGULARISERS.includes(k)),
});
