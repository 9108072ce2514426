import { strict as assert } from "node:assert";
import { monotonicity } from "./monotonicity.ts";

Deno.test("monotonicity() finds no violation in increasing or decreasing curves", () => {
  const up = monotonicity([1, 2, 2, 3, 5]);
  assert.deepEqual([up.direction, up.steps, up.violations, up.fraction], [1, 4, 0, 1]);
  const down = monotonicity([5, 4, 4, -1]);
  assert.deepEqual([down.direction, down.violations, down.fraction], [-1, 0, 1]);
});

Deno.test("monotonicity() counts steps against the net direction", () => {
  const m = monotonicity([0, 1, 0.5, 2, 1.9, 3]);
  assert.equal(m.direction, 1);
  assert.equal(m.steps, 5);
  assert.equal(m.violations, 2);
  assert.deepEqual(m.where, [1, 3]);
  assert.equal(m.fraction, 3 / 5);
  assert.ok(Math.abs(m.largestViolation - 0.5) < 1e-15);
});

Deno.test("monotonicity() of fewer than two values has no step", () => {
  assert.deepEqual([monotonicity([3]).steps, monotonicity([3]).fraction], [0, 1]);
});
