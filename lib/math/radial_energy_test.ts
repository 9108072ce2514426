import assert from "node:assert/strict";
import { assembleRadialEnergy, maximiseRadialEnergy, quadraticForm } from "./radial_energy.ts";
import { airyK } from "./airy_profile.ts";
import { maximiserAiryDistance } from "./compare_profiles.ts";
import { seeded } from "./_test_matrices.ts";

/** F(r) = ∫₀ʳ f ρ dρ for the piecewise-linear f with nodal values `f` on step h (exact). */
function bigF(f: ArrayLike<number>, h: number, r: number): number {
  let s = 0;
  for (let m = 0; m + 1 < f.length; m++) {
    const a = m * h, b = Math.min((m + 1) * h, r);
    if (b <= a) break;
    const slope = (f[m + 1] - f[m]) / h, c0 = f[m] - slope * a;
    s += (c0 * (b * b - a * a)) / 2 + (slope * (b ** 3 - a ** 3)) / 3;
  }
  return s;
}

/** Composite Simpson's rule with n (even) panels. */
function simpson(g: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = g(a) + g(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * g(a + i * h);
  return (s * h) / 3;
}

Deno.test("assembleRadialEnergy() is exact on f = 1 and f = ρ", () => {
  const R = 7, N = 13;
  const e = assembleRadialEnergy(R, N);
  const one = new Float64Array(N + 1).fill(1);
  const rho = Float64Array.from(e.nodes);
  // f = 1: F = r²/2, J = R⁵/20, ‖f‖² = R²/2. f = ρ: F = r³/3, J = R⁷/63, ‖f‖² = R⁴/4.
  // Cross term: ∫ (r²/2)(r³/3) dr = R⁶/36.
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
  assert.ok(rel(quadraticForm(e.a, one), R ** 5 / 20) < 1e-13);
  assert.ok(rel(quadraticForm(e.a, rho), R ** 7 / 63) < 1e-13);
  assert.ok(rel(quadraticForm(e.w, one), R ** 2 / 2) < 1e-13);
  assert.ok(rel(quadraticForm(e.w, rho), R ** 4 / 4) < 1e-13);
  let cross = 0;
  for (let i = 0; i <= N; i++) {
    let t = 0;
    for (let j = 0; j <= N; j++) t += e.a[i][j] * rho[j];
    cross += one[i] * t;
  }
  assert.ok(rel(cross, R ** 6 / 36) < 1e-13);
  const u = assembleRadialEnergy(R, N, "uniform");
  assert.ok(rel(quadraticForm(u.w, one), R) < 1e-13);
  assert.ok(rel(quadraticForm(u.w, rho), R ** 3 / 3) < 1e-13);
});

Deno.test("assembleRadialEnergy() matches brute-force quadrature of J for random f", () => {
  const rand = seeded(21);
  const R = 5, N = 8;
  const e = assembleRadialEnergy(R, N);
  for (let rep = 0; rep < 3; rep++) {
    const f = Float64Array.from({ length: N + 1 }, () => rand() - 0.5);
    const brute = simpson((r) => bigF(f, e.h, r) ** 2, 0, R, 4000);
    const got = quadraticForm(e.a, f);
    assert.ok(Math.abs(got - brute) <= 1e-10 * Math.abs(brute), `${got} vs ${brute}`);
    const norm = simpson(
      (r) => {
        const m = Math.min(N - 1, Math.floor(r / e.h)), s = r / e.h - m;
        return (f[m] * (1 - s) + f[m + 1] * s) ** 2 * r;
      },
      0,
      R,
      4000,
    );
    assert.ok(Math.abs(quadraticForm(e.w, f) - norm) <= 1e-10 * norm);
  }
});

Deno.test("assembleRadialEnergy() gives symmetric A and rejects bad grids", () => {
  const e = assembleRadialEnergy(3, 10);
  for (let i = 0; i <= 10; i++) for (let j = 0; j < i; j++) assert.equal(e.a[i][j], e.a[j][i]);
  assert.throws(() => assembleRadialEnergy(0, 10), RangeError);
  assert.throws(() => assembleRadialEnergy(3, 1), RangeError);
  assert.throws(() => assembleRadialEnergy(3, 2.5), RangeError);
});

Deno.test("maximiseRadialEnergy() satisfies the Euler–Lagrange equation μ f = ∫_ρᴿ F", () => {
  // Our derivation (radial_energy.ts): μ f(ρ) = ∫_ρᴿ F(r) dr with F(r) = ∫₀ʳ f σ dσ.
  const R = 10, N = 100;
  const max = maximiseRadialEnergy(R, N);
  const h = R / N;
  let worst = 0, scale = 0;
  for (let i = 0; i <= N; i += 5) {
    const g = simpson((r) => bigF(max.f, h, r), i * h, R, 400);
    worst = Math.max(worst, Math.abs(max.mu * max.f[i] - g));
    scale = Math.max(scale, Math.abs(g));
  }
  assert.ok(worst / scale < 1e-3, `relative residual ${worst / scale}`);
  // Natural boundary conditions come out by themselves: f(R) ≈ 0 and f'(0) ≈ 0.
  assert.ok(Math.abs(max.f[N] / max.f[0]) < 1e-5);
  assert.ok(Math.abs((max.f[1] - max.f[0]) / max.f[0]) < 1e-5);
  // The maximiser is positive on [0, R) and W-normalised.
  for (let i = 0; i < N; i++) assert.ok(max.f[i] > 0);
});

Deno.test("maximiseRadialEnergy() converges to the Airy solution as h²", () => {
  const R = 32;
  const d = [25, 50, 100].map((N) => maximiserAiryDistance(R, N));
  for (const r of d) {
    // Rayleigh–Ritz: the discrete maximum is below the continuous one 1/k = (R/x₀)³.
    assert.ok(r.mu <= r.muAiry && r.mu > 0.9999 * r.muAiry, `μ = ${r.mu} vs ${r.muAiry}`);
  }
  assert.ok(Math.abs(d[2].mu * airyK(R) - 1) < 1e-9);
  // Halving h divides the L² distance by about 4 (second order).
  for (let i = 0; i + 1 < d.length; i++) {
    const ratio = d[i].relL2Radial / d[i + 1].relL2Radial;
    assert.ok(ratio > 3.8 && ratio < 4.2, `ratio ${ratio}`);
  }
  assert.ok(d[2].relL2Radial < 2e-5 && d[2].relL2Radial <= 0.02);
});

Deno.test("maximiseRadialEnergy() is scale-invariant in R", () => {
  // The problem on [0, R] is the one on [0, 1] rescaled, so the distances do not depend on R.
  const a = maximiserAiryDistance(18, 40), b = maximiserAiryDistance(32, 40);
  assert.ok(Math.abs(a.relL2Radial - b.relL2Radial) < 1e-9);
});

Deno.test("maximiseRadialEnergy() with the unweighted constraint is not the Airy profile", () => {
  // With ∫ f² dρ = 1 the stationarity condition is μ f = ρ ∫_ρᴿ F, so f(0) = 0.
  const r = maximiseRadialEnergy(10, 60, "uniform");
  const peak = Math.max(...r.f);
  assert.ok(Math.abs(r.f[0]) < 1e-6 * peak);
  assert.ok(maximiserAiryDistance(10, 60, "uniform").relL2Radial > 0.3);
});
