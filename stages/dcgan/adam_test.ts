import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/ml/backend.ts";
import { Adam } from "../../lib/ml/adam.ts";
import { DCGAN_ADAM, learningRateFactor } from "./adam.ts";

await initBackend("cpu");

Deno.test("learningRateFactor() is iGAN's constant-then-linear schedule", () => {
  assert.equal(learningRateFactor(0, 100, 50), 1);
  assert.equal(learningRateFactor(49, 100, 50), 1);
  assert.equal(learningRateFactor(50, 100, 50), 1);
  assert.equal(learningRateFactor(75, 100, 50), 0.5);
  assert.equal(learningRateFactor(99, 100, 50), 0.02);
  assert.equal(learningRateFactor(10, 100, 100), 1);
});

Deno.test("DCGAN_ADAM is DCGAN's Adam (lr 2e-4, β1 0.5) with iGAN's l2 of 1e-5", () => {
  assert.deepEqual(DCGAN_ADAM, {
    learningRate: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 1e-5,
  });
});

Deno.test("Adam.apply() matches the formula, with weight decay and the factor", async () => {
  const settings = { learningRate: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 1e-8, weightDecay: 0.01 };
  const theta = tf.variable(tf.tensor1d([1, -2]));
  const adam = new Adam([{ name: "w", variable: theta }], settings);
  const grads = [[0.5, 0.25], [-1, 2]];
  const factors = [1, 0.5];
  let th = [1, -2], m = [0, 0], v = [0, 0];
  for (let t = 1; t <= 2; t++) {
    const g = tf.tensor1d(grads[t - 1]), f = tf.scalar(factors[t - 1]);
    adam.apply({ [theta.name]: g }, f);
    tf.dispose([g, f]);
    const lrT = 0.1 * factors[t - 1] * Math.sqrt(1 - 0.9 ** t) / (1 - 0.5 ** t);
    const gd = grads[t - 1].map((gi, i) => gi + 0.01 * th[i]);
    m = m.map((mi, i) => mi + (gd[i] - mi) * 0.5);
    v = v.map((vi, i) => vi + (gd[i] ** 2 - vi) * 0.1);
    th = th.map((x, i) => x - lrT * m[i] / (Math.sqrt(v[i]) + 1e-8));
  }
  const got = await theta.data();
  th.forEach((x, i) =>
    assert.ok(Math.abs(got[i] - x) < 1e-6, `θ[${i}] = ${got[i]}, expected ${x}`)
  );
  // State round trip.
  const state = await adam.readState();
  const other = new Adam([{ name: "w", variable: theta }], settings);
  other.writeState(state);
  assert.deepEqual(await other.readState(), state);
  assert.throws(() => other.writeState({}), /Cannot restore Adam state/);
  adam.dispose();
  other.dispose();
  theta.dispose();
});
