/**
 * Piecewise-linear interpolation on sorted abscissae, with constant extrapolation outside
 * them, and the folding of a profile sampled on both sides of a centre into a radial one.
 *
 * @module
 */

/** A profile: samples f at abscissae t (radial distances, or signed positions to fold). */
export interface Profile {
  /** Abscissae. */
  t: ArrayLike<number>;
  /** Values at the abscissae. */
  f: ArrayLike<number>;
}

/**
 * Value at x of the piecewise-linear interpolant through (xs, ys), xs strictly increasing;
 * constant beyond the ends.
 */
export function interpLinear(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  // Binary search for the interval [xs[lo], xs[lo + 1]] containing x.
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const s = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] * (1 - s) + ys[hi] * s;
}

/**
 * Folds a profile onto radial distance: t → |t|, sorted, samples at the same distance (within
 * 1e-9) averaged. A profile taken along a line through the centre thus becomes one radial
 * profile, both halves averaged.
 *
 * @throws {RangeError} when lengths differ, values are not finite, or fewer than two distinct
 * distances remain.
 */
export function foldProfile(p: Profile): { t: number[]; f: number[] } {
  if (p.t.length !== p.f.length) {
    throw new RangeError(
      `Cannot fold a profile with ${p.t.length} positions and ${p.f.length} values: lengths differ`,
    );
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < p.t.length; i++) {
    if (!Number.isFinite(p.t[i]) || !Number.isFinite(p.f[i])) {
      throw new RangeError(`Cannot fold a profile: sample ${i} is not finite; drop it first`);
    }
    pairs.push([Math.abs(p.t[i]), p.f[i]]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const t: number[] = [], f: number[] = [], count: number[] = [];
  for (const [ti, fi] of pairs) {
    const last = t.length - 1;
    if (last >= 0 && ti - t[last] <= 1e-9) {
      f[last] += fi;
      count[last]++;
    } else {
      t.push(ti);
      f.push(fi);
      count.push(1);
    }
  }
  for (let i = 0; i < f.length; i++) f[i] /= count[i];
  if (t.length < 2) {
    throw new RangeError("Cannot use a profile with fewer than two distinct radial distances");
  }
  return { t, f };
}
