import { strict as assert } from "node:assert";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import {
  centreProfile,
  learnedProfile,
  meanNormalisedProfile,
  profilePositions,
  profileSignedDistances,
} from "./profiles.ts";

Deno.test("profilePositions() and profileSignedDistances() are centred on (m − 1)/2", () => {
  assert.deepEqual(profilePositions(4), [-1.5, -0.5, 0.5, 1.5]);
  const d = profileSignedDistances(4);
  assert.ok(Math.abs(d[1] + Math.SQRT1_2) < 1e-15 && Math.abs(d[3] - Math.hypot(1.5, 0.5)) < 1e-15);
});

Deno.test("centreProfile() averages the two middle rows", () => {
  const m = 4, img = new Float32Array(16);
  img.set([1, 2, 3, 4], 4); // row 1
  img.set([3, 2, 1, 0], 8); // row 2
  assert.deepEqual(centreProfile(img, m), [2, 2, 2, 2]);
  assert.throws(() => centreProfile(new Float32Array(8), 3), /as a 3×3 image/);
  // An odd side (the authors' 63×63): the middle row, through the centre, at distances |t|.
  const odd = Float32Array.from({ length: 9 }, (_, i) => Math.floor(i / 3));
  assert.deepEqual(centreProfile(odd, 3), [1, 1, 1]);
  assert.deepEqual(profileSignedDistances(3), [-1, 0, 1]);
});

Deno.test("centreProfile() of an exact disk is symmetric and crosses 1/2 near ±r", () => {
  const p = centreProfile(new ExactDiskRenderer({ size: 64, sigma: 0.5 }).render(10), 64);
  for (let j = 0; j < 32; j++) assert.ok(Math.abs(p[j] - p[63 - j]) < 1e-6);
  const d = profileSignedDistances(64);
  const inside = p.filter((v) => v > 0.5).length;
  const predicted = d.filter((t) => Math.abs(t) < 10).length;
  assert.ok(Math.abs(inside - predicted) <= 2);
});

Deno.test("meanNormalisedProfile() averages shapes, not amplitudes, and aligns signs", () => {
  const a = [1, 2, 1], b = [-10, -20, -10], c = [0, 0, 0];
  const m = meanNormalisedProfile([a, b, c]);
  const n = Math.hypot(...a);
  m.f.forEach((v, j) => assert.ok(Math.abs(v - a[j] / n) < 1e-12));
  assert.deepEqual([m.used, m.skipped], [2, 1]);
  assert.throws(() => meanNormalisedProfile([c]), /every profile is zero/);
});

Deno.test("learnedProfile() pairs the mean profile with signed distances", () => {
  const m = 4, stack = new Float32Array(32);
  stack.set([0, 1, 1, 0, 0, 1, 1, 0], 4);
  stack.set([0, 2, 2, 0, 0, 2, 2, 0], 20);
  const f = learnedProfile(stack, [0, 1], m);
  assert.equal(f.t.length, 4);
  assert.deepEqual(f.f.map((v) => Number(v.toFixed(6))), [0, 0.707107, 0.707107, 0]);
  assert.equal(f.used, 2);
});
