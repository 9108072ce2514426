/**
 * The Airy-type profile of P App. B and S17–S18: the solution of
 *
 *   y''(t) = −k t y(t),  y(0) = 1,  y'(0) = 0,
 *
 * with k > 0 chosen so that the first zero of y is at t = R.
 *
 * Closed form. With x = k^{1/3} t and s = −x the equation becomes Airy's y_ss = s y, so
 * y = α Ai(−x) + β Bi(−x). y'(0) = 0 gives α Ai'(0) + β Bi'(0) = 0, and since
 * Bi'(0) = −√3 Ai'(0), β = α/√3; with Bi(0) = √3 Ai(0) the value y(0) = 1 gives
 *
 *   y(t) = (√3 Ai(−x) + Bi(−x)) / (2 Bi(0)),   x = k^{1/3} t.
 *
 * This y is a function of x alone, so if x₀ ≈ 1.98635 is its first positive zero then
 * k = (x₀ / R)³. The same k is also found independently, by RK4 integration of the ODE and
 * root finding on k ({@link solveAiryOde}); the tests check that the two agree.
 *
 * @module
 */

import { airy } from "./airy_functions.ts";
import { brent } from "./root_finding.ts";
import { rk4 } from "./rk4.ts";

const SQRT3 = Math.sqrt(3);
const TWO_BI0 = 2 * airy(0).bi;

/** y as a function of x = k^{1/3} t: (√3 Ai(−x) + Bi(−x)) / (2 Bi(0)). */
export function airyProfileOfX(x: number): number {
  const v = airy(-x);
  return (SQRT3 * v.ai + v.bi) / TWO_BI0;
}

/** dy/dx of {@link airyProfileOfX}: −(√3 Ai'(−x) + Bi'(−x)) / (2 Bi(0)). */
export function airyProfileSlopeOfX(x: number): number {
  const v = airy(-x);
  return -(SQRT3 * v.aip + v.bip) / TWO_BI0;
}

let zeroCache: number | undefined;

/**
 * x₀, the first positive zero of {@link airyProfileOfX} (≈ 1.9863527074304728; mpmath gives
 * 1.9863527074304728135).
 */
export function airyProfileZero(): number {
  // y(x) = 1 − x³/6 + ... is positive on [0, 1.5] and negative at 2.5 (before the
  // second zero ≈ 3.825), so the bracket holds exactly the first zero.
  zeroCache ??= brent(airyProfileOfX, 1.5, 2.5, 1e-16);
  return zeroCache;
}

/** k such that the first zero of the profile is at R: k = (x₀ / R)³. */
export function airyK(R: number): number {
  if (!(R > 0)) throw new RangeError(`Cannot place the first zero at R = "${R}": need R > 0`);
  return Math.pow(airyProfileZero() / R, 3);
}

/** The closed-form profile y(t) with y(0) = 1 and its first zero at R, for any t ≥ 0. */
export function airyProfile(t: number, R: number): number {
  return airyProfileOfX(Math.cbrt(airyK(R)) * t);
}

/** An ODE solution of the profile equation, with the k that puts its first zero at R. */
export interface AiryOdeSolution {
  /** The constant k found by root finding on y_k(R) = 0. */
  k: number;
  /** Grid times 0 .. R. */
  t: Float64Array;
  /** y at the grid times. */
  y: Float64Array;
  /** y' at the grid times. */
  yp: Float64Array;
}

/** y_k(R) by RK4 with `steps` steps, for y'' = −k t y, y(0) = 1, y'(0) = 0. */
function endValue(k: number, R: number, steps: number): number {
  const tr = rk4(
    (t, y, out) => {
      out[0] = y[1];
      out[1] = -k * t * y[0];
    },
    0,
    [1, 0],
    R,
    steps,
  );
  return tr.y[steps][0];
}

/**
 * Solves y'' = −k t y, y(0) = 1, y'(0) = 0 by RK4 on [0, R] with `steps` steps, with k found
 * by Brent's method so that y(R) = 0 and R is the *first* zero.
 *
 * Why the bracket is safe: y_k(R) depends on k only through x = k^{1/3} R, positive for
 * x < x₀ and negative for x₀ < x < x₁ ≈ 3.825. Starting from k = 1/R³ (x = 1) and doubling k
 * multiplies x by 2^{1/3} ≈ 1.26 per step, too little to jump over (x₀, x₁), whose ends differ
 * by a factor 1.93; so the first negative value found brackets the first zero.
 */
export function solveAiryOde(R: number, steps = 4000): AiryOdeSolution {
  if (!(R > 0)) throw new RangeError(`Cannot solve the profile ODE for R = "${R}": need R > 0`);
  let lo = 1 / (R * R * R), hi = 2 * lo;
  while (endValue(hi, R, steps) > 0) {
    lo = hi;
    hi *= 2;
  }
  const k = brent((kk) => endValue(kk, R, steps), lo, hi, 1e-15 * hi);
  const tr = rk4(
    (t, y, out) => {
      out[0] = y[1];
      out[1] = -k * t * y[0];
    },
    0,
    [1, 0],
    R,
    steps,
  );
  return {
    k,
    t: tr.t,
    y: Float64Array.from(tr.y, (s) => s[0]),
    yp: Float64Array.from(tr.y, (s) => s[1]),
  };
}
