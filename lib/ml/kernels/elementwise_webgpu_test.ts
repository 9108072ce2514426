import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { Adam, KERAS_ADAM } from "../adam.ts";
import { ADAM_STEP } from "./adam_step.ts";
import { LEAKY_RELU_GRAD } from "./leaky_relu_cpu.ts";
import { randomValues, relativeError } from "./_test_utils.ts";
import { onWebgpu, webgpuTest } from "./_on_webgpu.ts";

Deno.test({
  name: "leakyReluGradWebgpu() equals the composite dy·(α + (1 − α)·step(x)) bit for bit",
  ...webgpuTest,
  async fn() {
    await onWebgpu(async () => {
      const rng = createRng(7);
      const n = 4099; // not a multiple of the workgroup
      const xv = randomValues(rng, n), dyv = randomValues(rng, n);
      xv[0] = 0, xv[1] = -0, xv[2] = 1e-30, xv[3] = -1e-30;
      const x = tf.tensor1d(xv), dy = tf.tensor1d(dyv);
      const alpha = 0.2;
      const fused = tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
      const composite = tf.tidy(() =>
        tf.mul(dy, tf.add(tf.scalar(alpha), tf.mul(tf.scalar(1 - alpha), tf.step(x))))
      );
      assert.deepEqual(await fused.data(), await composite.data());
      assert.throws(
        () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: tf.zeros([3]), x }, { alpha }),
        /Cannot run LeakyReluGradOfModel: dy, x must be float32 of one shape/,
      );
      tf.dispose([x, dy, fused, composite]);
    });
  },
});

/**
 * Five Adam steps on two variables from fixed values; returns the weights and the state. With
 * `gan`, DCGAN's settings with weight decay and a learning-rate factor that changes per step.
 */
async function adamRun(seed: number, gan = false): Promise<Float32Array[]> {
  const rng = createRng(seed);
  const shapes = [[3, 3, 2, 4], [4]];
  const vars = shapes.map((s, i) =>
    tf.variable(tf.tensor(randomValues(rng, tf.util.sizeFromShape(s)), s), true, `w${seed}_${i}`)
  );
  const settings = gan
    ? { learningRate: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 }
    : KERAS_ADAM;
  const adam = new Adam(vars.map((v, i) => ({ name: `w${i}`, variable: v })), settings);
  for (let step = 0; step < 5; step++) {
    const grads = Object.fromEntries(
      vars.map((v) => [v.name, tf.tensor(randomValues(rng, v.size), v.shape)]),
    );
    const factor = gan ? tf.scalar(1 - step / 5) : undefined;
    adam.apply(grads, factor);
    tf.dispose([...Object.values(grads), ...(factor ? [factor] : [])]);
  }
  const out = [
    ...await Promise.all(vars.map(async (v) => await v.data() as Float32Array)),
    ...Object.values(await adam.readState()),
  ];
  adam.dispose();
  tf.dispose(vars);
  return out;
}

Deno.test({
  name:
    "adamStepWebgpu() gives the weights and state of the composite Adam, also with decay and factor",
  ...webgpuTest,
  async fn() {
    for (const gan of [false, true]) {
      let fused: Float32Array[] = [], composite: Float32Array[] = [];
      await onWebgpu(async () => {
        assert.ok(tf.getKernel(ADAM_STEP, "webgpu") !== undefined);
        fused = await adamRun(11, gan);
        tf.unregisterKernel(ADAM_STEP, "webgpu"); // the composite path, on the same backend
        composite = await adamRun(11, gan);
      });
      const cpu = await adamRun(11, gan);
      assert.equal(fused.length, 2 + 2 * 2 + 2);
      fused.forEach((f, i) => {
        assert.ok(relativeError(f, composite[i]) < 1e-6, `${gan}: entry ${i} vs webgpu composite`);
        assert.ok(relativeError(f, cpu[i]) < 1e-6, `${gan}: entry ${i} vs cpu`);
      });
      // The weights moved: the comparison is not between untouched initial values.
      const initial = randomValues(createRng(11), 72);
      assert.ok(relativeError(fused[0], initial) > 1e-4);
    }
  },
});

Deno.test({
  name: "installFastKernels() keeps webgpu ops on the GPU, and restoreStockKernels() undoes it",
  ...webgpuTest,
  async fn() {
    const before = tf.env().getBool("WEBGPU_CPU_FORWARD");
    await onWebgpu(() => {
      assert.equal(tf.env().getBool("WEBGPU_CPU_FORWARD"), false);
      return Promise.resolve();
    });
    assert.equal(tf.env().getBool("WEBGPU_CPU_FORWARD"), before);
  },
});
