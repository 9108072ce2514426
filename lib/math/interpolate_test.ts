import assert from "node:assert/strict";
import { foldProfile, interpLinear } from "./interpolate.ts";

Deno.test("interpLinear() interpolates inside and holds the end values outside", () => {
  const xs = [0, 1, 3], ys = [1, 3, -1];
  assert.equal(interpLinear(xs, ys, 0.5), 2);
  assert.equal(interpLinear(xs, ys, 2), 1);
  assert.equal(interpLinear(xs, ys, -4), 1);
  assert.equal(interpLinear(xs, ys, 9), -1);
  assert.equal(interpLinear(xs, ys, 1), 3);
});

Deno.test("foldProfile() folds a line through the centre and averages both halves", () => {
  const p = foldProfile({ t: [-1.5, -0.5, 0.5, 1.5, 2.5], f: [1, 3, 5, 3, 0] });
  assert.deepEqual(p, { t: [0.5, 1.5, 2.5], f: [4, 2, 0] });
});

Deno.test("foldProfile() rejects mismatched, non-finite or too short input", () => {
  assert.throws(() => foldProfile({ t: [0, 1], f: [1] }), RangeError);
  assert.throws(() => foldProfile({ t: [0, NaN], f: [1, 2] }), RangeError);
  assert.throws(() => foldProfile({ t: [-1, 1], f: [1, 2] }), RangeError);
});
