/**
 * The decoding energy of P Prop. 2 (Eq. 7),
 *
 *   J(f) = ∫₀ᴿ F(r)² dr,   F(r) = ∫₀ʳ f(ρ) ρ dρ,
 *
 * maximised under ‖f‖² = ∫₀ᴿ f(ρ)² ρ dρ = 1 (the 2-D L² norm of a radial function, up to 2π),
 * discretised exactly for piecewise-linear f and solved as a generalised eigenproblem.
 *
 * Discretisation. f is continuous and piecewise linear on the nodes ρᵢ = i·h, h = R/N,
 * i = 0..N: f = Σ fᵢ φᵢ with hat functions φᵢ. Then F = Σ fᵢ Φᵢ with Φᵢ(r) = ∫₀ʳ φᵢ ρ dρ, a
 * piecewise cubic, so J(f) = fᵀ A f with Aᵢⱼ = ∫₀ᴿ Φᵢ Φⱼ dr and the constraint is fᵀ W f with
 * Wᵢⱼ = ∫₀ᴿ φᵢ φⱼ ρ dρ. Both are computed exactly (closed forms, and 4-point Gauss–Legendre on
 * products of degree 6): no quadrature error, only the restriction to piecewise-linear f.
 * This is a Rayleigh–Ritz method, so the discrete maximum μ_N increases towards the
 * continuous one as the grid is refined. No boundary condition is imposed: f(R) = 0 and
 * f'(0) = 0 must come out by themselves (they are natural conditions, see below).
 *
 * Euler–Lagrange equation (our derivation, which the tests check numerically). With
 * G(ρ) = ∫_ρᴿ F(r) dr, exchanging the order of integration gives
 * δJ = 2 ∫₀ᴿ F(r) ∫₀ʳ δf(ρ) ρ dρ dr = 2 ∫₀ᴿ δf(ρ) ρ G(ρ) dρ, and the constraint's variation
 * is 2 ∫₀ᴿ δf f ρ dρ. Stationarity with multiplier μ: ρ G(ρ) = μ ρ f(ρ), i.e.
 *
 *   μ f(ρ) = ∫_ρᴿ F(r) dr.
 *
 * Hence f(R) = 0, μ f' = −F so f'(0) = 0, and μ f'' = −F' = −ρ f: f'' = −k ρ f with k = 1/μ,
 * the paper's equation (App. B, S17). The largest μ (smallest k) gives the solution that is
 * positive on [0, R): k = (x₀/R)³ with x₀ ≈ 1.98635 the first zero of the Airy-type profile,
 * so μ_max = (R/x₀)³. The ρ weight in the constraint is what makes the ρ's cancel; with the
 * unweighted constraint ∫ f² dρ = 1 the stationarity condition is instead μ f = ρ G (so
 * f(0) = 0, not the Airy profile); `constraint: "uniform"` computes that variant for
 * comparison.
 *
 * @module
 */

import { GAUSS4_NODES as GAUSS_X, GAUSS4_WEIGHTS as GAUSS_W } from "./gauss_legendre.ts";
import { generalizedSymmetricEigen } from "./generalized_eigen.ts";
import type { Matrix } from "./symmetric_eigen.ts";

/** Which norm the constraint uses: `radial` is ∫ f² ρ dρ (the paper's), `uniform` ∫ f² dρ. */
export type ConstraintKind = "radial" | "uniform";

/** The discretised energy: J(f) = fᵀ A f and ‖f‖² = fᵀ W f on the nodes. */
export interface RadialEnergy {
  /** Largest radius R. */
  R: number;
  /** Number of intervals N (N + 1 nodes). */
  N: number;
  /** Grid step R/N. */
  h: number;
  /** The nodes 0, h, ..., R. */
  nodes: Float64Array;
  /** The energy matrix A (symmetric positive semi-definite). */
  a: Matrix;
  /** The constraint matrix W (symmetric positive definite). */
  w: Matrix;
  /** Which constraint W represents. */
  constraint: ConstraintKind;
}

/**
 * The two hat functions active on interval m, integrated against ρ from ρ_m to ρ_m + s·h,
 * divided by h²: the falling hat of node m gives m s + (1 − m) s²/2 − s³/3, the rising hat of
 * node m + 1 gives m s²/2 + s³/3 (substitute ρ = h(m + σ) in ∫ (1 − σ) ρ dρ and ∫ σ ρ dρ).
 */
function partialFalling(m: number, s: number): number {
  return m * s + ((1 - m) * s * s) / 2 - (s * s * s) / 3;
}
function partialRising(m: number, s: number): number {
  return (m * s * s) / 2 + (s * s * s) / 3;
}

/**
 * Assembles A and W for J on [0, R] with N intervals.
 *
 * @throws {RangeError} when R ≤ 0 or N is not an integer ≥ 2.
 */
export function assembleRadialEnergy(
  R: number,
  N: number,
  constraint: ConstraintKind = "radial",
): RadialEnergy {
  if (!(R > 0)) throw new RangeError(`Cannot discretise J on [0, "${R}"]: need R > 0`);
  if (!Number.isInteger(N) || N < 2) {
    throw new RangeError(`Cannot discretise J with "${N}" intervals: need an integer ≥ 2`);
  }
  const h = R / N, h2 = h * h, n = N + 1;
  const nodes = Float64Array.from({ length: n }, (_, i) => i * h);
  const a: Matrix = Array.from({ length: n }, () => new Float64Array(n));
  const w: Matrix = Array.from({ length: n }, () => new Float64Array(n));
  // Cᵢ = ∫ φᵢ ρ dρ over the whole hat: h²/6 for i = 0, h²·i inside (hat symmetric about ρᵢ).
  const C = Float64Array.from({ length: n }, (_, i) => (i === 0 ? h2 / 6 : h2 * i));
  // (a) Intervals m after both hats have ended (m ≥ max(i, j) + 1): Φᵢ Φⱼ = Cᵢ Cⱼ there,
  // over N − 1 − max(i, j) intervals of length h.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const count = N - 1 - i;
      if (count > 0) a[i][j] = a[j][i] = h * C[i] * C[j] * count; // exactly symmetric
    }
  }
  for (let m = 0; m < N; m++) {
    // Values at the Gauss points of the two active Φ's on interval m.
    const before = m >= 1 ? h2 * ((m - 1) / 2 + 1 / 3) : 0; // rising part of node m, done
    const pm = GAUSS_X.map((s) => before + h2 * partialFalling(m, s));
    const pm1 = GAUSS_X.map((s) => h2 * partialRising(m, s));
    let im = 0, im1 = 0, mm = 0, mm1 = 0, m1m1 = 0;
    for (let g = 0; g < 4; g++) {
      const wg = GAUSS_W[g];
      im += wg * pm[g];
      im1 += wg * pm1[g];
      mm += wg * pm[g] * pm[g];
      mm1 += wg * pm[g] * pm1[g];
      m1m1 += wg * pm1[g] * pm1[g];
    }
    // (b) A finished hat i ≤ m − 1 (constant Cᵢ) against an active one.
    for (let i = 0; i <= m - 1; i++) {
      const cm = h * C[i] * im, cm1 = h * C[i] * im1;
      a[i][m] += cm;
      a[m][i] += cm;
      a[i][m + 1] += cm1;
      a[m + 1][i] += cm1;
    }
    // (c) Both active.
    a[m][m] += h * mm;
    a[m][m + 1] += h * mm1;
    a[m + 1][m] += h * mm1;
    a[m + 1][m + 1] += h * m1m1;
    // Constraint: element mass matrix on interval m.
    if (constraint === "radial") {
      // ∫ φ φ ρ dρ with ρ = h(m + σ): h²·[[m/3 + 1/12, m/6 + 1/12], [m/6 + 1/12, m/3 + 1/4]].
      w[m][m] += h2 * (m / 3 + 1 / 12);
      w[m][m + 1] += h2 * (m / 6 + 1 / 12);
      w[m + 1][m] += h2 * (m / 6 + 1 / 12);
      w[m + 1][m + 1] += h2 * (m / 3 + 1 / 4);
    } else {
      w[m][m] += h / 3;
      w[m][m + 1] += h / 6;
      w[m + 1][m] += h / 6;
      w[m + 1][m + 1] += h / 3;
    }
  }
  return { R, N, h, nodes, a, w, constraint };
}

/** fᵀ M f. */
export function quadraticForm(m: Matrix, f: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    let t = 0;
    const row = m[i];
    for (let j = 0; j < row.length; j++) t += row[j] * f[j];
    s += f[i] * t;
  }
  return s;
}

/** The maximiser of J under the constraint, on the grid. */
export interface EnergyMaximiser {
  /** Largest radius R. */
  R: number;
  /** Number of intervals. */
  N: number;
  /** The nodes 0..R. */
  nodes: Float64Array;
  /** Nodal values of the maximiser, fᵀ W f = 1, sign chosen so that ∫ f ρ dρ > 0. */
  f: Float64Array;
  /** The maximum μ = J(f) (the top generalised eigenvalue). */
  mu: number;
  /** The second eigenvalue (the gap μ₂/μ decides how well separated the maximiser is). */
  mu2: number;
  /** Which constraint was used. */
  constraint: ConstraintKind;
}

/**
 * Maximises J(f) under fᵀ W f = 1 on N intervals of [0, R]: the top eigenpair of A f = μ W f.
 */
export function maximiseRadialEnergy(
  R: number,
  N: number,
  constraint: ConstraintKind = "radial",
): EnergyMaximiser {
  const e = assembleRadialEnergy(R, N, constraint);
  const eig = generalizedSymmetricEigen(e.a, e.w);
  const n = eig.values.length;
  const f = eig.vectors[n - 1];
  // Fix the sign by the mean ∫ f ρ dρ = Σ fᵢ Cᵢ / h² · h² (any positive weights would do).
  let mean = 0;
  for (let i = 0; i < f.length; i++) mean += f[i] * Math.max(i, 1 / 6);
  if (mean < 0) { for (let i = 0; i < f.length; i++) f[i] = -f[i]; }
  return { R, N, nodes: e.nodes, f, mu: eig.values[n - 1], mu2: eig.values[n - 2], constraint };
}
