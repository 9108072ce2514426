/**
 * Stage `authors-model`: the checks of `ae-d1` and `latent` on the authors' released example
 * model (`disk_example_model_weights.h5`, the default architecture of their Keras code trained
 * 10,000 updates on radii r ~ U(0, 31.5) without regularisation), which tests our evaluation
 * on their own model. The file is not ours to ship: it is read where it lies (default
 * `../shared/authors/`, relative to the project), its content hash is part of the stage's key
 * (`externalFiles`), and without it the stage succeeds and reports the item "not available".
 *
 * Test disks are the authors' geometry, not our test set's: 63×63 with the centre on pixel 31,
 * exact blur σ = 0.5, 300 radii evenly spaced on [0, 31.5] (their radius range). The measures
 * are taken over the catalogue's test radii 2–30 unscaled: in a 63-pixel image centred on
 * pixel 31 a disk of radius 30 still leaves one pixel to the border, as in our 64-pixel images.
 *
 * @module
 */
import { resolve } from "node:path";
import { sha256File } from "../../pipeline/hash.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { type Check, check } from "../../lib/common/checks.ts";
import { notAvailableCheck } from "../../lib/common/not_available.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { imageAt } from "../size/profiles.ts";
import { linspace } from "../size/latent.ts";
import {
  RADIUS_RANGE_PARAM,
  radiusRange,
  sig,
  writeChecks,
  writeJson,
} from "../size/stage_util.ts";
import { nearestIndex } from "../size/test_set.ts";
import { type DiskModelMeasures, evaluateDiskModel } from "./evaluate.ts";
import { readKerasWeights } from "./keras_h5.ts";
import { authorsConfig, authorsWeightsFromKeras, createAuthorsModel } from "./model.ts";
import { AUTHORS_CENTRE, authorsTestDisks } from "./test_disks.ts";

/** Id of the stage and of its catalogue item. */
export const AUTHORS_MODEL_ID = "authors-model";

/** Where the authors' released weights lie, relative to the project root. */
export const AUTHORS_WEIGHTS_PATH = "../shared/authors/disk_example_model_weights.h5";

/** The one check of the item when the file is absent. */
export function authorsNotAvailable(path: string): Check {
  return notAvailableCheck(
    AUTHORS_MODEL_ID,
    "checks of ae-d1 and latent on the authors' released model",
    `no file at ${path}`,
  );
}

/** Stage `authors-model`. */
export const authorsModelStage = defineStage({
  id: AUTHORS_MODEL_ID,
  description:
    "the ae-d1 and latent checks on the authors' released example model (63×63, d = 1), when its weights file is here",
  module: import.meta.url,
  params: {
    weightsPath: {
      type: "string",
      default: AUTHORS_WEIGHTS_PATH,
      doc:
        "Keras HDF5 weights of the authors' default architecture, relative to the project root; its content hash is part of the key",
    },
    testCount: {
      type: "integer",
      default: 300,
      min: 2,
      doc: "test disks, radii evenly spaced on [0, testMax] (300 as our test set)",
    },
    testMax: {
      type: "number",
      default: 31.5,
      min: 1,
      doc: "largest test radius: 31.5, the top of the authors' training radii U(0, 31.5)",
    },
    radiusRange: RADIUS_RANGE_PARAM,
    threshold: {
      type: "number",
      default: 0.5,
      doc: "grey level separating disk from background (as ae-d1 and latent)",
    },
    iouBar: {
      type: "number",
      default: 0.9,
      min: 0,
      max: 1,
      doc: "bar on the mean IoU (ae-d1's: 0.9)",
    },
    r2Bar: {
      type: "number",
      default: 0.99,
      min: 0,
      max: 1,
      doc: "bar on R² of the affine fit of z on r² (latent's: 0.99)",
    },
    showRadii: {
      type: "number[]",
      default: [4, 10, 16, 22, 28],
      doc: "radii shown (nearest test radii), as ae-d1",
    },
    interpolateFrom: {
      type: "number",
      default: 4,
      min: 0,
      doc: "radius whose code starts the interpolation, as latent",
    },
    interpolateTo: { type: "number", default: 28, min: 0, doc: "radius whose code ends it" },
    interpolateSteps: {
      type: "integer",
      default: 7,
      min: 2,
      max: 16,
      doc: "decoded images along the interpolation, as latent",
    },
  },
  externalFiles: ["weightsPath"],
  inputs: {},
  // Figures come beside these only when the file is here (the report finds them by listing).
  outputs: ["measures.json", "checks.json"],
  compute: true,
  estimate: () => 5,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
    // The engine resolves the path against the project root, the stage's working directory.
    const path = resolve(Deno.cwd(), p.weightsPath);
    let file: Awaited<ReturnType<typeof readKerasWeights>>;
    try {
      file = await readKerasWeights(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      ctx.log(
        `authors' weights not available: no file at ${p.weightsPath}; item reported as not available`,
      );
      await writeJson(ctx.outPath("measures.json"), {
        available: false,
        weightsPath: p.weightsPath,
      });
      await writeChecks(ctx.outPath("checks.json"), [authorsNotAvailable(p.weightsPath)]);
      return;
    }
    const set = authorsTestDisks(p.testCount, 0, p.testMax);
    const model = createAuthorsModel();
    let ms: DiskModelMeasures;
    try {
      model.writeWeights(authorsWeightsFromKeras(file));
      ms = await evaluateDiskModel(model, set, {
        range: [lo, hi],
        threshold: p.threshold,
        interpolateFrom: p.interpolateFrom,
        interpolateTo: p.interpolateTo,
        interpolateSteps: p.interpolateSteps,
      });
    } finally {
      model.dispose();
    }
    const { sha256 } = await sha256File(path);
    ctx.log(
      `authors' model (${sha256.slice(0, 12)}…): mean IoU ${sig(ms.meanIoU, 4)}, ` +
        `${ms.mono.violations} steps of z against the trend, R² on r² ${sig(ms.onArea.r2, 5)}, ` +
        `on r ${sig(ms.onRadius.r2, 5)}`,
    );
    await renderFigures(ctx.outPath.bind(ctx), set.radii, set.images, set.size, ms, p, lo, hi);
    const checks = authorsChecks(ms, set.radii, lo, hi, p);
    await writeJson(ctx.outPath("measures.json"), {
      available: true,
      weightsPath: p.weightsPath,
      sha256,
      kerasVersion: file.attributes.keras_version ?? null,
      architecture: authorsConfig(),
      testDisks: {
        size: set.size,
        centre: AUTHORS_CENTRE,
        sigma: 0.5,
        count: set.count,
        max: p.testMax,
      },
      range: [lo, hi],
      meanIoU: ms.meanIoU,
      worstRadius: set.radii[ms.worst],
      worstIoU: ms.iou[ms.worst],
      zMonotone: { violations: ms.mono.violations, steps: ms.mono.steps },
      r2Area: ms.onArea.r2,
      r2Radius: ms.onRadius.r2,
      verdicts: Object.fromEntries(checks.map((c) => [c.check, c.pass])),
    });
    await writeChecks(ctx.outPath("checks.json"), checks);
  },
});

/** The checks of `ae-d1` and `latent`, worded as there, for the authors' model. */
export function authorsChecks(
  ms: DiskModelMeasures,
  radii: Float64Array,
  lo: number,
  hi: number,
  p: { threshold: number; iouBar: number; r2Bar: number },
): Check[] {
  const r = ms.inRange.map((i) => radii[i]);
  return [
    check(
      AUTHORS_MODEL_ID,
      `ae-d1 on the authors' model: mean IoU of thresholded output vs input (threshold ${p.threshold}), test radii ${lo}–${hi}`,
      ms.meanIoU,
      ">=",
      p.iouBar,
      {
        radii: ms.inRange.length,
        worstRadius: radii[ms.worst],
        worstIoU: ms.iou[ms.worst],
        below: ms.inRange.filter((i) => ms.iou[i] < p.iouBar).length,
      },
    ),
    check(
      AUTHORS_MODEL_ID,
      `latent on the authors' model: steps of z against the trend of z in r (test radii ${lo}–${hi}, ${ms.mono.steps} steps)`,
      ms.mono.violations,
      "==",
      0,
      {
        fractionMonotone: ms.mono.fraction,
        direction: ms.mono.direction,
        largestViolation: ms.mono.largestViolation,
        violationRadii: ms.mono.where.map((i) => r[i]),
      },
    ),
    check(
      AUTHORS_MODEL_ID,
      `latent on the authors' model: R² of the affine fit of z on r² (test radii ${lo}–${hi})`,
      ms.onArea.r2,
      ">=",
      p.r2Bar,
      { slope: ms.onArea.slope, intercept: ms.onArea.intercept, rmse: ms.onArea.rmse },
    ),
    check(
      AUTHORS_MODEL_ID,
      "latent on the authors' model: R² of the fit on r² minus R² of the fit on r",
      ms.onArea.r2 - ms.onRadius.r2,
      ">",
      0,
      { r2Area: ms.onArea.r2, r2Radius: ms.onRadius.r2 },
    ),
    check(
      AUTHORS_MODEL_ID,
      "latent on the authors' model: radius r̂ of the decoded images along the interpolation, steps against the trend",
      ms.pathMono.violations,
      "report",
      null,
      { z: ms.zPath, rHat: ms.rHat },
    ),
  ];
}

/** Inputs and outputs, IoU against r, z against r, and the interpolation, as ae-d1 and latent. */
async function renderFigures(
  out: (name: string) => string,
  radii: Float64Array,
  images: Float32Array,
  m: number,
  ms: DiskModelMeasures,
  p: { showRadii: number[]; threshold: number; iouBar: number },
  lo: number,
  hi: number,
): Promise<void> {
  const shown = p.showRadii.map((r) => nearestIndex(radii, r));
  const cell = (data: Float32Array, i: number, caption: string) => ({
    image: { width: m, height: m, data: imageAt(data, i, m) },
    caption,
  });
  await renderImageGrid({
    title: "The authors' released model: inputs and outputs (63×63, d = 1)",
    rowLabels: ["input", "output"],
    cells: [
      shown.map((i) => cell(images, i, `r = ${radii[i].toFixed(1)}`)),
      shown.map((i) => cell(ms.outputs, i, `IoU ${ms.iou[i].toFixed(2)}`)),
    ],
  }, out("figure"));
  const rMax = radii[radii.length - 1];
  await renderLineChart({
    title: "The authors' model: IoU of the thresholded output against the input",
    subtitle: `mean over r in [${lo}, ${hi}]: ${
      sig(ms.meanIoU, 4)
    } (bar ${p.iouBar}); threshold ${p.threshold}`,
    x: { title: "radius r (pixels)", domain: [0, rMax] },
    y: { title: "IoU", domain: [0, 1] },
    series: [{ name: "IoU", x: Array.from(radii), y: ms.iou }],
    rules: [{ y: p.iouBar, label: `bar ${p.iouBar}` }, { x: lo }, { x: hi }],
    legend: "none",
  }, out("iou"));
  const fitX = linspace(lo, hi, 60);
  await renderLineChart({
    title: "The authors' model: code z of the test disks against their radius",
    subtitle: `r in [${lo}, ${hi}]: R² of z ≈ a·r² + b = ${sig(ms.onArea.r2, 5)}, ` +
      `of z ≈ a·r + b = ${sig(ms.onRadius.r2, 5)}; ` +
      `${ms.mono.violations} of ${ms.mono.steps} steps against the trend`,
    x: { title: "radius r (pixels)", domain: [0, rMax] },
    y: { title: "latent code z" },
    series: [
      { name: "test disks", x: Array.from(radii), y: Array.from(ms.codes) },
      {
        name: "fit on the area r²",
        x: fitX,
        y: fitX.map((v) => ms.onArea.slope * v * v + ms.onArea.intercept),
        dash: "dashed",
      },
      {
        name: "fit on the radius r",
        x: fitX,
        y: fitX.map((v) => ms.onRadius.slope * v + ms.onRadius.intercept),
        dash: "dotted",
      },
    ],
    legend: "bottom",
  }, out("radius_vs_z"));
  await renderImageGrid({
    title: `The authors' model: decoded disks with linearly increasing z (codes of r = ${
      radii[ms.from].toFixed(1)
    } to r = ${radii[ms.to].toFixed(1)})`,
    cells: [ms.zPath.map((zk, k) => ({
      image: { width: m, height: m, data: imageAt(ms.decoded, k, m) },
      caption: `z = ${sig(zk)}, r̂ = ${ms.rHat[k].toFixed(1)}`,
    }))],
  }, out("interpolation"));
}
