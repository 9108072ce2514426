import assert from "node:assert/strict";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { createRng } from "../../lib/ml/random.ts";
import {
  AUTHORS_ELLIPSES,
  ellipseNorms,
  generateEllipses,
  renderEllipse,
  sampleEllipses,
} from "./ellipses.ts";

const G = { size: 64, sigma: 0.5, samples: 300 };

/** The Monte Carlo blur without the band shortcut: every pixel tested for every sample. */
function bruteForce(a: number, b: number, thetaDeg: number, seed: number): Float32Array {
  const rng = createRng(seed), m = 64, c = 31.5, th = (thetaDeg * Math.PI) / 180;
  const counts = new Float64Array(m * m);
  for (let s = 0; s < G.samples; s++) {
    const qr = G.sigma * rng.normal(), qc = G.sigma * rng.normal();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const pr = i - c + qr, pc = j - c + qc;
        const u = (pc * Math.cos(th) - pr * Math.sin(th)) / a,
          v = (pc * Math.sin(th) + pr * Math.cos(th)) / b;
        if (u * u + v * v <= 1) counts[i * m + j]++;
      }
    }
  }
  return Float32Array.from(counts, (v) => v / G.samples);
}

Deno.test("renderEllipse() equals the brute-force Monte Carlo blur with the same draws", () => {
  for (const [a, b, th] of [[2, 31, 17], [12, 5, 89], [20, 20, 0], [3, 3, 45]]) {
    const fast = renderEllipse({ a, b, thetaDeg: th }, G, createRng(5));
    const slow = bruteForce(a, b, th, 5);
    assert.deepEqual(fast, slow, `a ${a}, b ${b}, θ ${th}`);
  }
});

Deno.test("renderEllipse() with σ = 0 is the indicator of the ellipse at pixel centres", () => {
  const img = renderEllipse({ a: 10, b: 4, thetaDeg: 0 }, { ...G, sigma: 0 }, createRng(1));
  // Along the central rows (31.5 − 0.5 off the axis) the ellipse spans |col − 31.5| ≤ 10·√(1 − (0.5/4)²).
  const half = 10 * Math.sqrt(1 - (0.5 / 4) ** 2);
  for (let j = 0; j < 64; j++) {
    assert.deepEqual(img[31 * 64 + j], Math.abs(j - 31.5) <= half ? 1 : 0);
  }
  assert.deepEqual(img[0], 0);
});

Deno.test("renderEllipse() keeps the area: Σx ≈ πab", () => {
  for (const [a, b, th] of [[25, 7, 30], [9, 14, 72], [31, 31, 0]]) {
    const img = renderEllipse({ a, b, thetaDeg: th }, G, createRng(2));
    const mass = img.reduce((s, v) => s + v, 0);
    const area = Math.PI * a * b;
    assert(Math.abs(mass - area) / area < 0.01, `a ${a}, b ${b}: mass ${mass} vs πab ${area}`);
  }
});

Deno.test("renderEllipse() of a circle matches the exact blurred disk within Monte Carlo noise", () => {
  const img = renderEllipse({ a: 12, b: 12, thetaDeg: 33 }, { ...G, samples: 2000 }, createRng(3));
  const exact = new ExactDiskRenderer({ size: 64, sigma: 0.5 }).render(12);
  let worst = 0;
  for (let k = 0; k < img.length; k++) worst = Math.max(worst, Math.abs(img[k] - exact[k]));
  // One pixel's count is binomial: sd ≤ 0.5/√2000 ≈ 0.011; 5 sd over 4096 pixels.
  assert(worst < 0.06, `worst difference ${worst}`);
});

Deno.test("renderEllipse() turns with θ: θ = 90° swaps the semi-axes", () => {
  const n1 = ellipseNorms({ a: 20, b: 6, thetaDeg: 90 }, 64);
  const n2 = ellipseNorms({ a: 6, b: 20, thetaDeg: 0 }, 64);
  for (let k = 0; k < n1.length; k++) assert(Math.abs(n1[k] - n2[k]) < 1e-12);
  // θ = 45°: the long axis runs from the bottom-left to the top-right on screen.
  const n3 = ellipseNorms({ a: 20, b: 3, thetaDeg: 45 }, 64);
  assert(n3[20 * 64 + 43] < 1 && n3[43 * 64 + 43] > 1 && n3[43 * 64 + 20] < 1);
});

Deno.test("sampleEllipses() draws the authors' integers: semi-axes 2..31, rotations 0..89", () => {
  const list = sampleEllipses(AUTHORS_ELLIPSES, 5000, createRng(9));
  const as = new Set(list.map((e) => e.a)), ths = new Set(list.map((e) => e.thetaDeg));
  assert.deepEqual(Math.min(...as), 2);
  assert.deepEqual(Math.max(...as), 31);
  assert.deepEqual(as.size, 30);
  assert.deepEqual(Math.min(...ths), 0);
  assert.deepEqual(Math.max(...ths), 89);
  assert(
    list.every((e) =>
      Number.isInteger(e.a) && Number.isInteger(e.b) && Number.isInteger(e.thetaDeg)
    ),
  );
});

Deno.test("generateEllipses() is deterministic and keeps the parameters independent of the blur", () => {
  const g = { ...G, samples: 20 };
  const a = generateEllipses(4, AUTHORS_ELLIPSES, g, createRng(1), createRng(2));
  const b = generateEllipses(4, AUTHORS_ELLIPSES, g, createRng(1), createRng(2));
  const c = generateEllipses(4, AUTHORS_ELLIPSES, g, createRng(1), createRng(3));
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.params, c.params);
  assert.deepEqual(a.params.length, 12);
});
