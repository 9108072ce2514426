/**
 * Ordinary least squares y ≈ a·x + b with its coefficient of determination, for the `latent`
 * check that z is an affine function of the area r² (R² ≥ 0.99) rather than of r.
 *
 * @module
 */

/** A fitted line and how well it explains y. */
export interface LinearFit {
  /** Slope a. */
  slope: number;
  /** Intercept b. */
  intercept: number;
  /** R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)². */
  r2: number;
  /** Root mean square of the residuals. */
  rmse: number;
}

/**
 * Fits y ≈ a·x + b by least squares (centred sums, so large offsets lose nothing).
 *
 * @throws {RangeError} when the sizes differ, fewer than two points are given, or x or y is
 * constant.
 */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>): LinearFit {
  const n = x.length;
  if (n !== y.length || n < 2) {
    throw new RangeError(
      `Cannot fit a line to samples of sizes ${n} and ${y.length}: need equal sizes ≥ 2`,
    );
  }
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError("Cannot fit a line against a constant x");
  if (syy === 0) throw new RangeError("Cannot measure a fit of a constant y");
  const slope = sxy / sxx, intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i] - (slope * x[i] + intercept)) ** 2;
  return { slope, intercept, r2: 1 - sse / syy, rmse: Math.sqrt(sse / n) };
}
