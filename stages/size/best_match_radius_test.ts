import { strict as assert } from "node:assert";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { bestMatchRadius, cleanDiskBank } from "./best_match_radius.ts";

const GEOMETRY = { size: 64, sigma: 0.5 };
const BANK = cleanDiskBank(GEOMETRY, 32, 0.05);

Deno.test("cleanDiskBank() renders disks from 0 to the largest radius on the grid", () => {
  assert.equal(BANK.radii.length, 641);
  assert.equal(BANK.radii[0], 0);
  assert.ok(Math.abs(BANK.radii[640] - 32) < 1e-9);
  assert.equal(BANK.images.length, 641 * 4096);
  assert.throws(() => cleanDiskBank(GEOMETRY, 32, 0), /Cannot build clean disks/);
});

Deno.test("bestMatchRadius() gives back the radius of a clean disk, on or between grid radii", () => {
  const renderer = new ExactDiskRenderer(GEOMETRY);
  for (const r of [3, 12.5, 18, 25.05]) {
    const m = bestMatchRadius(renderer.render(r), BANK);
    assert.ok(Math.abs(m.radius - r) < 1e-9, `r = ${r}: ${m.radius}`);
    assert.ok(m.distance < 1e-9);
  }
  const between = bestMatchRadius(renderer.render(17.52), BANK).radius;
  assert.ok(Math.abs(between - 17.5) < 1e-9, `17.52 → ${between}`);
});

Deno.test("bestMatchRadius() finds the disk under stray blobs, and the extremes for uniform greys", () => {
  const renderer = new ExactDiskRenderer(GEOMETRY);
  // A model that projects onto a disk of radius 18, with two bright blobs in the corners.
  const y = renderer.render(18).slice();
  for (const p of [0, 1, 64, 65, 4030, 4031, 4094, 4095]) y[p] = 1;
  assert.equal(bestMatchRadius(y, BANK).radius, 18);
  // Against sharp disks (x = 0 or 1), a uniform grey g costs Σ(g − x)² = Σg² + area·(1 − 2g):
  // below 1/2 the empty disk is nearest, above it the largest one.
  const sharp = cleanDiskBank({ size: 64, sigma: 0 }, 32, 0.5);
  assert.equal(bestMatchRadius(new Float32Array(4096).fill(0.3), sharp).radius, 0);
  assert.ok(bestMatchRadius(new Float32Array(4096).fill(0.7), sharp).radius >= 31.5);
  assert.throws(() => bestMatchRadius(new Float32Array(10), BANK), /Cannot match an image/);
});
