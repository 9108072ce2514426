import assert from "node:assert/strict";
import { compareProfiles, maximiserAiryDistance } from "./compare_profiles.ts";
import { airyProfile } from "./airy_profile.ts";
import { maximiseRadialEnergy } from "./radial_energy.ts";

/** An Airy profile sampled on a line through a centre at 31.5 (m = 64), scaled, perturbed. */
function sampledAiry(R: number, scale: number, noise = 0): { t: number[]; f: number[] } {
  const t: number[] = [], f: number[] = [];
  for (let x = 0; x < 64; x++) {
    const d = x - 31.5;
    t.push(d);
    f.push(scale * (airyProfile(Math.abs(d), R) + noise * Math.cos(Math.abs(d) / 5)));
  }
  return { t, f };
}

Deno.test("compareProfiles() finds an exact Airy sample close to both references", () => {
  const max = maximiseRadialEnergy(32, 100);
  const c = compareProfiles(sampledAiry(32, -2.5), 32, { maximiser: max });
  // Only the piecewise-linear interpolation of the unit-spaced samples separates them.
  assert.ok(c.distances.learnedVsAiry < 2e-3, `${c.distances.learnedVsAiry}`);
  assert.ok(c.distances.learnedVsMaximiser < 2e-3);
  assert.ok(c.distances.maximiserVsAiry < 1e-4);
  assert.deepEqual(c.range, [0.5, 31.5]);
  assert.equal(c.weight, "radial");
  // The curves: same grid, Airy scaled to 1 at t = 0 so slightly below 1 at t = 0.5.
  assert.equal(c.curves.t.length, 256);
  assert.ok(Math.abs(c.curves.airy[0] - airyProfile(0.5, 32)) < 1e-12);
  assert.ok(c.curves.learned[0] > 0, "sign normalised");
});

Deno.test("compareProfiles() does not depend on the learned profile's scale or sign", () => {
  const max = maximiseRadialEnergy(32, 60);
  const a = compareProfiles(sampledAiry(32, 1, 0.05), 32, { maximiser: max });
  const b = compareProfiles(sampledAiry(32, -7, 0.05), 32, { maximiser: max });
  assert.ok(Math.abs(a.distances.learnedVsAiry - b.distances.learnedVsAiry) < 1e-12);
  // A visible radial perturbation (5% of the peak) gives a distance of a few percent.
  assert.ok(a.distances.learnedVsAiry > 0.02 && a.distances.learnedVsAiry < 0.2);
  assert.ok(a.distancesByWeight.uniform.learnedVsAiry > 0);
});

Deno.test("compareProfiles() clips the range to R (App. C, R = 18)", () => {
  const c = compareProfiles(sampledAiry(18, 1), 18, { gridN: 60 });
  assert.deepEqual(c.range, [0.5, 18]);
  assert.ok(c.distances.learnedVsAiry < 2e-3);
});

Deno.test("compareProfiles() rejects a maximiser for another R and a profile outside [0, R]", () => {
  const max = maximiseRadialEnergy(32, 20);
  assert.throws(() => compareProfiles(sampledAiry(18, 1), 18, { maximiser: max }), RangeError);
  assert.throws(
    () => compareProfiles({ t: [40, 41], f: [1, 2] }, 32, { maximiser: max }),
    RangeError,
  );
});

Deno.test("maximiserAiryDistance() reports the natural boundary conditions", () => {
  const r = maximiserAiryDistance(32, 50);
  assert.ok(Math.abs(r.endValue) < 1e-5);
  assert.ok(Math.abs(r.startSlope) < 1e-3);
  assert.ok(r.gapRatio > 0.13 && r.gapRatio < 0.15); // (x₀/x₁)³ = (1.98635/3.82534)³ ≈ 0.1400
});
