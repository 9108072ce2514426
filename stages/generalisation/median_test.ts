import assert from "node:assert/strict";
import { median } from "./median.ts";

Deno.test("median() takes the middle value, or the mean of the middle two", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([2, Infinity, 1]), 2);
  assert.ok(Number.isNaN(median([])));
});
