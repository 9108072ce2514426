import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { addNInputLimit } from "./add_n_webgpu.ts";
import { onWebgpu, webgpuTest } from "./_on_webgpu.ts";

Deno.test("addNInputLimit() leaves one storage binding for the output", () => {
  const backend = (n: number) => ({ device: { limits: { maxStorageBuffersPerShaderStage: n } } });
  assert.equal(addNInputLimit(backend(8)), 7);
  assert.equal(addNInputLimit(backend(10)), 9);
  assert.equal(addNInputLimit(backend(2)), 2);
});

Deno.test({
  name: "tfjs's own webgpu AddN of 12 inputs is an invalid pipeline (why makeAddNWebgpu() exists)",
  ...webgpuTest,
  async fn() {
    await assert.rejects(
      onWebgpu(async () => {
        const xs = Array.from({ length: 12 }, (_, i) => tf.scalar(i + 1));
        await tf.addN(xs).data();
      }, { stock: true }),
      /AddN|storage|StorageBuffers|invalid/i,
    );
  },
});

Deno.test({
  name: "makeAddNWebgpu() sums any number of inputs exactly, gradients included",
  ...webgpuTest,
  async fn() {
    await onWebgpu(async (device) => {
      assert.equal(device.limits.maxStorageBuffersPerShaderStage, 8);
      // Small integers: every partial sum is exact in float32, whatever the grouping.
      for (const n of [1, 2, 7, 8, 12, 49, 50]) {
        const xs = Array.from({ length: n }, (_, i) => tf.fill([3], i + 1));
        const sum = tf.addN(xs);
        assert.deepEqual([...await sum.data()], new Array(3).fill(n * (n + 1) / 2), `n = ${n}`);
        tf.dispose([...xs, sum]);
      }
      // ψ2's shape of use: Σᵢ ‖wᵢ‖² over 12 variables; d/dwᵢ = 2wᵢ for every one of them.
      const ws = Array.from({ length: 12 }, (_, i) => tf.variable(tf.fill([2], i + 1)));
      const { value, grads } = tf.variableGrads(
        () => tf.addN(ws.map((w) => tf.sum(tf.square(w)))) as tf.Scalar,
        ws,
      );
      assert.equal((await value.data())[0], 2 * 650); // 2 · Σ i², i = 1..12
      for (const [i, w] of ws.entries()) {
        assert.deepEqual([...await grads[w.name].data()], [2 * (i + 1), 2 * (i + 1)], w.name);
      }
      tf.dispose([value, ...Object.values(grads), ...ws]);
    });
  },
});
