/**
 * The measures of the `ae-d1` and `latent` checks, taken on any disk autoencoder and disk set,
 * with the same functions as those stages: the IoU of the thresholded output against the
 * thresholded input (`thresholdIoU`), the monotonicity of z in r (`monotonicity`), the affine
 * fits of z on r² and on r (`linearFit`), and the radius r̂ = √(area/π) of decoded images
 * along a linear path of codes (`radiusFromArea`).
 *
 * @module
 */
import { decodeBatched, encodeBatched, reconstructBatched } from "../../lib/ml/analysis.ts";
import type { Autoencoder } from "../../lib/ml/model.ts";
import { thresholdIoU } from "../size/iou.ts";
import { linspace } from "../size/latent.ts";
import { type LinearFit, linearFit } from "../size/linear_fit.ts";
import { type Monotonicity, monotonicity } from "../size/monotonicity.ts";
import { imageAt } from "../size/profiles.ts";
import { radiusFromArea } from "../size/radius_estimate.ts";
import { indicesInRange, nearestIndex } from "../size/test_set.ts";
import { type DiskSet } from "../../lib/ml/disk_set.ts";

/** Settings of {@link evaluateDiskModel}, as the `ae-d1` and `latent` stages name them. */
export interface EvaluateOptions {
  /** Test radii [lo, hi] the measures are taken over. */
  range: [number, number];
  /** Grey level separating disk from background. */
  threshold: number;
  /** Radius whose code starts the interpolation (nearest test radius). */
  interpolateFrom: number;
  /** Radius whose code ends it. */
  interpolateTo: number;
  /** Codes along the interpolation. */
  interpolateSteps: number;
}

/** What {@link evaluateDiskModel} measures. */
export interface DiskModelMeasures {
  /** Reconstructions of every test disk (n × m × m). */
  outputs: Float32Array;
  /** IoU of each test disk. */
  iou: number[];
  /** Indices of the test radii inside the range. */
  inRange: number[];
  /** Mean IoU over the range. */
  meanIoU: number;
  /** Index of the worst IoU in the range. */
  worst: number;
  /** Code z of every test disk (d = 1). */
  codes: Float32Array;
  /** Monotonicity of z in r over the range. */
  mono: Monotonicity;
  /** Affine fit of z on r² over the range. */
  onArea: LinearFit;
  /** Affine fit of z on r over the range. */
  onRadius: LinearFit;
  /** Indices of the two test disks whose codes bound the interpolation. */
  from: number;
  /** See `from`. */
  to: number;
  /** The interpolated codes. */
  zPath: number[];
  /** Their decoded images. */
  decoded: Float32Array;
  /** Radius r̂ of each decoded image. */
  rHat: number[];
  /** Monotonicity of r̂ along the path. */
  pathMono: Monotonicity;
}

/**
 * Runs the model on the disk set and takes the measures of `ae-d1` and `latent`.
 *
 * @throws {Error} when the model's code is not a single number or the range holds < 2 radii.
 */
export async function evaluateDiskModel(
  model: Autoencoder,
  set: DiskSet,
  o: EvaluateOptions,
): Promise<DiskModelMeasures> {
  if (model.latentSize !== 1) {
    throw new Error(
      `Cannot evaluate a model with a code of size ${model.latentSize}: the checks of ae-d1 and latent need d = 1`,
    );
  }
  const m = set.size;
  const [lo, hi] = o.range;
  const inRange = indicesInRange(set.radii, lo, hi);
  if (inRange.length < 2) {
    throw new Error(
      `Cannot evaluate on test radii ${lo}–${hi}: ${inRange.length} test ${
        inRange.length === 1 ? "radius" : "radii"
      } in range; widen the range`,
    );
  }
  const outputs = await reconstructBatched(model, set.images);
  const codes = await encodeBatched(model, set.images);
  const from = nearestIndex(set.radii, o.interpolateFrom);
  const to = nearestIndex(set.radii, o.interpolateTo);
  const zPath = linspace(codes[from], codes[to], o.interpolateSteps);
  const decoded = await decodeBatched(model, Float32Array.from(zPath));

  const iou = Array.from(
    set.radii,
    (_, i) => thresholdIoU(imageAt(set.images, i, m), imageAt(outputs, i, m), o.threshold),
  );
  const meanIoU = inRange.reduce((s, i) => s + iou[i], 0) / inRange.length;
  const worst = inRange.reduce((w, i) => (iou[i] < iou[w] ? i : w), inRange[0]);
  const r = inRange.map((i) => set.radii[i]), z = inRange.map((i) => codes[i]);
  const rHat = zPath.map((_, k) => radiusFromArea(imageAt(decoded, k, m), o.threshold));
  return {
    outputs,
    iou,
    inRange,
    meanIoU,
    worst,
    codes,
    mono: monotonicity(z),
    onArea: linearFit(r.map((v) => v * v), z),
    onRadius: linearFit(r, z),
    from,
    to,
    zPath,
    decoded,
    rHat,
    pathMono: monotonicity(rHat),
  };
}
