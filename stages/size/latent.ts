/**
 * Stage `latent` (P-Fig 3, S13, S21): the latent space of the disk autoencoder. Left of
 * P-Fig 3: decoded images for codes z spaced linearly between the codes of a small and of a
 * large test disk. Right: the code z of every test disk against its radius. Checks: z is
 * monotone in r, and an affine fit of z on the area r² explains z (R² ≥ 0.99) better than a fit
 * on r does ("the autoencoder appears to represent the disks with their area", P§4.2).
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { decodeBatched, encodeBatched } from "../../lib/ml/analysis.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { linearFit } from "./linear_fit.ts";
import { monotonicity } from "./monotonicity.ts";
import { imageAt } from "./profiles.ts";
import { radiusFromArea } from "./radius_estimate.ts";
import {
  RADIUS_RANGE_PARAM,
  radiusRange,
  sig,
  TEST_INPUTS,
  weightInputs,
  writeChecks,
} from "./stage_util.ts";
import { indicesInRange, loadTrainedModel, nearestIndex } from "./test_set.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";

/** n values from a to b inclusive, evenly spaced. */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

/** Stage `latent`. */
export const latentStage = defineStage({
  id: "latent",
  description:
    "latent space of the disk autoencoder: interpolated codes decoded, z against r (P-Fig 3, S13, S21)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    interpolateFrom: {
      type: "number",
      default: 4,
      min: 0,
      doc: "radius of the small disk whose code starts the interpolation (nearest test radius)",
    },
    interpolateTo: {
      type: "number",
      default: 28,
      min: 0,
      doc: "radius of the large disk whose code ends it",
    },
    interpolateSteps: {
      type: "integer",
      default: 7,
      min: 2,
      max: 16,
      doc: "decoded images along the interpolation (P-Fig 3 shows 7)",
    },
    r2Bar: {
      type: "number",
      default: 0.99,
      min: 0,
      max: 1,
      doc: "bar on R² of the affine fit of z on r² (spec: 0.99)",
    },
    threshold: {
      type: "number",
      default: 0.5,
      doc: "grey level of the area that gives the radius r̂ = √(area/π) of a decoded image",
    },
  },
  inputs: { ...weightInputs("train-ae"), ...TEST_INPUTS },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "radius_vs_z.png",
    "radius_vs_z.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 5,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size;
    const model = await loadTrainedModel(ctx.inputs.weights, ctx.inputs.bin);
    let codes: Float32Array, decoded: Float32Array, zPath: number[];
    const from = nearestIndex(set.radii, p.interpolateFrom),
      to = nearestIndex(set.radii, p.interpolateTo);
    try {
      codes = await encodeBatched(model, set.images);
      zPath = linspace(codes[from], codes[to], p.interpolateSteps);
      decoded = await decodeBatched(model, Float32Array.from(zPath));
    } finally {
      model.dispose();
    }

    const idx = indicesInRange(set.radii, lo, hi);
    const r = idx.map((i) => set.radii[i]), z = idx.map((i) => codes[i]);
    const mono = monotonicity(z);
    const onArea = linearFit(r.map((v) => v * v), z);
    const onRadius = linearFit(r, z);
    const rHat = zPath.map((_, k) => radiusFromArea(imageAt(decoded, k, m), p.threshold));
    const pathMono = monotonicity(rHat);

    await renderImageGrid({
      title: `Decoded disks with linearly increasing z (from the code of r = ${
        set.radii[from].toFixed(1)
      } to that of r = ${set.radii[to].toFixed(1)})`,
      cells: [zPath.map((zk, k) => ({
        image: { width: m, height: m, data: imageAt(decoded, k, m) },
        caption: `z = ${sig(zk)}, r̂ = ${rHat[k].toFixed(1)}`,
      }))],
    }, ctx.outPath("figure"));

    const fitX = linspace(lo, hi, 60);
    await renderLineChart({
      title: "Code z of the test disks against their radius",
      subtitle:
        `r in [${lo}, ${hi}]: R² of z ≈ a·r² + b = ${sig(onArea.r2, 5)}, of z ≈ a·r + b = ${
          sig(onRadius.r2, 5)
        }; ` +
        `${mono.violations} of ${mono.steps} steps against the trend`,
      x: { title: "radius r (pixels)", domain: [0, set.radii[set.count - 1]] },
      y: { title: "latent code z" },
      series: [
        { name: "test disks", x: Array.from(set.radii), y: Array.from(codes) },
        {
          name: "fit on the area r²",
          x: fitX,
          y: fitX.map((v) => onArea.slope * v * v + onArea.intercept),
          dash: "dashed",
        },
        {
          name: "fit on the radius r",
          x: fitX,
          y: fitX.map((v) => onRadius.slope * v + onRadius.intercept),
          dash: "dotted",
        },
      ],
      legend: "bottom",
    }, ctx.outPath("radius_vs_z"));

    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "latent",
        `steps of z against the trend of z in r (test radii ${lo}–${hi}, ${mono.steps} steps)`,
        mono.violations,
        "==",
        0,
        {
          fractionMonotone: mono.fraction,
          direction: mono.direction,
          largestViolation: mono.largestViolation,
          violationRadii: mono.where.map((i) => r[i]),
        },
      ),
      check(
        "latent",
        `R² of the affine fit of z on r² (test radii ${lo}–${hi})`,
        onArea.r2,
        ">=",
        p.r2Bar,
        {
          slope: onArea.slope,
          intercept: onArea.intercept,
          rmse: onArea.rmse,
        },
      ),
      check(
        "latent",
        "R² of the fit on r² minus R² of the fit on r (the area explains z better)",
        onArea.r2 - onRadius.r2,
        ">",
        0,
        {
          r2Area: onArea.r2,
          r2Radius: onRadius.r2,
        },
      ),
      check(
        "latent",
        "radius r̂ of the decoded images along the interpolation: steps against the trend",
        pathMono.violations,
        "report",
        null,
        {
          z: zPath,
          rHat,
        },
      ),
    ]);
  },
});
