/**
 * Stage `hole` (P-Fig 6, S22–S23): the autoencoder trained on disks whose radii avoid
 * [11, 18] (`data-hole`), on the test grid. Figures: inputs and outputs for radii inside and
 * outside the hole, green and red borders (`figure`); the code z against r with the hole
 * shaded (`latent`, S23); the per-radius error (`error`). Check: mean reconstruction error in
 * the hole ≥ 3 × the error outside it.
 *
 * The model is the seed-1 unregularised run of `reg` (`train-reg-none-s1`).
 *
 * @module
 */
import { defineStage } from "../../pipeline/stage.ts";
import { check } from "../common/checks.ts";
import { renderImageGrid, renderLineChart } from "../figures/mod.ts";
import { initBackend } from "../ml/backend.ts";
import { stableJson } from "../ml/npy.ts";
import { readTestSet, reconstructRadii, summarise } from "./evaluate.ts";
import { readHole } from "./hole_interval.ts";
import { loadRun, weightsInputs } from "./models.ts";
import { borderLegend, diskCell, fmt, holeBand } from "./plots.ts";
import { regTrainingId } from "./trainings.ts";

/** The bar of the catalogue: hole error ≥ 3 × the error outside. */
export const HOLE_RATIO_BAR = 3;

/** Stage `hole`. */
export const holeStage = defineStage({
  id: "hole",
  description:
    "AE trained without radii 11–18: outputs in and out of the hole, z(r) across it (P-Fig 6, S22–S23)",
  module: import.meta.url,
  params: {
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
    ...weightsInputs("model", regTrainingId("none", 1)),
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
    "evaluation.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 8,
  async run(ctx) {
    await initBackend(ctx.backend, { cpuThreads: ctx.threads });
    const hole = await readHole(ctx.inputs.holeData);
    const test = await readTestSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const run = await loadRun(ctx.inputs, "model", test, hole);
    try {
      const e = run.evaluation;
      ctx.log(summarise(e));
      const shown = await reconstructRadii(run.model, ctx.params.radii, test.size);
      await renderImageGrid({
        title: `Autoencoding disks when radii ${hole[0]}–${hole[1]} are missing from training`,
        rowLabels: ["input", "output"],
        cells: [
          ctx.params.radii.map((r, i) => diskCell(shown.inputs[i], r, hole)),
          ctx.params.radii.map((r, i) => diskCell(shown.outputs[i], r, hole, false)),
        ],
        legend: borderLegend(hole),
      }, ctx.outPath("figure"));
      await renderLineChart({
        title: "Latent code against radius, trained without the hole",
        x: { title: "radius r (pixels)", domain: [0, 32] },
        y: { title: "latent code z" },
        series: [{ name: "z = E(x_r)", x: e.radii, y: e.z }],
        bands: [holeBand(hole)],
      }, ctx.outPath("latent"));
      await renderLineChart({
        title: "Reconstruction error against radius",
        x: { title: "radius r (pixels)", domain: [0, 32] },
        y: { title: "per-pixel mean squared error", type: "log" },
        series: [{
          name: "‖x − D(E(x))‖² / 4096",
          x: e.radii,
          y: e.errors.map((v) => Math.max(v, 1e-8)),
        }],
        bands: [holeBand(hole)],
      }, ctx.outPath("error"));
      await Deno.writeTextFile(
        ctx.outPath("evaluation.json"),
        stableJson({ holeInterval: hole, training: run.params, ...e }) + "\n",
      );
      const checks = [
        check(
          "hole",
          `mean reconstruction error (per-pixel MSE) for test radii in the hole [${hole[0]}, ${
            hole[1]
          }] over the error for radii in [2, 30] outside it`,
          e.hole.ratio,
          ">=",
          HOLE_RATIO_BAR,
          { holeError: e.hole.hole, outsideError: e.hole.outside, meanIou: e.meanIou },
        ),
        check(
          "hole",
          `z(r) monotone across the hole (radii ${hole[0] - 1}–${
            hole[1] + 1
          }), reported: S23 inspects this curve to explain the failure`,
          e.acrossHole.monotone,
          "report",
          null,
          {
            stepsAgainst: e.acrossHole.violations,
            steps: e.acrossHole.steps,
            roughness: e.roughness,
          },
        ),
        check(
          "hole",
          "mean IoU of thresholded outputs over test radii 2–30",
          e.meanIou,
          "report",
          null,
          {
            text: `hole error ${fmt(e.hole.hole)}, outside ${fmt(e.hole.outside)}`,
          },
        ),
      ];
      await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
    } finally {
      run.model.dispose();
    }
  },
});
