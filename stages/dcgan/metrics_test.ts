import assert from "node:assert/strict";
import {
  equivalentRadius,
  holeErrorRatio,
  inHole,
  meanOf,
  nearestIndex,
  nearHoleRatio,
  shareInRange,
} from "./metrics.ts";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";

Deno.test("holeErrorRatio() divides the mean inside by the mean outside", () => {
  const radii = [5, 11, 14, 18, 18.01, 25];
  const errors = [1, 6, 9, 3, 2, 3];
  const r = holeErrorRatio(radii, errors, 11, 18);
  assert.equal(r.insideCount, 3);
  assert.equal(r.outsideCount, 3);
  assert.equal(r.inside, 6);
  assert.equal(r.outside, 2);
  assert.equal(r.ratio, 3);
});

Deno.test("holeErrorRatio() rejects unequal lengths", () => {
  assert.throws(() => holeErrorRatio([1, 2], [1], 0, 1), /Cannot compare/);
});

Deno.test("inHole() includes both ends", () => {
  assert.ok(
    inHole(11, 11, 18) && inHole(18, 11, 18) && !inHole(10.99, 11, 18) && !inHole(18.01, 11, 18),
  );
});

Deno.test("equivalentRadius() recovers the radius of a blurred disk", () => {
  const renderer = new ExactDiskRenderer({ size: 64, sigma: 0.5 });
  for (const r of [3, 10.5, 17, 25]) {
    const img = new Float32Array(64 * 64);
    renderer.render(r, img);
    assert.ok(Math.abs(equivalentRadius(img) - r) < 0.05, `r = ${r}: ${equivalentRadius(img)}`);
  }
  assert.equal(equivalentRadius([0, 0, Math.PI * 4], 1, 2), 2);
});

Deno.test("nearestIndex() picks the closest value, the first on ties", () => {
  assert.equal(nearestIndex([0, 1, 2, 3], 1.4), 1);
  assert.equal(nearestIndex([0, 1, 2, 3], 1.5), 1);
  assert.equal(nearestIndex([0, 1, 2, 3], 9), 3);
});

Deno.test("shareInRange() and meanOf() compute what they say", () => {
  assert.equal(shareInRange([1, 2, 3, 4], 2, 3), 0.5);
  assert.ok(Number.isNaN(shareInRange([], 0, 1)));
  assert.deepEqual(Array.from(meanOf([[1, 2], [3, 6]])), [2, 4]);
  assert.throws(() => meanOf([[1], [1, 2]]), /Cannot average/);
});

Deno.test("nearHoleRatio() compares the hole with the observed radii beside it", () => {
  const radii = [1, 8.5, 10, 12, 17, 19, 20.5, 30];
  const errors = [100, 1, 3, 8, 8, 2, 2, 100];
  const r = nearHoleRatio(radii, errors, 11, 18, 3);
  assert.equal(r.nearCount, 4);
  assert.equal(r.near, 2);
  assert.equal(r.inside, 8);
  assert.equal(r.ratio, 4);
});
