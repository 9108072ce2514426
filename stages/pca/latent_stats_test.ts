import assert from "node:assert/strict";
import {
  attributeCorrelations,
  column,
  componentMoments,
  correlation,
  correlationMatrix,
  foldedAttributeCorrelations,
  maxOffDiagonal,
  navigationCodes,
  rankAttributeCorrelations,
} from "./latent_stats.ts";

const close = (a: number, b: number, tol = 1e-12) => assert(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("correlation() is ±1 on lines, 0 on orthogonal centred samples, NaN on constants", () => {
  close(correlation([1, 2, 3, 4], [3, 5, 7, 9]), 1);
  close(correlation([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  close(correlation([1, -1, 1, -1], [1, 1, -1, -1]), 0);
  assert(Number.isNaN(correlation([1, 2, 3], [5, 5, 5])));
});

Deno.test("correlationMatrix() and maxOffDiagonal() on codes with known structure", () => {
  // Rows (examples) of d = 3: z2 = −2·z1, z3 orthogonal to both.
  const z1 = [1, -1, 1, -1], z3 = [1, 1, -1, -1];
  const codes = z1.flatMap((v, i) => [v, -2 * v, z3[i]]);
  const m = correlationMatrix(codes, 3);
  close(m[0][1], -1);
  close(m[0][2], 0);
  close(m[2][2], 1);
  close(maxOffDiagonal(m), 1);
  assert.deepEqual(maxOffDiagonal([[1]]), 0);
  assert(Number.isNaN(maxOffDiagonal(correlationMatrix([1, 0, 2, 0, 3, 0], 2))));
});

Deno.test("attributeCorrelations() gives |Pearson| per component and attribute", () => {
  const codes = [1, 4, 2, 3, 3, 2, 4, 1]; // z1 = 1..4, z2 = 4..1
  const a = attributeCorrelations(codes, 2, [[10, 20, 30, 40], [1, -1, -1, 1]]);
  close(a[0][0], 1);
  close(a[1][0], 1);
  close(a[0][1], 0);
});

Deno.test("foldedAttributeCorrelations() finds an attribute carried by |z|, not by z", () => {
  // z = ±area: the sign alternates, so z and area are uncorrelated, |z| and area are not.
  const area = [1, 1, 2, 2, 3, 3, 4, 4];
  const codes = area.map((v, i) => (i % 2 === 0 ? v : -v));
  close(attributeCorrelations(codes, 1, [area])[0][0], 0);
  close(foldedAttributeCorrelations(codes, 1, [area])[0][0], 1);
});

Deno.test("componentMoments() and column() read n × d codes", () => {
  const codes = [1, 10, 3, 30];
  assert.deepEqual(Array.from(column(codes, 2, 1)), [10, 30]);
  const m = componentMoments(codes, 2);
  assert.deepEqual(m.mean, [2, 20]);
  assert.deepEqual(m.std, [1, 10]);
});

Deno.test("navigationCodes() moves one axis from −2σ to +2σ, the others at 0", () => {
  const z = navigationCodes([1, 0.5], 5);
  assert.deepEqual(z.length, 2 * 5 * 2);
  // Axis 0: (−2, 0), (−1, 0), (0, 0), (1, 0), (2, 0); axis 1: (0, −1) … (0, 1).
  assert.deepEqual(Array.from(z.subarray(0, 10)), [-2, 0, -1, 0, 0, 0, 1, 0, 2, 0]);
  assert.deepEqual(Array.from(z.subarray(10)), [0, -1, 0, -0.5, 0, 0, 0, 0.5, 0, 1]);
});

Deno.test("rankAttributeCorrelations() is 1 for a curved monotone code, where Pearson is not", () => {
  const area = [1, 2, 4, 8, 16, 32, 64, 128];
  const codes = area.map((v) => Math.log(v));
  close(rankAttributeCorrelations(codes, 1, [area])[0][0], 1);
  assert.ok(attributeCorrelations(codes, 1, [area])[0][0] < 0.9);
});
