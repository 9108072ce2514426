import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  fastKernelNames,
  fastKernelsInstalled,
  installFastKernels,
  restoreStockKernels,
} from "./install.ts";

await tf.setBackend("cpu");

Deno.test("installFastKernels() is idempotent and restoreStockKernels() undoes it", () => {
  const names = fastKernelNames("cpu");
  assert.ok(names.includes("Conv2DBackpropFilter"));
  // Kernels of our own have no stock registration: absent before, present after.
  const stock = names.map((n) => tf.getKernel(n, "cpu")?.kernelFunc);
  assert.ok(names.includes("LeakyReluGradOfModel"));
  assert.equal(stock[names.indexOf("LeakyReluGradOfModel")], undefined);
  installFastKernels("cpu");
  assert.ok(fastKernelsInstalled("cpu"));
  const fast = names.map((n) => tf.getKernel(n, "cpu").kernelFunc);
  fast.forEach((f, i) => assert.notEqual(f, stock[i], names[i]));
  installFastKernels("cpu");
  assert.deepEqual(names.map((n) => tf.getKernel(n, "cpu").kernelFunc), fast);
  restoreStockKernels("cpu");
  assert.ok(!fastKernelsInstalled("cpu"));
  assert.deepEqual(names.map((n) => tf.getKernel(n, "cpu")?.kernelFunc), stock);
  restoreStockKernels("cpu");
  assert.deepEqual(names.map((n) => tf.getKernel(n, "cpu")?.kernelFunc), stock);
});

Deno.test("installFastKernels() does nothing for a backend without fast kernels", () => {
  assert.deepEqual(fastKernelNames("tensorflow"), []);
  installFastKernels("tensorflow");
  assert.ok(!fastKernelsInstalled("tensorflow"));
});

Deno.test({
  name: "installFastKernels() refuses a backend whose stock kernels are not registered",
  // This test module never imports the webgpu package, so its kernels are not registered (unless
  // another module in the same isolate did).
  ignore: tf.getKernel("Conv2DBackpropFilter", "webgpu") !== undefined,
}, () => {
  assert.throws(() => installFastKernels("webgpu"), /import the backend package/);
  assert.ok(!fastKernelsInstalled("webgpu"));
});

Deno.test("a training step gives the same gradients with fast and stock kernels", () => {
  const x = tf.randomUniform([3, 16, 16, 1], 0, 1, "float32", 7) as tf.Tensor4D;
  const w1 = tf.randomUniform([3, 3, 1, 4], -0.5, 0.5, "float32", 8) as tf.Tensor4D;
  const b1 = tf.randomUniform([4], -0.1, 0.1, "float32", 9);
  const w2 = tf.randomUniform([3, 3, 1, 4], -0.5, 0.5, "float32", 10) as tf.Tensor4D;
  const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    const h = tf.leakyRelu(
      tf.add(tf.conv2d(x, a as tf.Tensor4D, 2, "same"), b),
      0.2,
    ) as tf.Tensor4D;
    const y = tf.conv2dTranspose(h, c as tf.Tensor4D, [3, 16, 16, 1], 2, "same");
    return tf.mean(tf.squaredDifference(y, x));
  };
  const grads = () => tf.grads(loss)([w1, b1, w2]).map((g) => g.dataSync());
  restoreStockKernels("cpu");
  const stock = grads();
  installFastKernels("cpu");
  const fast = grads();
  for (let i = 0; i < stock.length; i++) {
    let num = 0, den = 0;
    for (let j = 0; j < stock[i].length; j++) {
      num += (fast[i][j] - stock[i][j]) ** 2;
      den += stock[i][j] ** 2;
    }
    assert.ok(Math.sqrt(num / den) < 1e-5, `gradient ${i}: ${Math.sqrt(num / den)}`);
  }
  tf.dispose([x, w1, b1, w2]);
});
