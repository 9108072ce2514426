import { strict as assert } from "node:assert";
import { rankOneShare } from "./rank_one.ts";

Deno.test("rankOneShare() is 1 for an outer product h(r)·f(t)", () => {
  const f = [0.1, 0.5, 1, 0.5, 0.1];
  const rows = [0.2, 1, 3, -0.5].map((h) => f.map((v) => h * v));
  const r = rankOneShare(rows);
  assert.ok(Math.abs(r.share - 1) < 1e-12);
  const norm = Math.hypot(...f);
  r.direction.forEach((v, j) => assert.ok(Math.abs(v - f[j] / norm) < 1e-9));
});

Deno.test("rankOneShare() is σ₁²/Σσᵢ² for known singular values", () => {
  // Rows 3e₁ and 4e₂: singular values 4 and 3, share 16/25.
  const r = rankOneShare([[3, 0, 0], [0, 4, 0]]);
  assert.ok(Math.abs(r.share - 16 / 25) < 1e-12);
  assert.ok(Math.abs(r.singularValues[0] - 4) < 1e-12 && Math.abs(r.singularValues[1] - 3) < 1e-12);
});

Deno.test("rankOneShare() rejects empty, ragged and zero matrices", () => {
  assert.throws(() => rankOneShare([]), /empty/);
  assert.throws(() => rankOneShare([[1, 2], [1]]), /differ/);
  assert.throws(() => rankOneShare([[0, 0]]), /zero matrix/);
});

Deno.test("rankOneShare() handles a tiny-scaled, nearly rank-1 matrix", () => {
  // Profiles of an untrained decoder are ~1e-6 in size: the Gram entries are ~1e-12.
  const f = Array.from({ length: 64 }, (_, j) => 1e-6 * Math.cos((j - 31.5) / 20));
  const g = Array.from({ length: 64 }, (_, j) => 1e-9 * Math.sin(j));
  const rows = Array.from({ length: 20 }, (_, k) => f.map((v, j) => (k + 1) * v + (k % 3) * g[j]));
  const r = rankOneShare(rows);
  assert.ok(r.share > 0.999 && r.share <= 1);
});
