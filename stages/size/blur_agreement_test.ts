import { strict as assert } from "node:assert";
import { ExactDiskRenderer, monteCarloDisk } from "../../lib/ml/disks.ts";
import { createRng } from "../../lib/ml/random.ts";
import { addImagePair, newBlurAgreement, summariseBlurAgreement } from "./blur_agreement.ts";

const geometry = { size: 32, sigma: 0.5 };

Deno.test("blur agreement: Monte Carlo disks are unbiased binomial means of the exact blur", () => {
  const exact = new ExactDiskRenderer(geometry), rng = createRng(3);
  const acc = newBlurAgreement(400);
  for (let k = 0; k < 40; k++) {
    const r = 2 + 0.33 * k;
    addImagePair(acc, monteCarloDisk(r, geometry, 400, rng), exact.render(r));
  }
  const s = summariseBlurAgreement(acc);
  assert.ok(Math.abs(s.reducedChiSquare - 1) < 0.15, `χ²/dof ${s.reducedChiSquare}`);
  assert.ok(s.maxAbsDiffInSE < 6, `max deviation ${s.maxAbsDiffInSE} SE`);
  assert.equal(s.images, 40);
});

Deno.test("blur agreement: a shifted radius shows up as a large chi-square", () => {
  const exact = new ExactDiskRenderer(geometry), rng = createRng(4);
  const acc = newBlurAgreement(400);
  for (let k = 0; k < 10; k++) {
    const r = 3 + k;
    addImagePair(acc, monteCarloDisk(r + 0.2, geometry, 400, rng), exact.render(r));
  }
  assert.ok(summariseBlurAgreement(acc).reducedChiSquare > 3);
});

Deno.test("blur agreement: z-scores use the binomial standard error", () => {
  const acc = newBlurAgreement(100, 0);
  // p = 0.5, N = 100: SE = 0.05, so x = 0.6 is z = 2.
  addImagePair(acc, [0.6], [0.5]);
  const s = summariseBlurAgreement(acc);
  assert.ok(Math.abs(s.reducedChiSquare - 4) < 1e-12 && Math.abs(s.meanZ - 2) < 1e-12);
  assert.ok(Math.abs(s.maxAbsDiffInSE - 2) < 1e-12);
});
