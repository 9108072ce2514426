import assert from "node:assert/strict";
import { formatTicks, niceTicks, tickStep } from "./ticks.ts";

Deno.test("niceTicks() picks 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-0.5, 63.5, 6), [0, 10, 20, 30, 40, 50, 60]);
  assert.deepEqual(niceTicks(-1.02, 1.02, 4), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.equal(tickStep(0, 100, 10), 10);
  assert.deepEqual(niceTicks(3, 3), [3]);
});

Deno.test("formatTicks() uses the fewest decimals and a true minus sign", () => {
  assert.deepEqual(formatTicks([-1, -0.5, 0, 0.5, 1]), [
    "\u22121.0",
    "\u22120.5",
    "0.0",
    "0.5",
    "1.0",
  ]);
  assert.deepEqual(formatTicks([0, 10, 20]), ["0", "10", "20"]);
  assert.deepEqual(formatTicks([0.1, 0.15]), ["0.10", "0.15"]);
});
