import assert from "node:assert/strict";
import { primeRangeKernel, primeRangeSumKernel } from "./prime_kernel.ts";
import type { RangeKernel, RangeSumKernel } from "./cpu_threads.ts";

Deno.test("primeRangeKernel() runs a kernel more than once over distinct, fractional inputs", () => {
  const calls: { a: Float32Array; b: Float32Array; s: number; lo: number; hi: number }[] = [];
  const spy: RangeKernel = (a, b, _out, s, lo, hi) => calls.push({ a, b, s, lo, hi });
  primeRangeKernel(spy, 0.3);
  assert.ok(calls.length > 1, `${calls.length} calls`);
  for (const c of calls) {
    assert.equal(c.s, 0.3);
    assert.equal(c.lo, 0);
    assert.ok(c.hi >= 256, `${c.hi} values`);
    const values = [...c.a.subarray(0, c.hi), ...c.b.subarray(0, c.hi)];
    assert.ok(values.some((v) => v < 0) && values.some((v) => v > 0));
    assert.ok(values.every((v) => !Number.isInteger(v)), "no whole numbers");
    assert.ok(c.a.some((v, i) => v !== c.b[i]), "the two inputs differ");
  }
});

Deno.test("primeRangeSumKernel() runs whole rows of every channel count, each with its own sums", () => {
  const seen: number[] = [];
  const spy: RangeSumKernel = (_a, _b, _out, _s, lo, hi, sums) => {
    assert.equal(lo, 0);
    assert.equal(hi % sums.length, 0, `${hi} values in rows of ${sums.length}`);
    seen.push(sums.length);
  };
  primeRangeSumKernel(spy, [1, 3, 8]);
  for (const K of [1, 3, 8]) assert.ok(seen.filter((k) => k === K).length > 1, `K = ${K}`);
});
