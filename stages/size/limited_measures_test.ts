import { strict as assert } from "node:assert";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { cleanDiskBank } from "./best_match_radius.ts";
import { limitedMeasures } from "./limited_measures.ts";

const M = 64, P = M * M;
const GEOMETRY = { size: M, sigma: 0.5 };
const RADII = Array.from({ length: 61 }, (_, i) => 2 + i * 0.5); // 2, 2.5, …, 32
const OPTIONS = {
  R: 18,
  hi: 30,
  margin: 1,
  threshold: 0.5,
  bank: cleanDiskBank(GEOMETRY, 32, 0.05),
};

/** Outputs of a stand-in model: the clean disk of radius f(r) for each test radius r. */
function outputs(f: (r: number) => number): Float32Array {
  const renderer = new ExactDiskRenderer(GEOMETRY);
  const out = new Float32Array(RADII.length * P);
  RADII.forEach((r, i) => renderer.render(f(r), out.subarray(i * P, (i + 1) * P)));
  return out;
}

Deno.test("limitedMeasures(): a model that projects every larger disk onto the disk of radius R", () => {
  const ms = limitedMeasures(outputs((r) => Math.min(r, 18)), RADII, M, OPTIONS);
  // (18, 30]: 18.5 … 30, 24 radii; the slope is fitted on (19, 30]: 22.
  assert.equal(ms.beyond.length, 24);
  assert.equal(ms.fitted.length, 22);
  for (const i of ms.beyond) assert.ok(Math.abs(ms.matched[i] - 18) < 1e-9, `r = ${RADII[i]}`);
  assert.ok(Math.abs(ms.matched[ms.worstMatch] - 18) < 1e-9);
  assert.equal(ms.slope, 0);
  assert.equal(ms.slopeEveryPixel, 0);
  assert.ok(Math.abs(ms.rCentral[ms.worstCentral] - 18) < 0.3);
});

Deno.test("limitedMeasures(): a model that extrapolates has slope 1 and its worst match at r = 30", () => {
  const ms = limitedMeasures(outputs((r) => r), RADII, M, OPTIONS);
  assert.ok(Math.abs(ms.matched[ms.worstMatch] - 30) < 1e-9);
  assert.equal(RADII[ms.worstMatch], 30);
  assert.ok(Math.abs(ms.slope - 1) < 0.05, `slope ${ms.slope}`);
  // The former row looks at every radius above R, 32 included.
  assert.equal(RADII[ms.largestAll], 32);
});

Deno.test("limitedMeasures(): stray blobs raise r̂ of every pixel, not the central r̂ or the best match", () => {
  const out = outputs((r) => Math.min(r, 18));
  // A bright square blob in a corner of every output beyond R, growing with r (2 to 12 px).
  RADII.forEach((r, i) => {
    if (r <= 18) return;
    const side = Math.min(2 + Math.floor(r - 18), 12);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[i * P + y * M + x] = 1;
  });
  const ms = limitedMeasures(out, RADII, M, OPTIONS);
  assert.ok(ms.slopeEveryPixel > 0.1, `slope every pixel ${ms.slopeEveryPixel}`);
  assert.ok(Math.abs(ms.slope) < 1e-9);
  assert.ok(ms.matched[ms.worstMatch] <= 19, `best match ${ms.matched[ms.worstMatch]}`);
  assert.throws(
    () => limitedMeasures(out, RADII, M, { ...OPTIONS, R: 29.5 }),
    /Cannot fit the growth/,
  );
});
