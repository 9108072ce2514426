/**
 * Stage `lambda` (P-Fig 8): ψ3 (weight decay of the encoder only) with λ ∈ {0.1, 1, 10, 50,
 * 100}, trained on the hole dataset (seed 1). Figures: outputs for radii across the range,
 * one row per λ (`figure`); z(r) per λ with the hole shaded (`latent`); a table. Checks, with
 * the measures of `metrics.ts` fixed before any run was looked at:
 * - smoothness rises with λ: Spearman's correlation between λ and the smoothness (minus the
 *   roughness of z(r): the total variation of dz/dr in units of its mean slope) over the
 *   runs that did not collapse, ≥ 0.8 (at most one adjacent swap among four);
 * - the largest λ breaks training: its mean IoU over test radii 2–30 < 0.5.
 *
 * @module
 */
import { defineStage, type OutputRef } from "../../pipeline/stage.ts";
import { type Check, check } from "../../lib/common/checks.ts";
import {
  renderImageGrid,
  renderLineChart,
  renderTable,
  type Series,
} from "../../lib/figures/mod.ts";
import { stableJson } from "../../lib/ml/npy.ts";
import { type Evaluation, reconstructRadii, summarise } from "./evaluate.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";
import { readHole } from "./hole_interval.ts";
import { spearman } from "../../lib/math/correlation.ts";
import { COLLAPSE_IOU } from "./metrics.ts";
import { loadRun, weightsInputs } from "./models.ts";
import { borderLegend, diskCell, fmt, holeBand } from "./plots.ts";
import { LAMBDAS, lambdaTag, lambdaTrainingId } from "./trainings.ts";

/** Bar on Spearman's correlation between λ and smoothness over the non-collapsed runs. */
export const SPEARMAN_BAR = 0.8;

/** Fewest non-collapsed runs for a rank correlation to mean anything. */
export const MIN_RUNS_FOR_TREND = 3;

function lambdaInputs(): Record<string, OutputRef> {
  const out: Record<string, OutputRef> = {};
  for (const l of LAMBDAS) {
    Object.assign(out, weightsInputs(`lambda-${lambdaTag(l)}`, lambdaTrainingId(l)));
  }
  return out;
}

/** One run of the sweep. */
export interface SweepRun {
  /** λ of ψ3. */
  lambda: number;
  /** Its evaluation. */
  evaluation: Evaluation;
}

/** The checks of `lambda` from the evaluated sweep (pure: tested on synthetic runs). */
export function lambdaChecks(runs: readonly SweepRun[]): Check[] {
  const sorted = [...runs].sort((a, b) => a.lambda - b.lambda);
  const alive = sorted.filter((r) => !r.evaluation.collapsed && r.evaluation.roughness !== null);
  const rho = alive.length >= MIN_RUNS_FOR_TREND
    ? spearman(alive.map((r) => r.lambda), alive.map((r) => -(r.evaluation.roughness as number)))
    : NaN;
  const largest = sorted[sorted.length - 1];
  return [
    check(
      "lambda",
      `Spearman correlation between λ and the smoothness of z(r) (minus its roughness: total variation of dz/dr over radii 2–30 in units of the mean slope), over the ${alive.length} runs that did not collapse`,
      Number.isFinite(rho) ? rho : null,
      ">=",
      SPEARMAN_BAR,
      {
        lambdas: alive.map((r) => r.lambda),
        roughness: alive.map((r) => r.evaluation.roughness),
        ...(alive.length < MIN_RUNS_FOR_TREND
          ? { why: `fewer than ${MIN_RUNS_FOR_TREND} runs did not collapse` }
          : {}),
      },
    ),
    check(
      "lambda",
      `largest λ (${largest.lambda}) breaks training: mean IoU of thresholded outputs over test radii 2–30 (collapsed below ${COLLAPSE_IOU})`,
      largest.evaluation.meanIou,
      "<",
      COLLAPSE_IOU,
      { collapsed: sorted.filter((r) => r.evaluation.collapsed).map((r) => r.lambda) },
    ),
    ...sorted.map((r) =>
      check(
        "lambda",
        `λ = ${r.lambda}: roughness of z(r) (null: constant code)`,
        r.evaluation.roughness,
        "report",
        null,
        {
          meanIou: r.evaluation.meanIou,
          holeError: r.evaluation.hole.hole,
          monotoneAcrossHole: r.evaluation.acrossHole.monotone,
        },
      )
    ),
  ];
}

/** Stage `lambda`. */
export const lambdaStage = defineStage({
  id: "lambda",
  description:
    "ψ3 (encoder weight decay) with λ from 0.1 to 100 on the hole dataset: outputs and z(r) per λ (P-Fig 8)",
  module: import.meta.url,
  params: {
    radii: {
      type: "number[]",
      default: [4, 8, 11.5, 13, 14.5, 16, 17.5, 21, 26],
      doc: "radii shown for every λ (exact blur): two below the hole, five inside, two above",
    },
  },
  inputs: {
    testImages: "data-test:images.npy",
    testRadii: "data-test:radii.npy",
    holeData: "data-hole:dataset.json",
    ...lambdaInputs(),
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "latent.svg",
    "latent.png",
    "latent.json",
    "table.md",
    "table.json",
    "table.svg",
    "table.png",
    "evaluation.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 3 + 1.5 * LAMBDAS.length,
  async run(ctx) {
    const radii = ctx.params.radii;
    const hole = await readHole(ctx.inputs.holeData);
    const test = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const runs: SweepRun[] = [];
    const rows: Float32Array[][] = [];
    let inputs: Float32Array[] = [];
    const saved: Record<string, unknown> = {};
    for (const l of LAMBDAS) {
      const name = `lambda-${lambdaTag(l)}`;
      const run = await loadRun(ctx.inputs, name, test, hole);
      try {
        // The λ really trained with (a --set on the shared ψ3 stage would change it).
        if (run.params.encoderWeightDecayLambda !== l) {
          throw new Error(
            `Cannot use "${
              lambdaTrainingId(l)
            }" as the λ = ${l} run: it was trained with encoderWeightDecayLambda = ${run.params.encoderWeightDecayLambda}; undo the --set`,
          );
        }
        ctx.log(`λ = ${l}: ${summarise(run.evaluation)}`);
        const shown = await reconstructRadii(run.model, radii, test.size);
        inputs = shown.inputs;
        rows.push(shown.outputs);
        runs.push({ lambda: l, evaluation: run.evaluation });
        saved[String(l)] = { training: run.params, ...run.evaluation };
      } finally {
        run.model.dispose();
      }
    }

    await renderImageGrid({
      title: "Encoder weight decay ψ3 with increasing λ: outputs across the hole",
      rowLabels: ["input", ...LAMBDAS.map((l) => `λ = ${l}`)],
      cells: [
        radii.map((r, i) => diskCell(inputs[i], r, hole)),
        ...rows.map((outs) => radii.map((r, i) => diskCell(outs[i], r, hole, false))),
      ],
      legend: borderLegend(hole),
    }, ctx.outPath("figure"));

    const series: Series[] = runs.map((r) => ({
      name: `λ = ${r.lambda}`,
      panel: `λ = ${r.lambda}${r.evaluation.collapsed ? " (collapsed)" : ""}`,
      x: r.evaluation.radii,
      y: r.evaluation.z,
    }));
    await renderLineChart({
      title: "Latent code z against radius, ψ3 with increasing λ",
      subtitle: "each panel has its own z scale",
      x: { title: "radius r (pixels)", domain: [0, 32] },
      y: { title: "latent code z" },
      series,
      bands: [holeBand(hole)],
      columns: 3,
      independent: "xy",
      legend: "none",
    }, ctx.outPath("latent"));

    await renderTable(
      {
        title: "ψ3 sweep (seed 1)",
        columns: [
          "λ",
          "roughness of z(r)",
          "monotone across hole",
          "hole error",
          "outside error",
          "mean IoU",
          "collapsed",
        ],
        rows: runs.map((r) => [
          r.lambda,
          r.evaluation.roughness === null ? "constant" : fmt(r.evaluation.roughness),
          r.evaluation.acrossHole.monotone,
          r.evaluation.hole.hole,
          r.evaluation.hole.outside,
          r.evaluation.meanIou,
          r.evaluation.collapsed,
        ]),
        notes: [
          "Roughness: total variation of dz/dr over radii 2–30 in units of the mean slope (1.75 for z ∝ r², 0 for a line).",
          `Collapsed: mean IoU over radii 2–30 below ${COLLAPSE_IOU}. Errors: per-pixel MSE.`,
        ],
      },
      ctx.outPath("table"),
      { image: true },
    );

    await Deno.writeTextFile(
      ctx.outPath("evaluation.json"),
      stableJson({ holeInterval: hole, runs: saved }) + "\n",
    );
    await Deno.writeTextFile(
      ctx.outPath("checks.json"),
      JSON.stringify(lambdaChecks(runs), null, 2) + "\n",
    );
  },
});
