/**
 * The measurements behind the hole, regularisation and λ-sweep items (P§4.4, P-Figs 6–8),
 * as pure functions of arrays so that tests can check them on inputs with known answers.
 *
 * Conventions, fixed before any result was looked at:
 * - Reconstruction error of one test image: the per-pixel mean squared error
 *   (1/P) Σ_p (x_p − y_p)².
 * - Hole error: the mean of that error over the test radii inside the hole (the training
 *   set's, read from its `dataset.json`: [11, 18] in P-Fig 6; no built-in copy here, so that
 *   `--set data-hole.…` reaches every measurement); the error outside: its mean over the
 *   test radii in [2, 30] outside the hole (radii below 2
 *   are a few pixels, and above 30 the disk touches the border: both are left out, as the
 *   IoU check of `ae-d1` leaves them out).
 * - Monotone across the hole: over the test radii in [holeMin − 1, holeMax + 1] (one pixel
 *   of seen radii on each side), every step z(r_{i+1}) − z(r_i) has the sign of
 *   z(r_last) − z(r_first), none zero.
 * - Roughness of a latent curve over the test radii in [2, 30]: the total variation of its
 *   slope dz/dr, in units of its mean slope, TV(dz/dr) · (r_max − r_min) / (z_max − z_min),
 *   with the slope and its variation taken by finite differences on the test grid. It is
 *   invariant to the scale and sign of z (the code's scale is arbitrary): 0 for a line,
 *   1.75 for z = a·r² (the area, what a good code looks like), 3.75 for |r − 15|, and it
 *   grows with every kink, jump or wiggle. Smoothness is its opposite.
 * - Collapse: the mean IoU of the thresholded output (at 0.5) against the thresholded input
 *   over test radii in [2, 30] falls below 0.5.
 *
 * @module
 */

/** A closed interval [lo, hi] of radii. */
export type Interval = readonly [number, number];

/** Test radii that count (as `ae-d1`): 2 to 30 pixels. */
export const EVAL_RANGE: Interval = [2, 30];

/** Threshold on grey levels for IoU (inputs are blurred indicators in [0, 1]). */
export const IOU_THRESHOLD = 0.5;

/** Mean IoU below which a run counts as collapsed (the reconstruction failed). */
export const COLLAPSE_IOU = 0.5;

const inside = (r: number, [lo, hi]: Interval) => r >= lo && r <= hi;

function checkSizes(
  inputs: Float32Array,
  outputs: Float32Array,
  pixels: number,
  what: string,
): number {
  if (!(pixels > 0) || inputs.length !== outputs.length || inputs.length % pixels !== 0) {
    throw new RangeError(
      `Cannot compute ${what}: ${inputs.length} input and ${outputs.length} output values are not equal whole numbers of ${pixels}-pixel images`,
    );
  }
  return inputs.length / pixels;
}

/** Per-image mean squared error (1/P) Σ_p (x_p − y_p)², one value per image. */
export function perImageError(
  inputs: Float32Array,
  outputs: Float32Array,
  pixels: number,
): Float64Array {
  const n = checkSizes(inputs, outputs, pixels, "errors");
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = i * pixels; p < (i + 1) * pixels; p++) {
      const d = inputs[p] - outputs[p];
      s += d * d;
    }
    out[i] = s / pixels;
  }
  return out;
}

/**
 * Per-image IoU of the thresholded output against the thresholded input (both `> threshold`);
 * 1 when both are empty.
 */
export function perImageIou(
  inputs: Float32Array,
  outputs: Float32Array,
  pixels: number,
  threshold = IOU_THRESHOLD,
): Float64Array {
  const n = checkSizes(inputs, outputs, pixels, "IoU");
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let inter = 0, union = 0;
    for (let p = i * pixels; p < (i + 1) * pixels; p++) {
      const a = inputs[p] > threshold, b = outputs[p] > threshold;
      if (a && b) inter++;
      if (a || b) union++;
    }
    out[i] = union === 0 ? 1 : inter / union;
  }
  return out;
}

/** Mean of `values[i]` over the i whose radius satisfies `keep`; NaN when none does. */
export function meanWhere(
  values: ArrayLike<number>,
  radii: ArrayLike<number>,
  keep: (r: number) => boolean,
): number {
  if (values.length !== radii.length) {
    throw new RangeError(
      `Cannot average ${values.length} values over ${radii.length} radii: sizes differ`,
    );
  }
  let s = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    if (keep(radii[i])) {
      s += values[i];
      n++;
    }
  }
  return n === 0 ? NaN : s / n;
}

/** Hole error, error outside the hole, and their ratio (see the module documentation). */
export interface HoleErrors {
  /** Mean error over test radii in the hole. */
  hole: number;
  /** Mean error over test radii in the evaluation range outside the hole. */
  outside: number;
  /** hole / outside. */
  ratio: number;
}

/** Splits per-radius errors into the hole and the rest of the evaluation range. */
export function holeErrors(
  errors: ArrayLike<number>,
  radii: ArrayLike<number>,
  hole: Interval,
  range: Interval = EVAL_RANGE,
): HoleErrors {
  const h = meanWhere(errors, radii, (r) => inside(r, hole));
  const o = meanWhere(errors, radii, (r) => inside(r, range) && !inside(r, hole));
  return { hole: h, outside: o, ratio: h / o };
}

/** The points (r, z) with r in `range`, sorted by r. */
function curveOn(
  z: ArrayLike<number>,
  radii: ArrayLike<number>,
  range: Interval,
): { r: number[]; z: number[] } {
  if (z.length !== radii.length) {
    throw new RangeError(
      `Cannot read a latent curve from ${z.length} codes and ${radii.length} radii: sizes differ`,
    );
  }
  const idx = Array.from({ length: radii.length }, (_, i) => i)
    .filter((i) => inside(radii[i], range))
    .sort((a, b) => radii[a] - radii[b]);
  return { r: idx.map((i) => radii[i]), z: idx.map((i) => z[i]) };
}

/** Monotonicity of z(r) over an interval of radii. */
export interface Monotonicity {
  /** Every step has the overall direction's sign (and there are at least two points). */
  monotone: boolean;
  /** +1 increasing, −1 decreasing, 0 flat overall (z_last = z_first). */
  direction: number;
  /** Steps against the direction, or zero. */
  violations: number;
  /** Number of steps looked at. */
  steps: number;
}

/** Whether z(r) is strictly monotone over the test radii in `range`. */
export function monotonicity(
  z: ArrayLike<number>,
  radii: ArrayLike<number>,
  range: Interval,
): Monotonicity {
  const c = curveOn(z, radii, range);
  const steps = c.z.length - 1;
  if (steps < 1) return { monotone: false, direction: 0, violations: 0, steps: Math.max(0, steps) };
  const direction = Math.sign(c.z[steps] - c.z[0]);
  let violations = 0;
  for (let i = 0; i < steps; i++) {
    if (Math.sign(c.z[i + 1] - c.z[i]) !== direction || direction === 0) violations++;
  }
  return { monotone: direction !== 0 && violations === 0, direction, violations, steps };
}

/** The interval over which "z monotone across the hole" is judged: one pixel each side. */
export function acrossHole(hole: Interval): Interval {
  return [hole[0] - 1, hole[1] + 1];
}

/**
 * Roughness of z(r) over the test radii in `range` (see the module documentation):
 * Σ_i |s_i − s_{i−1}| · (r_max − r_min) / (z_max − z_min), s_i = (z_{i+1} − z_i)/(r_{i+1} − r_i).
 * Null when z is constant there (a collapsed code has no shape to judge).
 */
export function latentRoughness(
  z: ArrayLike<number>,
  radii: ArrayLike<number>,
  range: Interval = EVAL_RANGE,
): number | null {
  const c = curveOn(z, radii, range);
  const n = c.z.length;
  if (n < 3) {
    throw new RangeError(
      `Cannot measure roughness on ${n} points: need at least 3 radii in [${range}]`,
    );
  }
  let lo = Infinity, hi = -Infinity, tv = 0, prev = NaN;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, c.z[i]);
    hi = Math.max(hi, c.z[i]);
    if (i + 1 < n) {
      const dr = c.r[i + 1] - c.r[i];
      if (!(dr > 0)) {
        throw new RangeError(`Cannot measure roughness: radius ${c.r[i]} appears twice`);
      }
      const s = (c.z[i + 1] - c.z[i]) / dr;
      if (i > 0) tv += Math.abs(s - prev);
      prev = s;
    }
  }
  // A range at float32 noise level is a constant code.
  const scale = Math.max(Math.abs(lo), Math.abs(hi), 1e-30);
  if (hi - lo <= 1e-6 * scale) return null;
  return (tv * (c.r[n - 1] - c.r[0])) / (hi - lo);
}
