import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installFastKernels } from "./install.ts";
import { stepValues } from "./step_cpu.ts";
import { withStockKernels } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("stepValues() gives 1 above zero, alpha elsewhere, NaN for NaN", () => {
  const out = stepValues(new Float32Array([-2, -0, 0, 1e-30, 3, NaN, -Infinity, Infinity]), 0.25);
  assert.deepEqual(Array.from(out), [0.25, 0.25, 0.25, 1, 1, NaN, 0.25, 1]);
});

Deno.test("makeStepCpu() equals the stock Step bit for bit", () => {
  installFastKernels("cpu");
  const x = tf.tensor([-1.5, 0, 2, NaN, 1e-40, -1e-40, 7], [7]);
  for (const alpha of [0, 0.2]) {
    const run = () => {
      const out = tf.engine().runKernel("Step", { x }, { alpha }) as tf.Tensor;
      const r = { dtype: out.dtype, shape: out.shape, values: Array.from(out.dataSync()) };
      out.dispose();
      return r;
    };
    assert.deepEqual(run(), withStockKernels("cpu", run));
  }
  const xi = tf.tensor([-1, 0, 2], [3], "int32");
  const out = tf.step(xi);
  assert.equal(out.dtype, "int32");
  assert.deepEqual(Array.from(out.dataSync()), [0, 0, 1]);
  tf.dispose([x, xi, out]);
});
