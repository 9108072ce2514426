import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { BINARY_CPU_KERNELS, repeatsAlongLeadingAxes } from "./binary_cpu.ts";
import { installFastKernels } from "./install.ts";
import { randomValues, withStockKernels } from "./_test_utils.ts";

await tf.setBackend("cpu");

/** Shape pairs covering each fast path and some that must fall back to the stock kernel. */
const SHAPE_PAIRS: [number[], number[]][] = [
  [[3, 5, 4, 2], [3, 5, 4, 2]], // same shape
  [[3, 5, 4, 2], []], // scalar b
  [[], [3, 5, 4, 2]], // scalar a
  [[1, 1, 1, 1], [3, 5, 4, 1]], // size-1 tensor a (the stock kernel's slow path)
  [[3, 5, 4, 2], [2]], // bias
  [[2], [3, 5, 4, 2]],
  [[3, 5, 4, 2], [1, 1, 4, 2]], // repeats along leading axes
  [[7], [7]],
  [[3, 1, 4, 2], [3, 5, 1, 2]], // general broadcast: stock
  [[3, 5, 4, 2], [3, 1, 1, 2]], // repeats along inner axes: stock
  [[4, 1], [1, 3]],
];

Deno.test("makeBinaryCpu() kernels equal the stock kernels bit for bit", () => {
  installFastKernels("cpu");
  const rng = createRng(201);
  for (const kernel of BINARY_CPU_KERNELS) {
    for (const [sa, sb] of SHAPE_PAIRS) {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      const a = tf.tensor(randomValues(rng, size(sa)), sa);
      // Nonzero divisors; some equal values so that Greater sees ties.
      const bv = randomValues(rng, size(sb)).map((v, i) => (i % 5 === 0 ? 0.5 : v) || 0.25);
      const b = tf.tensor(bv, sb);
      const run = () => {
        const out = tf.engine().runKernel(kernel, { a, b }) as tf.Tensor;
        const r = { shape: out.shape, dtype: out.dtype, values: out.dataSync() };
        out.dispose();
        return r;
      };
      const stock = withStockKernels("cpu", run);
      assert.deepEqual(run(), stock, `${kernel} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      tf.dispose([a, b]);
    }
  }
});

Deno.test("makeBinaryCpu() kernels hand int32 inputs to the stock kernels", () => {
  installFastKernels("cpu");
  const a = tf.tensor([1, 2, 3, 4], [2, 2], "int32");
  const b = tf.tensor([2], [1], "int32");
  const out = tf.engine().runKernel("Multiply", { a, b }) as tf.Tensor;
  assert.equal(out.dtype, "int32");
  assert.deepEqual(Array.from(out.dataSync()), [2, 4, 6, 8]);
  tf.dispose([a, b, out]);
});

Deno.test("repeatsAlongLeadingAxes() accepts tails and leading ones only", () => {
  assert.equal(repeatsAlongLeadingAxes([8], [300, 32, 32, 8]), true);
  assert.equal(repeatsAlongLeadingAxes([1, 1, 32, 8], [300, 32, 32, 8]), true);
  assert.equal(repeatsAlongLeadingAxes([], [3]), true);
  assert.equal(repeatsAlongLeadingAxes([1, 32, 1, 8], [300, 32, 32, 8]), false);
  assert.equal(repeatsAlongLeadingAxes([2, 8], [300, 32, 32, 8]), false);
  assert.equal(repeatsAlongLeadingAxes([5, 3], [3]), false);
});
