import assert from "node:assert/strict";
import { authorsTestDisks } from "./test_disks.ts";

Deno.test("authorsTestDisks(): 63×63, centred on pixel 31, radii on a grid", () => {
  const set = authorsTestDisks(5, 0, 20);
  assert.equal(set.size, 63);
  assert.deepEqual(Array.from(set.radii), [0, 5, 10, 15, 20]);
  const img = set.images.subarray(3 * 63 * 63, 4 * 63 * 63); // r = 15
  const at = (i: number, j: number) => img[i * 63 + j];
  assert.ok(at(31, 31) > 0.99);
  // Symmetric about pixel 31 both ways; 14 pixels out is inside, 16 outside.
  assert.equal(at(31, 31 - 14), at(31, 31 + 14));
  assert.equal(at(31 - 14, 31), at(31, 31 + 14));
  assert.ok(at(31, 31 + 14) > 0.9 && at(31, 31 + 16) < 0.1);
  assert.ok(set.images.subarray(0, 63 * 63).every((v) => v === 0)); // r = 0: nothing
  assert.throws(() => authorsTestDisks(1, 0, 1), /at least 2 radii/);
});
