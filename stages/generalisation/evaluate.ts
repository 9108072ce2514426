/**
 * Runs a trained disk autoencoder on the test grid (`data-test`) and gathers what the hole,
 * regularisation and λ items measure: the code z(r), the per-radius error and IoU, the hole
 * errors, monotonicity across the hole, the roughness of z(r), the radius of each output, and
 * the outputs for a few radii rendered exactly (for the image grids). The hole is always the
 * caller's, read from the training set (`hole_interval.ts`): a copy of [11, 18] here would
 * measure the wrong radii after `--set data-hole.holeMin=…`.
 *
 * @module
 */
import { encodeBatched, reconstructBatched } from "../../lib/ml/analysis.ts";
import { ExactDiskRenderer, PAPER_DISK_GEOMETRY } from "../../lib/ml/disks.ts";
import type { Autoencoder } from "../../lib/ml/model.ts";
import type { DiskSet } from "../../lib/ml/disk_set.ts";
import { radiusFromArea } from "../size/radius_estimate.ts";
import {
  acrossHole,
  COLLAPSE_IOU,
  EVAL_RANGE,
  type HoleErrors,
  holeErrors,
  type Interval,
  latentRoughness,
  meanWhere,
  type Monotonicity,
  monotonicity,
  perImageError,
  perImageIou,
} from "./metrics.ts";

/** What one model does on the test grid. */
export interface Evaluation {
  /** Test radii. */
  radii: number[];
  /** The code z of each test image. */
  z: number[];
  /** Per-pixel mean squared error of each test image. */
  errors: number[];
  /** IoU of each thresholded output against its thresholded input. */
  iou: number[];
  /** Radius r̂ = √(area above 1/2 / π) of each output (`radius_estimate.ts`). */
  radiusHat: number[];
  /** Hole error, error outside, ratio. */
  hole: HoleErrors;
  /** Monotonicity of z over [holeMin − 1, holeMax + 1]. */
  acrossHole: Monotonicity;
  /** Monotonicity of z over the evaluation range [2, 30]. */
  overall: Monotonicity;
  /** Roughness of z(r) over [2, 30] (null for a constant code). */
  roughness: number | null;
  /** Mean IoU over test radii in [2, 30]. */
  meanIou: number;
  /** Whether the reconstruction collapsed (mean IoU below {@linkcode COLLAPSE_IOU}). */
  collapsed: boolean;
}

/**
 * Evaluates a model on the test set (the backend must be initialised); `hole` is the training
 * set's hole [holeMin, holeMax].
 */
export async function evaluateModel(
  model: Autoencoder,
  test: DiskSet,
  hole: Interval,
  range: Interval = EVAL_RANGE,
): Promise<Evaluation> {
  const pixels = test.size * test.size;
  const outputs = await reconstructBatched(model, test.images, { batchSize: 100 });
  const codes = await encodeBatched(model, test.images, { batchSize: 100 });
  if (codes.length !== test.radii.length) {
    throw new Error(
      `Cannot evaluate a model with a ${
        codes.length / test.radii.length
      }-dimensional code: these items need d = 1`,
    );
  }
  const errors = perImageError(test.images, outputs, pixels);
  const iou = perImageIou(test.images, outputs, pixels);
  const radiusHat = test.radii.map((_, i) =>
    radiusFromArea(outputs.subarray(i * pixels, (i + 1) * pixels))
  );
  const meanIou = meanWhere(iou, test.radii, (r) => r >= range[0] && r <= range[1]);
  return {
    radii: Array.from(test.radii),
    z: Array.from(codes),
    errors: Array.from(errors),
    iou: Array.from(iou),
    radiusHat: Array.from(radiusHat),
    hole: holeErrors(errors, test.radii, hole, range),
    acrossHole: monotonicity(codes, test.radii, acrossHole(hole)),
    overall: monotonicity(codes, test.radii, range),
    roughness: latentRoughness(codes, test.radii, range),
    meanIou,
    collapsed: !(meanIou >= COLLAPSE_IOU),
  };
}

/** Exact blurred disks of the given radii, on the paper's geometry of side `size`. */
export function renderDisks(radii: readonly number[], size = 64): Float32Array {
  const renderer = new ExactDiskRenderer({ ...PAPER_DISK_GEOMETRY, size });
  const P = size * size;
  const out = new Float32Array(radii.length * P);
  radii.forEach((r, i) => renderer.render(r, out.subarray(i * P, (i + 1) * P)));
  return out;
}

/** D(E(x)) for exact disks of the given radii: the inputs and the outputs, one image each. */
export async function reconstructRadii(
  model: Autoencoder,
  radii: readonly number[],
  size = 64,
): Promise<{ inputs: Float32Array[]; outputs: Float32Array[] }> {
  const P = size * size;
  const x = renderDisks(radii, size);
  const y = await reconstructBatched(model, x);
  return {
    inputs: radii.map((_, i) => x.slice(i * P, (i + 1) * P)),
    outputs: radii.map((_, i) => y.slice(i * P, (i + 1) * P)),
  };
}

/** A one-line summary of an evaluation for logs. */
export function summarise(e: Evaluation): string {
  const f = (v: number) => v.toExponential(3);
  return `hole error ${f(e.hole.hole)}, outside ${f(e.hole.outside)} (×${
    e.hole.ratio.toFixed(2)
  }), ` +
    `mean IoU ${e.meanIou.toFixed(3)}, monotone across the hole ${e.acrossHole.monotone} ` +
    `(${e.acrossHole.violations} of ${e.acrossHole.steps} steps against), roughness ${
      e.roughness?.toFixed(3) ?? "n/a (constant code)"
    }`;
}
