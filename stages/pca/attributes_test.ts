import assert from "node:assert/strict";
import { measureAttributes } from "./attributes.ts";

function image(m: number, f: (i: number, j: number) => number): Float32Array {
  return Float32Array.from({ length: m * m }, (_, p) => f(Math.floor(p / m), p % m));
}

Deno.test("measureAttributes() gives the mass and unit ratios for a symmetric image", () => {
  const a = measureAttributes(image(8, () => 0.5), 8);
  assert.deepEqual(a.area[0], 32);
  assert.deepEqual(a.hvRatio[0], 1);
  assert.deepEqual(a.diagRatio[0], 1);
});

Deno.test("measureAttributes() reads a horizontal bar as H > 1 and a diagonal one as V > 1", () => {
  const m = 16;
  const bar = image(m, (i, j) => (i >= 7 && i <= 8 && j >= 2 && j <= 13 ? 1 : 0));
  const h = measureAttributes(bar, m);
  // Central rows 7 and 8 each hold 12; central columns 7 and 8 each hold 2.
  assert.deepEqual(h.hvRatio[0], 12 / 2);
  const diag = image(m, (i, j) => (Math.abs(i - j) <= 1 ? 1 : 0));
  const d = measureAttributes(diag, m);
  // The main diagonal holds 16; the anti-diagonal crosses the band at 2 pixels (i = 7, 8).
  assert.deepEqual(d.diagRatio[0], 16 / 2);
  assert(d.hvRatio[0] === 1);
});

Deno.test("measureAttributes() handles several images and odd sizes", () => {
  const m = 5;
  const one = image(m, (i) => (i === 2 ? 1 : 0)), two = image(m, (_, j) => (j === 2 ? 2 : 0));
  const both = new Float32Array(50);
  both.set(one, 0);
  both.set(two, 25);
  const a = measureAttributes(both, m);
  assert.deepEqual(Array.from(a.area), [5, 10]);
  assert.deepEqual(Array.from(a.hvRatio), [5, 0.2]);
});
