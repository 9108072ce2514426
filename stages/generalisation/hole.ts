/**
 * Stage `hole` (P-Fig 6, S22–S23): autoencoders trained on disks whose radii avoid the hole
 * [11, 18] (`data-hole`), every unregularised seed of `reg` (`train-reg-none-s<k>`, 5 in the
 * paper profile), on the test grid. Figures: inputs and the outputs of each seed for radii
 * inside and outside the hole, green and red borders (`figure`); the code z against r with the
 * hole shaded, every seed (`latent`, S23); the per-radius error of each seed with its level
 * outside the hole (`error`); the per-seed measures (`table`). Checks: `hole_checks.ts`.
 *
 * @module
 */
import { defineStage } from "../../pipeline/stage.ts";
import {
  renderImageGrid,
  renderLineChart,
  renderTable,
  type Series,
} from "../../lib/figures/mod.ts";
import { stableJson } from "../../lib/ml/npy.ts";
import { type Evaluation, reconstructRadii, summarise } from "./evaluate.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";
import { holeChecks, holeSeedMeasures } from "./hole_checks.ts";
import { HOLE_RATIO_BAR } from "./hole_failure.ts";
import { readHole } from "./hole_interval.ts";
import { loadRun, weightsInputs } from "./models.ts";
import { borderLegend, diskCell, holeBand } from "./plots.ts";
import { PAPER_SEEDS, regTrainingId, regulariser } from "./trainings.ts";

/** Every unregularised seed's weights, local names `none-s<seed>.json/.bin`. */
function seedInputs() {
  return Object.assign(
    {},
    ...Array.from(
      { length: PAPER_SEEDS },
      (_, i) => weightsInputs(`none-s${i + 1}`, regTrainingId("none", i + 1)),
    ),
  );
}

/** Stage `hole`. */
export const holeStage = defineStage({
  id: "hole",
  description:
    "AEs trained without radii 11–18, every unregularised seed: outputs in and out of the hole, errors, z(r) across it (P-Fig 6, S22–S23)",
  module: import.meta.url,
  params: {
    seeds: {
      type: "integer",
      default: PAPER_SEEDS,
      quick: regulariser("none").quickSeeds,
      min: 1,
      max: PAPER_SEEDS,
      doc: `unregularised seeds evaluated (the runs of reg, P-Fig 7: 5); the quick profile trains ${
        regulariser("none").quickSeeds
      }`,
    },
    radii: {
      type: "number[]",
      default: [4, 7, 10, 11.5, 13, 14.5, 16, 17.5, 20, 24, 28],
      doc:
        "radii shown as input/output pairs (exact blur): three below the hole, five inside, three above",
    },
  },
  inputs: {
    testImages: "data-test:images.npy",
    testRadii: "data-test:radii.npy",
    holeData: "data-hole:dataset.json",
    ...seedInputs(),
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "latent.svg",
    "latent.png",
    "latent.json",
    "error.svg",
    "error.png",
    "error.json",
    "table.md",
    "table.json",
    "table.svg",
    "table.png",
    "evaluation.json",
    "checks.json",
  ],
  compute: true,
  estimate: (p) => 3 + 2 * p.seeds,
  async run(ctx) {
    const hole = await readHole(ctx.inputs.holeData);
    const test = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const runs: Evaluation[] = [];
    const outputs: Float32Array[][] = [];
    let inputs: Float32Array[] = [];
    const saved: Record<string, unknown> = {};
    for (let s = 1; s <= ctx.params.seeds; s++) {
      const run = await loadRun(ctx.inputs, `none-s${s}`, test, hole);
      try {
        ctx.log(`seed ${s}: ${summarise(run.evaluation)}`);
        const shown = await reconstructRadii(run.model, ctx.params.radii, test.size);
        inputs = shown.inputs;
        outputs.push(shown.outputs);
        runs.push(run.evaluation);
        saved[`none-s${s}`] = { training: run.params, ...run.evaluation };
      } finally {
        run.model.dispose();
      }
    }
    const radii = ctx.params.radii;
    await renderImageGrid({
      title: `Autoencoding disks when radii ${hole[0]}–${hole[1]} are missing from training ` +
        `(no regularisation)`,
      rowLabels: ["input", ...runs.map((_, i) => `output, seed ${i + 1}`)],
      cells: [
        radii.map((r, i) => diskCell(inputs[i], r, hole)),
        ...outputs.map((row) => radii.map((r, i) => diskCell(row[i], r, hole, false))),
      ],
      legend: borderLegend(hole),
    }, ctx.outPath("figure"));
    await renderLineChart({
      title: "Latent code against radius, trained without the hole",
      subtitle: "no regularisation, every seed overlaid (each seed's code has its own scale)",
      x: { title: "radius r (pixels)", domain: [0, 32] },
      y: { title: "latent code z" },
      series: runs.map((e, i) => ({ name: `seed ${i + 1}`, x: e.radii, y: e.z })),
      bands: [holeBand(hole)],
      legend: "bottom",
    }, ctx.outPath("latent"));
    const panel = (i: number) => `seed ${i + 1}`;
    const errorSeries: Series[] = runs.map((e, i) => ({
      name: "‖x − D(E(x))‖² / 4096",
      panel: panel(i),
      x: e.radii,
      y: e.errors.map((v) => Math.max(v, 1e-8)),
    }));
    await renderLineChart({
      title: "Reconstruction error against radius, by seed",
      subtitle: `dashed: mean error over radii 2–30 outside the hole, and ${HOLE_RATIO_BAR} × it`,
      x: { title: "radius r (pixels)", domain: [0, 32] },
      y: { title: "per-pixel mean squared error", type: "log" },
      series: errorSeries,
      bands: [holeBand(hole)],
      rules: runs.flatMap((e, i) => [
        { y: e.hole.outside, label: "outside", labelAt: "start" as const, panel: panel(i) },
        {
          y: HOLE_RATIO_BAR * e.hole.outside,
          label: `${HOLE_RATIO_BAR}× outside`,
          labelAt: "start" as const,
          panel: panel(i),
        },
      ]),
      columns: Math.min(runs.length, 3),
      legend: "none",
    }, ctx.outPath("error"));
    const measures = runs.map((e) => holeSeedMeasures(e, hole));
    const iv = measures[0].inner;
    await renderTable(
      {
        title: `Unregularised runs on the hole dataset, hole [${hole[0]}, ${hole[1]}]`,
        columns: [
          "seed",
          "hole error",
          "outside",
          "ratio",
          `fails (≥ ${HOLE_RATIO_BAR}×)`,
          "hole radii failing",
          "seen radii failing",
          `inner [${iv.inner}] ÷ neighbours`,
          "hole's share of z range",
          "mean IoU",
        ],
        rows: runs.map((e, i) => [
          i + 1,
          e.hole.hole,
          e.hole.outside,
          measures[i].ratio,
          measures[i].fails,
          `${measures[i].failingShare.failing}/${measures[i].failingShare.total}`,
          `${measures[i].failingOutside.failing}/${measures[i].failingOutside.total}`,
          measures[i].inner.ratio,
          measures[i].share.zShare,
          e.meanIou,
        ]),
        notes: [
          "Errors: per-pixel mean squared error, averaged over the test radii in the hole, and over those in [2, 30] outside it.",
          "A radius fails when the IoU of its thresholded output is below 0.9 or the output's radius r̂ = √(area/π) is off by more than 1 px; seen radii: those in [2, 30] outside the hole.",
          `Neighbours: radii in [${iv.below}] and [${iv.above}]. The hole's share of the area range is ${
            measures[0].share.areaShare.toFixed(3)
          }.`,
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
      JSON.stringify(holeChecks(runs, hole), null, 2) + "\n",
    );
  },
});
