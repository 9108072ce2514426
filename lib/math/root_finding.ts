/**
 * Scalar root finding on a bracket: Brent's method (inverse quadratic interpolation and
 * secant steps, with bisection as the safeguard), which converges superlinearly on smooth
 * functions and never leaves the bracket.
 *
 * @module
 */

/**
 * A root of `f` in [a, b], where f(a) and f(b) have opposite signs (or one is zero).
 *
 * @param f the function
 * @param a one end of the bracket
 * @param b the other end
 * @param tol absolute tolerance on the root (the bracket shrinks below about 2·tol)
 * @param maxIter iteration cap
 * @throws {RangeError} when f(a) and f(b) have the same sign, or the iteration cap is hit.
 */
export function brent(
  f: (x: number) => number,
  a: number,
  b: number,
  tol = 1e-14,
  maxIter = 200,
): number {
  let fa = f(a), fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Math.sign(fa) === Math.sign(fb)) {
    throw new RangeError(
      `Cannot find a root in "[${a}, ${b}]": f has the same sign at both ends (${fa}, ${fb}); ` +
        "widen or move the bracket",
    );
  }
  // Invariants: b is the best estimate, [b, c] brackets the root, a is the previous b.
  let c = a, fc = fa, d = b - a, e = d;
  for (let iter = 0; iter < maxIter; iter++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = e = b - a;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      // Interpolation: secant when only two distinct points, else inverse quadratic.
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc, r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept the interpolated step only if it stays well inside the bracket and shrinks.
      if (2 * p < Math.min(3 * m * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : (m > 0 ? tol1 : -tol1);
    fb = f(b);
  }
  throw new RangeError(`Cannot find a root in the bracket: no convergence in ${maxIter} steps`);
}

/**
 * The first sign change of `f` on a uniform scan of [a, b] with `steps` intervals, refined
 * with {@link brent}; `undefined` when the scan sees none. Zeros closer together than one scan
 * interval can be missed, so choose `steps` from what is known of `f`.
 */
export function firstRoot(
  f: (x: number) => number,
  a: number,
  b: number,
  steps: number,
  tol = 1e-14,
): number | undefined {
  let x0 = a, f0 = f(a);
  if (f0 === 0) return a;
  for (let i = 1; i <= steps; i++) {
    const x1 = a + ((b - a) * i) / steps, f1 = f(x1);
    if (f1 === 0) return x1;
    if (Math.sign(f1) !== Math.sign(f0)) return brent(f, x0, x1, tol);
    x0 = x1;
    f0 = f1;
  }
  return undefined;
}
