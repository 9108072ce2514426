import { strict as assert } from "node:assert";
import { thresholdIoU } from "./iou.ts";

Deno.test("thresholdIoU() is 1 for identical sets and 0 for disjoint ones", () => {
  assert.equal(thresholdIoU([0, 1, 1, 0], [0.2, 0.9, 0.7, 0.1]), 1);
  assert.equal(thresholdIoU([1, 1, 0, 0], [0, 0, 1, 1]), 0);
});

Deno.test("thresholdIoU() counts intersection over union", () => {
  // A = {0, 1, 2}, B = {1, 2, 3}: |A ∩ B| = 2, |A ∪ B| = 4.
  assert.equal(thresholdIoU([1, 1, 1, 0], [0, 1, 1, 1]), 0.5);
  // The threshold is strict: 0.5 is not above 0.5.
  assert.equal(thresholdIoU([0.5, 1], [1, 1]), 0.5);
});

Deno.test("thresholdIoU() gives 1 when both images are empty", () => {
  assert.equal(thresholdIoU([0, 0.1], [0.2, 0]), 1);
});

Deno.test("thresholdIoU() rejects images of different sizes", () => {
  assert.throws(() => thresholdIoU([1], [1, 1]), /sizes differ/);
});
