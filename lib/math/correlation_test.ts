import assert from "node:assert/strict";
import { fitScale, pearson, ranks, spearman } from "./correlation.ts";

Deno.test("pearson() is ±1 on exact lines and rejects constant samples", () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [3, 5, 7, 9]) - 1) < 1e-15);
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-15);
  assert.ok(Math.abs(pearson([1, 2, 3], [1, 3, 2]) - 0.5) < 1e-15);
  assert.throws(() => pearson([1, 1, 1], [1, 2, 3]), RangeError);
  assert.throws(() => pearson([1, 2], [1, 2, 3]), RangeError);
});

Deno.test("fitScale() finds the least-squares slope through the origin", () => {
  assert.equal(fitScale([1, 2, 3], [2, 4, 6]), 2);
  assert.ok(Math.abs(fitScale([1, 1], [1, 2]) - 1.5) < 1e-15);
  assert.throws(() => fitScale([0, 0], [1, 2]), RangeError);
});

Deno.test("spearman() is 1 for any increasing relation and averages ties", () => {
  assert.equal(spearman([0.1, 1, 10, 50], [1, 2, 30, 31]), 1);
  assert.equal(spearman([0.1, 1, 10, 50], [4, 3, 2, 1]), -1);
  // One adjacent swap among 4: 1 − 6·2 / (4·15) = 0.8.
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-12);
  assert.deepEqual(Array.from(ranks([5, 1, 5, 2])), [3.5, 1, 3.5, 2]);
  assert.ok(Number.isNaN(spearman([1, 2], [3, 3])));
  assert.ok(Number.isNaN(spearman([1], [3])));
});
