import assert from "node:assert/strict";
import { createRng, deriveSeed, permutation } from "./random.ts";

Deno.test("createRng() gives the same sequence for the same seed and another for another", () => {
  const a = createRng(42), b = createRng(42), c = createRng(43);
  const sa = Array.from({ length: 10 }, () => a.nextUint32());
  assert.deepEqual(sa, Array.from({ length: 10 }, () => b.nextUint32()));
  assert.notDeepEqual(sa, Array.from({ length: 10 }, () => c.nextUint32()));
});

Deno.test("createRng() draws uniforms in [0, 1) and normals with mean 0 and variance 1", () => {
  const r = createRng(7);
  let s = 0, s2 = 0, lo = 1, hi = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(lo >= 0 && hi < 1);
  assert.ok(Math.abs(s / n) < 0.01, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.02, `variance ${s2 / n}`);
});

Deno.test("deriveSeed() is pure and separates labels and numbers", () => {
  assert.equal(deriveSeed(1, "order", 3), deriveSeed(1, "order", 3));
  const seeds = new Set([
    deriveSeed(1, "order", 3),
    deriveSeed(1, "order", 4),
    deriveSeed(2, "order", 3),
    deriveSeed(1, "noise", 3),
    deriveSeed(1, "order3"),
  ]);
  assert.equal(seeds.size, 5);
  assert.equal(createRng(5).fork("x").seed, deriveSeed(5, "x"));
});

Deno.test("permutation() returns each index once", () => {
  const p = permutation(1000, createRng(3));
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual([...p.subarray(0, 10)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});
