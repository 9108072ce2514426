import assert from "node:assert/strict";
import { symmetricEigen } from "./symmetric_eigen.ts";
import { jacobiEigen } from "./jacobi_eigen.ts";
import { laplacian, randomOrthogonal, residuals, seeded, withSpectrum } from "./_test_matrices.ts";

Deno.test("symmetricEigen() recovers the spectrum of the 1-D Laplacian", () => {
  const n = 60;
  const eig = symmetricEigen(laplacian(n));
  for (let j = 1; j <= n; j++) {
    const want = 2 - 2 * Math.cos((j * Math.PI) / (n + 1));
    assert.ok(Math.abs(eig.values[j - 1] - want) < 1e-13, `λ_${j}`);
    // Eigenvector j is sin(i j π/(n+1)) up to sign and scale.
    const v = eig.vectors[j - 1];
    const scale = Math.sqrt(2 / (n + 1));
    let dot = 0;
    for (let i = 0; i < n; i++) dot += v[i] * scale * Math.sin(((i + 1) * j * Math.PI) / (n + 1));
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-12, `v_${j}: |cos| = ${Math.abs(dot)}`);
  }
});

Deno.test("symmetricEigen() recovers a planted spectrum, repeated values included", () => {
  const rand = seeded(7);
  const n = 80;
  const q = randomOrthogonal(n, rand);
  // Spread values, a triple eigenvalue and a zero one.
  const d = Float64Array.from({ length: n }, (_, i) => (i < 3 ? 5 : i === 3 ? 0 : 10 * rand() - 5));
  d[n - 1] = 7; // a simple top eigenvalue, whose vector is determined up to sign
  const a = withSpectrum(q, d);
  const eig = symmetricEigen(a);
  const sorted = Array.from(d).sort((x, y) => x - y);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(eig.values[i] - sorted[i]) < 1e-12);
  const { residual, orthogonality } = residuals(a, eig.values, eig.vectors);
  assert.ok(residual < 1e-12, `residual ${residual}`);
  assert.ok(orthogonality < 1e-12, `orthogonality ${orthogonality}`);
  // A simple eigenvalue's vector is the planted column, up to sign.
  const top = d.indexOf(Math.max(...d));
  let dot = 0;
  for (let i = 0; i < n; i++) dot += eig.vectors[n - 1][i] * q[i][top];
  assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-12);
});

Deno.test("symmetricEigen() agrees with jacobiEigen() on a random matrix", () => {
  const rand = seeded(11);
  const n = 40;
  const a = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i][j] = a[j][i] = rand() - 0.5;
  const x = symmetricEigen(a), y = jacobiEigen(a);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(x.values[i] - y.values[i]) < 1e-13);
    let dot = 0;
    for (let k = 0; k < n; k++) dot += x.vectors[i][k] * y.vectors[i][k];
    assert.ok(Math.abs(dot - 1) < 1e-10, `vector ${i}: dot ${dot}`); // same sign convention
  }
});

Deno.test("symmetricEigen() handles 1×1, 2×2 and diagonal matrices", () => {
  assert.deepEqual(Array.from(symmetricEigen([Float64Array.of(3)]).values), [3]);
  const two = symmetricEigen([Float64Array.of(2, 1), Float64Array.of(1, 2)]);
  assert.ok(Math.abs(two.values[0] - 1) < 1e-15 && Math.abs(two.values[1] - 3) < 1e-15);
  const diag = symmetricEigen([
    Float64Array.of(4, 0, 0),
    Float64Array.of(0, -1, 0),
    Float64Array.of(0, 0, 2),
  ]);
  assert.deepEqual(Array.from(diag.values), [-1, 2, 4]);
  assert.deepEqual(Array.from(diag.vectors[2]), [1, 0, 0]);
});

Deno.test("symmetricEigen() rejects non-symmetric and non-square input", () => {
  assert.throws(() => symmetricEigen([Float64Array.of(1, 2), Float64Array.of(0, 1)]), RangeError);
  assert.throws(() => symmetricEigen([Float64Array.of(1, 2)]), RangeError);
});

Deno.test("symmetricEigen() converges with subnormal couplings beside zero diagonals", () => {
  for (const t of [1e-310, 5e-324]) {
    const n = 6;
    // Tiny couplings only, and tiny couplings in a zero block beside a unit block.
    const a = Array.from(
      { length: n },
      (_, i) => Array.from({ length: n }, (_, j) => (Math.abs(i - j) === 1 ? t : 0)),
    );
    const b = Array.from(
      { length: n },
      (_, i) =>
        Array.from(
          { length: n },
          (_, j) => i === j ? (i < 3 ? 1 : 0) : Math.abs(i - j) === 1 && i >= 3 && j >= 3 ? t : 0,
        ),
    );
    for (const [name, m] of [["a", a], ["b", b]] as const) {
      const r = symmetricEigen(m.map((row) => Float64Array.from(row)));
      const values = Array.from(r.values).sort((p, q) => p - q);
      const expected = name === "a" ? [0, 0, 0, 0, 0, 0] : [0, 0, 0, 1, 1, 1];
      values.forEach((v, i) =>
        assert.ok(Math.abs(v - expected[i]) < 1e-300, `${name} ${t}: ${values}`)
      );
    }
  }
});
