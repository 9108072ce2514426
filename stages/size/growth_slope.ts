/**
 * How fast the radius of the reconstruction still grows with the radius of the input beyond
 * the training range, for P-Fig 5 ("not able to extrapolate further than the largest observed
 * radius"): the least-squares slope of r̂ against r. 1 means the output follows the input
 * (extrapolation), 0 that it has stopped growing, a negative value that it shrinks back.
 *
 * @module
 */

/** Least-squares slope of y against x; 0 when y is constant (nothing grows). */
export function growthSlope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length || n < 2) {
    throw new RangeError(
      `Cannot fit a slope to ${n} abscissae and ${y.length} ordinates: need equal sizes ≥ 2`,
    );
  }
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0)) throw new RangeError("Cannot fit a slope against a constant abscissa");
  return sxy / sxx;
}
