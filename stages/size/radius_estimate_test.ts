import { strict as assert } from "node:assert";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import {
  centralComponentArea,
  radiusFromArea,
  radiusFromCentralComponent,
  thresholdArea,
} from "./radius_estimate.ts";

Deno.test("thresholdArea() counts pixels strictly above the threshold", () => {
  assert.equal(thresholdArea([0, 0.5, 0.51, 1]), 2);
  assert.equal(thresholdArea([0, 0.2, 0.3], 0.1), 2);
});

Deno.test("radiusFromArea() recovers the radius of exact blurred disks within the documented error", () => {
  const renderer = new ExactDiskRenderer({ size: 64, sigma: 0.5 });
  let worst2 = 0, worst5 = 0;
  for (let r = 2; r <= 30; r += 0.25) {
    const e = Math.abs(radiusFromArea(renderer.render(r)) - r);
    worst2 = Math.max(worst2, e);
    if (r >= 5) worst5 = Math.max(worst5, e);
  }
  assert.ok(worst2 <= 0.36, `error ${worst2} for r ≥ 2`);
  assert.ok(worst5 <= 0.23, `error ${worst5} for r ≥ 5`);
});

Deno.test("radiusFromArea() of an empty image is 0", () => {
  assert.equal(radiusFromArea(new Float32Array(16)), 0);
});

Deno.test("centralComponentArea() ignores bright pixels not connected to the centre", () => {
  const m = 6, img = new Float32Array(36);
  for (const p of [14, 15, 20, 21, 22]) img[p] = 1; // centre block (rows 2–3, cols 2–3) and (3, 4)
  img[0] = img[35] = 1; // stray corners
  assert.equal(centralComponentArea(img, m), 5);
  assert.equal(thresholdArea(img), 7);
  assert.equal(centralComponentArea(new Float32Array(36), m), 0);
});

Deno.test("radiusFromCentralComponent() equals radiusFromArea() on a clean disk", () => {
  const img = new ExactDiskRenderer({ size: 64, sigma: 0.5 }).render(12.3);
  assert.equal(radiusFromCentralComponent(img, 64), radiusFromArea(img));
});
