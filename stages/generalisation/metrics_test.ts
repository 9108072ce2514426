import assert from "node:assert/strict";
import {
  acrossHole,
  holeErrors,
  latentRoughness,
  meanWhere,
  monotonicity,
  perImageError,
  perImageIou,
} from "./metrics.ts";

const grid = (n: number, lo: number, hi: number) =>
  Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

Deno.test("perImageError() gives the per-pixel mean squared error of each image", () => {
  const x = Float32Array.from([0, 0, 1, 1, 1, 1, 0, 0]);
  const y = Float32Array.from([0, 0, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(perImageError(x, y, 4)), [0.25, 0.5]);
  assert.throws(() => perImageError(x, y.subarray(1), 4), /Cannot compute errors/);
});

Deno.test("perImageIou() thresholds at 0.5 and counts an empty pair as 1", () => {
  const x = Float32Array.from([0.9, 0.9, 0.1, 0.1, 0, 0, 0, 0]);
  const y = Float32Array.from([0.9, 0.2, 0.6, 0.1, 0, 0, 0, 0.4]);
  // image 1: input {0, 1}, output {0, 2}: intersection 1, union 3.
  assert.deepEqual(Array.from(perImageIou(x, y, 4)), [1 / 3, 1]);
});

Deno.test("holeErrors() averages inside the hole and in [2, 30] outside it", () => {
  const radii = [1, 5, 11, 14, 18, 20, 31];
  const errors = [100, 1, 4, 4, 4, 3, 100];
  const h = holeErrors(errors, radii, [11, 18]);
  assert.equal(h.hole, 4);
  assert.equal(h.outside, 2);
  assert.equal(h.ratio, 2);
  assert.ok(Number.isNaN(meanWhere([1], [1], () => false)));
});

Deno.test("monotonicity() finds steps against the overall direction", () => {
  const r = grid(31, 8, 20);
  const up = monotonicity(r.map((v) => v * v), r, acrossHole([11, 18]));
  assert.deepEqual(up, { monotone: true, direction: 1, violations: 0, steps: 22 });
  const down = monotonicity(r.map((v) => -v), r, [10, 19]);
  assert.equal(down.monotone, true);
  assert.equal(down.direction, -1);
  // A bump inside the hole: z rises, dips at r ≈ 14, then rises again.
  const bumpy = monotonicity(r.map((v) => v + (Math.abs(v - 14) < 0.3 ? -2 : 0)), r, [10, 19]);
  assert.equal(bumpy.monotone, false);
  assert.equal(bumpy.violations, 1);
  const flat = monotonicity(r.map(() => 3), r, [10, 19]);
  assert.equal(flat.monotone, false);
  assert.equal(flat.direction, 0);
});

Deno.test("latentRoughness() is scale-free, small for r², larger with a kink, null when constant", () => {
  const r = grid(300, 0, 32);
  // z = a·r² on [2, 30]: the slope varies by 2a·28 over a range a·(30² − 2²), times 28: 1.75
  // (up to the grid not hitting 2 and 30 exactly).
  const smooth = latentRoughness(r.map((v) => 0.01 * v * v), r)!;
  assert.ok(Math.abs(smooth - 1.75) < 0.02, `r²: ${smooth}`);
  assert.ok(Math.abs(latentRoughness(r.map((v) => -5 * v * v), r)! - smooth) < 1e-9);
  assert.ok(Math.abs(latentRoughness(r.map((v) => 3 * v + 1), r)!) < 1e-6);
  // A kink |r − 15.05|: the slope jumps by 2, the range is ≈ 14.95, times 28: ≈ 3.75.
  const kink = latentRoughness(r.map((v) => Math.abs(v - 15.05)), r)!;
  assert.ok(Math.abs(kink - (2 * 28) / 14.95) < 0.05, `kink ${kink}`);
  const wiggly = latentRoughness(r.map((v) => v * v + 20 * Math.sin(3 * v)), r)!;
  assert.ok(wiggly > 10 * smooth, `wiggly ${wiggly}`);
  assert.equal(latentRoughness(r.map(() => -0.12), r), null);
});
