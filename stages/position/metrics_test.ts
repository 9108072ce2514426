import assert from "node:assert/strict";
import {
  compareWithPhi,
  cosine,
  diracShapeErrors,
  effectiveTaps,
  linearFit,
  normaliseRows,
  peakErrors,
} from "./metrics.ts";
import { dirac, gridPositions } from "./diracs.ts";

Deno.test("cosine() is 1 for parallel, −1 for opposite and 0 for orthogonal vectors", () => {
  assert.ok(Math.abs(cosine([1, 2, 1], [3, 6, 3]) - 1) < 1e-12);
  assert.ok(Math.abs(cosine([1, 2, 1], [-1, -2, -1]) + 1) < 1e-12);
  assert.equal(cosine([1, 0, 0], [0, 1, 0]), 0);
  assert.equal(cosine([0, 0, 0], [1, 2, 1]), 0);
});

Deno.test("effectiveTaps() finds the one tap of the last layer that only meets the zero pad", () => {
  // TensorFlow "same", k = 3, s = 2: output i reads 2i, 2i+1, 2i+2; pad after the signal.
  assert.deepEqual(effectiveTaps(64), [true, true, true]);
  assert.deepEqual(effectiveTaps(4), [true, true, true]);
  assert.deepEqual(effectiveTaps(2), [true, true, false]);
});

Deno.test("compareWithPhi() scores ±[1, 2, 1] as ±1 and ignores the dead tap of the last layer", () => {
  assert.ok(Math.abs(compareWithPhi([2, 4, 2], 64).cosine - 1) < 1e-12);
  assert.ok(Math.abs(compareWithPhi([-0.5, -1, -0.5], 8).cosine + 1) < 1e-12);
  const last = compareWithPhi([-1, -2, 7], 2);
  assert.ok(Math.abs(last.cosine + 1) < 1e-12);
  assert.ok(last.cosineAllTaps > 0);
  assert.ok(Number.isNaN(last.normalised[2]) && Number.isNaN(last.reference[2]));
  // Sign-aligned, unit norm on the effective taps.
  const n = last.normalised;
  assert.ok(Math.abs(n[0] - 1 / Math.sqrt(5)) < 1e-12 && Math.abs(n[1] - 2 / Math.sqrt(5)) < 1e-12);
  // A different filter: cos([1, 0, 1], [1, 2, 1]) = 2 / (√2 √6) = 1/√3.
  assert.ok(Math.abs(compareWithPhi([1, 0, 1], 64).cosine - 1 / Math.sqrt(3)) < 1e-12);
});

Deno.test("peakErrors() gives at most 0.5 for exact triangular Diracs and finds the worst one", () => {
  const positions = gridPositions(127, 0, 63);
  const out = new Float32Array(127 * 64);
  positions.forEach((a, i) => out.set(dirac("triangular", 64, a), i * 64));
  const e = peakErrors(out, 64, positions);
  assert.ok(e.maxError <= 0.5);
  assert.equal(e.fractionWithin, 1);
  // Move one output's peak 3 samples away.
  out.fill(0, 10 * 64, 11 * 64);
  out[10 * 64 + Math.round(positions[10]) + 3] = 1;
  const f = peakErrors(out, 64, positions);
  assert.ok(Math.abs(f.maxError - Math.abs(Math.round(positions[10]) + 3 - positions[10])) < 1e-12);
  assert.equal(f.worstPosition, positions[10]);
  assert.equal(f.fractionWithin, 126 / 127);
});

Deno.test("normaliseRows() scales each row by its largest absolute value", () => {
  const n = normaliseRows([1, 2, -4, 0, 0, 0], 3);
  assert.deepEqual(Array.from(n), [0.25, 0.5, -1, 0, 0, 0]);
});

Deno.test("linearFit() recovers an exact line and R² = 1", () => {
  const x = [0, 1, 2, 3], y = x.map((v) => 64 - v);
  const f = linearFit(x, y);
  assert.ok(
    Math.abs(f.slope + 1) < 1e-12 && Math.abs(f.intercept - 64) < 1e-12 &&
      Math.abs(f.r2 - 1) < 1e-12,
  );
});

Deno.test("diracShapeErrors() is 0 for exact triangles and positive for one-hot outputs between integers", () => {
  const positions = [3, 3.5, 10.25];
  const tri = new Float32Array(3 * 16), hot = new Float32Array(3 * 16);
  positions.forEach((a, i) => {
    tri.set(dirac("triangular", 16, a), i * 16);
    hot[i * 16 + Math.round(a)] = 2; // scale does not matter: rows are normalised
  });
  const target = (a: number) => dirac("triangular", 16, a);
  const exact = diracShapeErrors(tri, 16, positions, target);
  assert.ok(exact.atIntegers < 1e-7 && exact.between < 1e-7);
  const snapped = diracShapeErrors(hot, 16, positions, target);
  assert.ok(snapped.atIntegers < 1e-7);
  // a = 3.5: target normalised [1, 1] against [1, 0] → one unit error over 16 samples;
  // a = 10.25: target [1, 1/3] against [1, 0] → (1/3)² / 16.
  assert.ok(Math.abs(snapped.between - Math.sqrt((1 / 16 + 1 / 9 / 16) / 2)) < 1e-7);
});
