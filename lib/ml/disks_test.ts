import assert from "node:assert/strict";
import {
  besselI0e,
  blurredDiskValue,
  ExactDiskRenderer,
  generateDiskDataset,
  gridRadii,
  holeRadii,
  limitedRadii,
  monteCarloDisk,
  PAPER_DISK_GEOMETRY,
  sampleRadii,
  uniformRadii,
} from "./disks.ts";
import { createRng } from "./random.ts";

/** erf to ~1e-15: a positive series below 3, a continued fraction for erfc above. */
function erf(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    let term = ax, sum = ax;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * ax * ax) / (2 * n + 1);
      sum += term;
    }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? -r : r;
}

/**
 * An independent reference for P(|u + q| ≤ r): integrate over the first coordinate
 * s = r·cos θ, the second one contributing erf(r·sin θ/(σ√2)) in closed form (midpoint rule
 * on a fine grid; the integrand is smooth in θ).
 */
function referenceValue(rho: number, r: number, sigma: number): number {
  const N = 100_000, h = Math.PI / N;
  let total = 0;
  for (let i = 0; i < N; i++) {
    const th = (i + 0.5) * h, s = r * Math.cos(th), d = s - rho;
    total += (Math.exp(-(d * d) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI))) *
      erf((r * Math.sin(th)) / (sigma * Math.SQRT2)) * r * Math.sin(th);
  }
  return total * h;
}

Deno.test("besselI0e() matches known values", () => {
  // e^{-x} I0(x) from mpmath at 30 digits.
  assert.ok(Math.abs(besselI0e(0) - 1) < 1e-15);
  assert.ok(Math.abs(besselI0e(1) - 0.46575960759364043) < 1e-15);
  assert.ok(Math.abs(besselI0e(10) - 0.1278333371634286) < 1e-14);
  assert.ok(Math.abs(besselI0e(20) / 0.0897803118848260 - 1) < 1e-13);
  assert.ok(Math.abs(besselI0e(25) / 0.0801967735474367 - 1) < 1e-13);
  assert.ok(Math.abs(besselI0e(20) - besselI0e(20 + 1e-9)) < 1e-10); // the two branches meet
});

Deno.test("blurredDiskValue() is exact at the centre (Rayleigh CDF) and agrees with an independent integral", () => {
  for (const r of [0.1, 0.5, 1, 3]) {
    assert.ok(Math.abs(blurredDiskValue(0, r, 0.5) - (1 - Math.exp(-(r * r) / 0.5))) < 1e-12);
  }
  const cases = [[0.7, 0.5], [5, 5.2], [20.3, 20], [31.5, 30.1], [1.2, 3], [10, 9.9], [0.1, 0.05], [
    44,
    31.9,
  ]];
  for (const [rho, r] of cases) {
    const e = Math.abs(blurredDiskValue(rho, r, 0.5) - referenceValue(rho, r, 0.5));
    assert.ok(e < 1e-9, `rho ${rho}, r ${r}: error ${e}`);
  }
  assert.equal(blurredDiskValue(3, 0, 0.5), 0);
  assert.equal(blurredDiskValue(3, 4, 0), 1);
  assert.equal(blurredDiskValue(5, 4, 0), 0);
});

Deno.test("monteCarloDisk() agrees with the exact disk within Monte Carlo noise", () => {
  const g = PAPER_DISK_GEOMETRY, N = 800;
  const exact = new ExactDiskRenderer(g);
  const rng = createRng(11);
  let worst = 0, zsum = 0, zcount = 0;
  for (const r of [0.8, 4.3, 11.5, 17.9, 25.2, 31.7]) {
    const mc = monteCarloDisk(r, g, N, rng);
    const ex = exact.render(r);
    for (let i = 0; i < mc.length; i++) {
      const p = ex[i], sd = Math.sqrt((p * (1 - p)) / N);
      const diff = Math.abs(mc[i] - p);
      // Six standard deviations, plus 3 hits for pixels where p is so small that the normal
      // approximation fails (≥ 4 hits at p = 3e-5 has probability ~1e-8).
      assert.ok(diff <= 6 * sd + 3 / N, `r ${r}, pixel ${i}: mc ${mc[i]} vs exact ${p}`);
      worst = Math.max(worst, diff);
      if (sd > 0.01) {
        zsum += (diff / sd) ** 2;
        zcount++;
      }
    }
  }
  // Mean squared z-score over the boundary pixels is about 1 when the two agree.
  const meanZ2 = zsum / zcount;
  assert.ok(meanZ2 > 0.7 && meanZ2 < 1.3, `mean z² ${meanZ2} over ${zcount} pixels`);
  assert.ok(worst > 0); // the Monte Carlo really is noisy
});

Deno.test("monteCarloDisk() matches a brute-force per-pixel test of every shift", () => {
  const g = { size: 16, sigma: 0.5 };
  const fast = monteCarloDisk(5.3, g, 200, createRng(4));
  const rng = createRng(4), c = 7.5;
  const counts = new Float64Array(256);
  for (let s = 0; s < 200; s++) {
    const qy = 0.5 * rng.normal(), qx = 0.5 * rng.normal();
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        if ((i - c + qy) ** 2 + (j - c + qx) ** 2 <= 5.3 * 5.3) counts[i * 16 + j]++;
      }
    }
  }
  assert.deepEqual([...fast], Array.from(counts, (v) => Math.fround(v / 200)));
});

Deno.test("ExactDiskRenderer.render() is symmetric about the centre (31.5, 31.5)", () => {
  const img = new ExactDiskRenderer(PAPER_DISK_GEOMETRY).render(13.3);
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++) {
      const v = img[i * 64 + j];
      assert.equal(v, img[(63 - i) * 64 + j]);
      assert.equal(v, img[j * 64 + i]);
    }
  }
  // Area: the pixel sum of a blurred disk is close to πr².
  const sum = img.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - Math.PI * 13.3 * 13.3) < 1, `sum ${sum}`);
});

Deno.test("sampleRadii() respects each law's range", () => {
  const rng = createRng(9);
  const u = sampleRadii(uniformRadii(), 5000, rng);
  assert.ok(u.every((r) => r > 0 && r < 32));
  // Uniform: each of 8 bins of width 4 holds about 625 (binomial sd ≈ 23).
  const bins = new Array(8).fill(0);
  for (const r of u) bins[Math.floor(r / 4)]++;
  assert.ok(bins.every((b) => Math.abs(b - 625) < 120), `bins ${bins}`);
  const lim = sampleRadii(limitedRadii(18), 2000, rng);
  assert.ok(lim.every((r) => r > 0 && r <= 18) && Math.max(...lim) > 17.5);
  const hole = sampleRadii(holeRadii(11, 18), 5000, rng);
  assert.ok(hole.every((r) => r > 0 && r < 32 && (r < 11 || r > 18)));
  assert.ok(hole.some((r) => r < 11.1) && hole.some((r) => r > 17.9 && r < 18.1));
  const grid = sampleRadii(gridRadii(0, 30), 301, rng);
  assert.equal(grid[0], 0);
  assert.equal(grid[300], 30);
  assert.ok(Math.abs(grid[150] - 15) < 1e-12);
  assert.throws(() => sampleRadii(holeRadii(0, 40), 1, rng), /empty/);
});

Deno.test("generateDiskDataset() is deterministic and keeps radii when the blur changes", () => {
  const spec = {
    count: 20,
    geometry: { size: 32, sigma: 0.5 },
    sampler: uniformRadii(16),
    blur: "mc" as const,
    samples: 100,
  };
  const a = generateDiskDataset(spec, createRng(5));
  const b = generateDiskDataset(spec, createRng(5));
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.radii, b.radii);
  const c = generateDiskDataset({ ...spec, blur: "exact" }, createRng(5));
  assert.deepEqual(c.radii, a.radii);
  assert.notDeepEqual(generateDiskDataset(spec, createRng(6)).radii, a.radii);
  assert.equal(a.images.length, 20 * 32 * 32);
});

Deno.test("generateDiskDataset() renders 300 Monte Carlo disks of 64×64 with 800 samples quickly", () => {
  const t0 = performance.now();
  generateDiskDataset(
    {
      count: 300,
      geometry: PAPER_DISK_GEOMETRY,
      sampler: uniformRadii(),
      blur: "mc",
      samples: 800,
    },
    createRng(1),
  );
  const ms = performance.now() - t0;
  console.log(`300 MC disks (800 samples): ${ms.toFixed(0)} ms`);
  assert.ok(ms < 10_000);
});
