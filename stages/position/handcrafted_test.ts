import assert from "node:assert/strict";
import { encode, encodeLayers, filterSubsample, oneHot } from "./handcrafted.ts";

Deno.test("filterSubsample() reproduces the §5.1 example for n = 4", () => {
  // x = [1, 0, 0, 0] → u(1) = [2, 0] → u(2) = 4; x = [0, 0, 0, 1] → u(2) = 1.
  assert.deepEqual(encodeLayers([1, 0, 0, 0]), [[2, 0], [4]]);
  assert.equal(encode([0, 0, 0, 1]), 1);
});

Deno.test("encodeLayers() reproduces the boundary columns of Table 2 (n = 8)", () => {
  assert.deepEqual(encodeLayers(oneHot(8, 1)), [[1, 1, 0, 0], [3, 1], [7]]);
  assert.deepEqual(encodeLayers(oneHot(8, 7)), [[0, 0, 0, 1], [0, 1], [1]]);
});

Deno.test("encode() is linear and gives 2^L − a on every one-hot vector up to L = 6", () => {
  for (let L = 1; L <= 6; L++) {
    const n = 2 ** L;
    for (let a = 0; a < n; a++) assert.equal(encode(oneHot(n, a)), n - a);
  }
  // Linearity (Eq. 15): E(x) = Σ (2^L − i) x_i for an arbitrary integer x.
  const x = [3, -1, 4, 1, -5, 9, 2, 6];
  assert.equal(encode(x), x.reduce((s, xi, i) => s + (8 - i) * xi, 0));
});

Deno.test("encode() with odd-position subsampling gives a + 1 instead", () => {
  for (let a = 0; a < 16; a++) assert.equal(encode(oneHot(16, a), { offset: 1 }), a + 1);
});

Deno.test("filterSubsample() rejects odd sizes and encodeLayers() non-powers of two", () => {
  assert.throws(() => filterSubsample([1, 2, 3]), RangeError);
  assert.throws(() => encodeLayers([1, 0, 0, 0, 0, 0]), RangeError);
  assert.throws(() => oneHot(4, 4), RangeError);
  assert.throws(() => filterSubsample([0.25, 0]), RangeError);
});
