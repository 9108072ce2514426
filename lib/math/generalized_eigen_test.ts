import assert from "node:assert/strict";
import {
  backSolveTransposed,
  cholesky,
  forwardSolve,
  generalizedSymmetricEigen,
} from "./generalized_eigen.ts";
import { randomOrthogonal, seeded, withSpectrum } from "./_test_matrices.ts";
import type { Matrix } from "./symmetric_eigen.ts";

function multiply(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) row[j] += a[i][k] * b[k][j];
    return row;
  });
}
function transpose(a: Matrix): Matrix {
  return a.map((_, i) => Float64Array.from(a, (row) => row[i]));
}

Deno.test("cholesky() factors an SPD matrix and the triangular solves invert it", () => {
  const rand = seeded(5);
  const n = 12;
  const lower = Array.from(
    { length: n },
    (_, i) =>
      Float64Array.from({ length: n }, (_, j) => (j < i ? rand() - 0.5 : j === i ? 1 + rand() : 0)),
  );
  const w = multiply(lower, transpose(lower));
  const l = cholesky(w);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) assert.ok(Math.abs(l[i][j] - lower[i][j]) < 1e-12);
  }
  const b = Float64Array.from({ length: n }, () => rand());
  const x = backSolveTransposed(l, forwardSolve(l, b)); // W x = b
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += w[i][j] * x[j];
    assert.ok(Math.abs(s - b[i]) < 1e-12);
  }
  assert.throws(() => cholesky([Float64Array.of(1, 2), Float64Array.of(2, 1)]), RangeError);
});

Deno.test("generalizedSymmetricEigen() recovers planted pairs of A v = μ W v", () => {
  // A = L C Lᵀ with C = Q D Qᵀ and W = L Lᵀ: then A v = μ W v with μ ∈ D and v = L⁻ᵀ q.
  const rand = seeded(9);
  const n = 30;
  const lower = Array.from(
    { length: n },
    (_, i) =>
      Float64Array.from(
        { length: n },
        (_, j) => (j < i ? rand() - 0.5 : j === i ? 0.5 + rand() : 0),
      ),
  );
  const w = multiply(lower, transpose(lower));
  const d = Float64Array.from({ length: n }, () => 4 * rand() - 1);
  const a = multiply(multiply(lower, withSpectrum(randomOrthogonal(n, rand), d)), transpose(lower));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) a[i][j] = a[j][i] = 0.5 * (a[i][j] + a[j][i]);
  }
  const eig = generalizedSymmetricEigen(a, w);
  const sorted = Array.from(d).sort((x, y) => x - y);
  for (let p = 0; p < n; p++) {
    assert.ok(Math.abs(eig.values[p] - sorted[p]) < 1e-11, `μ_${p}`);
    const v = eig.vectors[p];
    let vwv = 0;
    for (let i = 0; i < n; i++) {
      let av = 0, wv = 0;
      for (let j = 0; j < n; j++) {
        av += a[i][j] * v[j];
        wv += w[i][j] * v[j];
      }
      assert.ok(Math.abs(av - eig.values[p] * wv) < 1e-10, `residual of pair ${p}`);
      vwv += v[i] * wv;
    }
    assert.ok(Math.abs(vwv - 1) < 1e-12, "W-normalised");
  }
});

Deno.test("generalizedSymmetricEigen() rejects mismatched sizes", () => {
  assert.throws(() => generalizedSymmetricEigen([Float64Array.of(1)], []), RangeError);
});
