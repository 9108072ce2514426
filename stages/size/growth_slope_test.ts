import { strict as assert } from "node:assert";
import { growthSlope } from "./growth_slope.ts";

Deno.test("growthSlope() is 1 for an output that follows the input, 0 for one that stopped", () => {
  const r = Array.from({ length: 23 }, (_, i) => 19 + i * 0.5);
  assert.ok(Math.abs(growthSlope(r, r.map((v) => v - 0.3)) - 1) < 1e-12);
  assert.equal(growthSlope(r, r.map(() => 18)), 0);
  // Stopped at 18 with ±0.3 px of lattice noise: still about 0.
  const noisy = growthSlope(r, r.map((_, i) => 18 + (i % 2 ? 0.3 : -0.3)));
  assert.ok(Math.abs(noisy) < 0.05, `${noisy}`);
  assert.ok(growthSlope(r, r.map((v) => 40 - v)) < 0);
  assert.throws(() => growthSlope([1], [1]), /Cannot fit a slope/);
  assert.throws(() => growthSlope([2, 2], [1, 3]), /constant abscissa/);
});
