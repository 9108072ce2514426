import assert from "node:assert/strict";
import {
  failingShare,
  failingShareOutside,
  holeShare,
  innerHoleIntervals,
  innerVsNeighbours,
} from "./hole_measures.ts";

Deno.test("failingShare() counts hole radii with IoU < 0.9 or r̂ off by more than 1 px", () => {
  const radii = [5, 11, 12, 14, 16, 18, 20];
  const iou = [0.1, 0.95, 0.85, 0.95, 0.95, 0.95, 0.1];
  const rHat = [0, 11.2, 12, 15.5, 16.9, NaN, 0];
  // In [11, 18]: 11 fine, 12 by IoU, 14 by r̂, 16 fine, 18 (r̂ unknown) fails; 5 and 20 are outside.
  assert.deepEqual(failingShare(radii, iou, rHat, [11, 18]), { failing: 3, total: 5, share: 0.6 });
  // Outside, in [2, 30]: 5 fails, 20 fails.
  assert.deepEqual(failingShareOutside(radii, iou, rHat, [11, 18]), {
    failing: 2,
    total: 2,
    share: 1,
  });
  assert.throws(() => failingShare(radii, iou, [1], [11, 18]), /Cannot count failing outputs/);
});

Deno.test("innerHoleIntervals() of [11, 18] is [12, 17] between [5, 10] and [19, 24]", () => {
  assert.deepEqual(innerHoleIntervals([11, 18]), {
    inner: [12, 17],
    below: [5, 10],
    above: [19, 24],
  });
  assert.throws(() => innerHoleIntervals([11, 13]), /narrower than 2 px/);
});

Deno.test("innerVsNeighbours() compares the inner hole with both neighbours only", () => {
  const radii = [2, 6, 9, 11.5, 13, 16, 17.5, 20, 23, 28];
  const errors = [100, 1, 1, 50, 8, 8, 50, 3, 3, 100];
  const r = innerVsNeighbours(errors, radii, [11, 18]);
  assert.equal(r.innerError, 8);
  assert.equal(r.neighbourError, 2);
  assert.equal(r.ratio, 4);
});

Deno.test("holeShare() gives the area's share to a code proportional to the area, less to one that skips the hole", () => {
  const radii = Array.from({ length: 281 }, (_, i) => 2 + i * 0.1);
  const area = holeShare(radii.map((r) => 3 * r * r), radii, [11, 18]);
  assert.ok(Math.abs(area.areaShare - 203 / 896) < 1e-12);
  // The grid holds 11 and 18 up to rounding: the span matches the area share closely.
  assert.ok(Math.abs(area.zShare - area.areaShare) < 1e-3, `${area.zShare}`);
  // A code flat over the hole that jumps at its end: no share of the z range.
  const skip = holeShare(radii.map((r) => (r <= 18 ? Math.min(r, 11) : r + 10)), radii, [11, 18]);
  assert.ok(Math.abs(skip.zShare) < 1e-9);
  assert.ok(Number.isNaN(holeShare(radii.map(() => 1), radii, [11, 18]).zShare));
});
