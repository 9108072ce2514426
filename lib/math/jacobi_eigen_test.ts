import assert from "node:assert/strict";
import { jacobiEigen } from "./jacobi_eigen.ts";
import { laplacian, randomOrthogonal, residuals, seeded, withSpectrum } from "./_test_matrices.ts";

Deno.test("jacobiEigen() recovers the spectrum of the 1-D Laplacian", () => {
  const n = 30;
  const eig = jacobiEigen(laplacian(n));
  for (let j = 1; j <= n; j++) {
    assert.ok(Math.abs(eig.values[j - 1] - (2 - 2 * Math.cos((j * Math.PI) / (n + 1)))) < 1e-13);
  }
  const { residual, orthogonality } = residuals(laplacian(n), eig.values, eig.vectors);
  assert.ok(residual < 1e-13 && orthogonality < 1e-13);
});

Deno.test("jacobiEigen() recovers a planted spectrum with a repeated eigenvalue", () => {
  const rand = seeded(3);
  const n = 25;
  const d = Float64Array.from({ length: n }, (_, i) => (i < 2 ? -1 : rand()));
  const a = withSpectrum(randomOrthogonal(n, rand), d);
  const eig = jacobiEigen(a);
  const sorted = Array.from(d).sort((x, y) => x - y);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(eig.values[i] - sorted[i]) < 1e-13);
  const { residual, orthogonality } = residuals(a, eig.values, eig.vectors);
  assert.ok(residual < 1e-13 && orthogonality < 1e-13);
});

Deno.test("jacobiEigen() rejects a non-symmetric matrix", () => {
  assert.throws(() => jacobiEigen([Float64Array.of(1, 1), Float64Array.of(0, 1)]), RangeError);
});
