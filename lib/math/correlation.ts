/**
 * Two small statistics used to compare the code z with the optimal amplitude of P-Fig 11:
 * Pearson's correlation and the least-squares scale C of y ≈ C x.
 *
 * @module
 */

/** Pearson's r of two equally long samples, and whether either sample is constant (then r
 * is undefined). The one implementation behind {@link pearson} and {@link pearsonOrNaN}. */
function pearsonParts(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): { r: number; constant: boolean } {
  const n = x.length;
  if (n !== y.length || n < 2) {
    throw new RangeError(
      `Cannot correlate samples of sizes ${n} and ${y.length}: need equal sizes ≥ 2`,
    );
  }
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return { r: NaN, constant: true };
  return { r: sxy / Math.sqrt(sxx * syy), constant: false };
}

/**
 * Pearson correlation of two equally long samples.
 *
 * @throws {RangeError} when the lengths differ, fewer than two samples are given, or one
 * sample is constant.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { r, constant } = pearsonParts(x, y);
  if (constant) throw new RangeError("Cannot correlate a constant sample");
  return r;
}

/**
 * Pearson correlation, NaN when either sample is constant (for tables where a dead
 * component must show rather than stop the stage).
 *
 * @throws {RangeError} when the lengths differ or fewer than two samples are given.
 */
export function pearsonOrNaN(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearsonParts(x, y).r;
}

/**
 * The C minimising Σ (y − C x)² (a line through the origin, as z = C ⟨f, 1_{B_r}⟩ is):
 * C = Σ x y / Σ x².
 *
 * @throws {RangeError} when the lengths differ or x is all zeros.
 */
export function fitScale(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new RangeError(`Cannot fit a scale to samples of sizes ${x.length} and ${y.length}`);
  }
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += x[i] * y[i];
    sxx += x[i] * x[i];
  }
  if (sxx === 0) throw new RangeError("Cannot fit a scale against an all-zero sample");
  return sxy / sxx;
}

/** Ranks (1-based) with ties given their mean rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const out = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]] = mean;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation (Pearson's on the ranks, ties averaged); NaN when fewer than
 * two points or one sample is constant.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new RangeError(`Cannot correlate samples of sizes ${x.length} and ${y.length}`);
  }
  // The ranks' mean, (n + 1)/2, comes out exact from the sum: the values are the same as
  // with that mean written in.
  return x.length < 2 ? NaN : pearsonOrNaN(ranks(x), ranks(y));
}
