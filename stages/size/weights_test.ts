import { strict as assert } from "node:assert";
import { splitKernel } from "./weights.ts";

Deno.test("splitKernel() reads encoder kernels as [kh, kw, c_in, c_out]", () => {
  // 1×2 kernel, c_in = 2, c_out = 3: value = 100·tap + 10·i + o.
  const shape = [1, 2, 2, 3], k = new Float32Array(12);
  for (let tap = 0; tap < 2; tap++) {
    for (let i = 0; i < 2; i++) {
      for (let o = 0; o < 3; o++) k[(tap * 2 + i) * 3 + o] = 100 * tap + 10 * i + o;
    }
  }
  const f = splitKernel(k, shape, "encoder");
  assert.equal(f.length, 6);
  // Output channel outermost: filter 1 is (o = 0, i = 1).
  assert.deepEqual(Array.from(f[1]), [10, 110]);
  assert.deepEqual(Array.from(f[5]), [12, 112]);
});

Deno.test("splitKernel() reads decoder kernels as [kh, kw, c_out, c_in]", () => {
  const shape = [1, 2, 3, 2], k = new Float32Array(12);
  for (let tap = 0; tap < 2; tap++) {
    for (let o = 0; o < 3; o++) {
      for (let i = 0; i < 2; i++) k[(tap * 3 + o) * 2 + i] = 100 * tap + 10 * i + o;
    }
  }
  const f = splitKernel(k, shape, "decoder");
  assert.deepEqual(Array.from(f[1]), [10, 110]);
  assert.deepEqual(Array.from(f[5]), [12, 112]);
});
