import assert from "node:assert/strict";
import {
  airyK,
  airyProfile,
  airyProfileOfX,
  airyProfileSlopeOfX,
  airyProfileZero,
  solveAiryOde,
} from "./airy_profile.ts";

Deno.test("airyProfileZero() matches the mpmath value 1.9863527074304728135", () => {
  assert.ok(Math.abs(airyProfileZero() - 1.9863527074304728135) < 1e-14);
});

Deno.test("airyProfileOfX() is 1 with zero slope at 0 and solves y'' = −x y", () => {
  assert.ok(Math.abs(airyProfileOfX(0) - 1) < 1e-15);
  assert.ok(Math.abs(airyProfileSlopeOfX(0)) < 1e-15);
  // Its power series (y = Σ c_n x^{3n}, c_n = −c_{n−1} / (3n(3n−1))) is an independent check.
  for (const x of [0.3, 1, 1.5, 1.9, 2.5, 3.5]) {
    let term = 1, sum = 1;
    for (let n = 1; n < 60; n++) {
      term *= -(x ** 3) / (3 * n * (3 * n - 1));
      sum += term;
    }
    assert.ok(Math.abs(airyProfileOfX(x) - sum) < 1e-13, `x = ${x}`);
    // Second derivative by central differences against −x y.
    const d = 1e-3;
    const ypp = (airyProfileOfX(x + d) - 2 * airyProfileOfX(x) + airyProfileOfX(x - d)) / (d * d);
    assert.ok(Math.abs(ypp + x * airyProfileOfX(x)) < 1e-6, `x = ${x}: y'' = ${ypp}`);
  }
});

Deno.test("airyProfile() has its first zero at R and is positive before", () => {
  for (const R of [18, 32]) {
    assert.ok(Math.abs(airyProfile(R, R)) < 1e-14);
    for (let t = 0; t < R; t += R / 200) assert.ok(airyProfile(t, R) > 0);
    assert.ok(airyProfile(1.01 * R, R) < 0);
  }
});

Deno.test("solveAiryOde() finds the closed-form k and matches the closed form", () => {
  for (const R of [18, 32]) {
    const sol = solveAiryOde(R, 2000);
    assert.ok(Math.abs(sol.k / airyK(R) - 1) < 1e-11, `R = ${R}: k = ${sol.k}`);
    let worst = 0;
    for (let i = 0; i < sol.t.length; i++) {
      worst = Math.max(worst, Math.abs(sol.y[i] - airyProfile(sol.t[i], R)));
    }
    assert.ok(worst < 1e-11, `R = ${R}: max |RK4 − closed form| = ${worst}`);
    assert.equal(sol.y[0], 1);
    assert.equal(sol.yp[0], 0);
  }
});

Deno.test("airyK() scales as R⁻³ and rejects R ≤ 0", () => {
  assert.ok(Math.abs(airyK(16) / airyK(32) - 8) < 1e-12);
  assert.throws(() => airyK(0), RangeError);
  assert.throws(() => solveAiryOde(-1), RangeError);
});
