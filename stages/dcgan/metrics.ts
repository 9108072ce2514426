/**
 * The numbers behind the `dcgan` item: projection error inside the hole against outside it,
 * and the radius a generated image shows.
 *
 * @module
 */

/** Mean errors inside and outside the hole, and their ratio. */
export interface HoleRatio {
  /** Mean error over test radii r with holeMin ≤ r ≤ holeMax. */
  inside: number;
  /** Mean error over every other test radius. */
  outside: number;
  /** inside / outside (NaN when either set is empty). */
  ratio: number;
  /** Test disks inside the hole. */
  insideCount: number;
  /** Test disks outside it. */
  outsideCount: number;
}

/** Whether a radius lies in the hole [holeMin, holeMax] (ends included, as the data stage's). */
export function inHole(r: number, holeMin: number, holeMax: number): boolean {
  return r >= holeMin && r <= holeMax;
}

/** Mean error inside the hole over mean error outside it. */
export function holeErrorRatio(
  radii: ArrayLike<number>,
  errors: ArrayLike<number>,
  holeMin: number,
  holeMax: number,
): HoleRatio {
  if (radii.length !== errors.length) {
    throw new Error(
      `Cannot compare errors: ${radii.length} radii but ${errors.length} errors; pass one error per radius`,
    );
  }
  let si = 0, ni = 0, so = 0, no = 0;
  for (let i = 0; i < radii.length; i++) {
    if (inHole(radii[i], holeMin, holeMax)) [si, ni] = [si + errors[i], ni + 1];
    else [so, no] = [so + errors[i], no + 1];
  }
  const inside = ni > 0 ? si / ni : NaN, outside = no > 0 ? so / no : NaN;
  return { inside, outside, ratio: inside / outside, insideCount: ni, outsideCount: no };
}

/** Mean error inside the hole against the observed radii next to it. */
export interface NearHoleRatio {
  /** Mean error over test radii in the hole. */
  inside: number;
  /** Mean error over test radii within `width` of the hole, outside it. */
  near: number;
  /** inside / near. */
  ratio: number;
  /** Test disks in the neighbourhood. */
  nearCount: number;
}

/**
 * The hole's error against that of its neighbourhood [holeMin − width, holeMin) ∪
 * (holeMax, holeMax + width]: observed radii the generator has to reach on either side of
 * the hole, unlike the extremes of the range (very small or very large disks).
 */
export function nearHoleRatio(
  radii: ArrayLike<number>,
  errors: ArrayLike<number>,
  holeMin: number,
  holeMax: number,
  width: number,
): NearHoleRatio {
  const inside = holeErrorRatio(radii, errors, holeMin, holeMax).inside;
  let s = 0, n = 0;
  for (let i = 0; i < radii.length; i++) {
    const r = radii[i];
    if ((r >= holeMin - width && r < holeMin) || (r > holeMax && r <= holeMax + width)) {
      s += errors[i];
      n++;
    }
  }
  const near = n > 0 ? s / n : NaN;
  return { inside, near, ratio: inside / near, nearCount: n };
}

/**
 * Radius of the disk with the same total grey level: √(Σ x / π). A blurred centred disk keeps
 * its mass πr² (the blur kernel sums to 1), up to what the image border cuts off when r is
 * near 32.
 */
export function equivalentRadius(
  image: ArrayLike<number>,
  offset = 0,
  size = image.length - offset,
): number {
  let s = 0;
  for (let p = 0; p < size; p++) s += image[offset + p];
  return Math.sqrt(Math.max(0, s) / Math.PI);
}

/** Index of the entry of `values` nearest to `target` (the first one on ties). */
export function nearestIndex(values: ArrayLike<number>, target: number): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(values[i] - target) < Math.abs(values[best] - target)) best = i;
  }
  return best;
}

/** Share of `values` in [lo, hi]. */
export function shareInRange(values: ArrayLike<number>, lo: number, hi: number): number {
  if (values.length === 0) return NaN;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= lo && values[i] <= hi) n++;
  return n / values.length;
}

/** Element-wise mean of equally long arrays. */
export function meanOf(arrays: readonly ArrayLike<number>[]): Float64Array {
  if (arrays.length === 0) return new Float64Array(0);
  const n = arrays[0].length;
  const out = new Float64Array(n);
  for (const a of arrays) {
    if (a.length !== n) {
      throw new Error(`Cannot average arrays of lengths ${n} and ${a.length}; pass equal lengths`);
    }
    for (let i = 0; i < n; i++) out[i] += a[i] / arrays.length;
  }
  return out;
}
