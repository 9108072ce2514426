import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.ts";
import { FusedLosses } from "./fused_losses.ts";
import { createAutoencoder } from "./model.ts";
import { createRng } from "./random.ts";
import { kernelSquaredNorm, latentDistanceTerm, reconstructionError } from "./regularisers.ts";
import { TINY } from "./test_fixtures.ts";

await initBackend("cpu");

function random(shape: number[], seed: number): tf.Tensor {
  const r = createRng(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal()),
    shape,
  );
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

Deno.test("FusedLosses.squaredError() has the values and gradients of reconstructionError()", () => {
  for (const reduction of ["sum", "mean"] as const) {
    const losses = new FusedLosses(reduction, 4, 12);
    tf.tidy(() => {
      const y = random([4, 3, 4, 1], 1), t = random([4, 3, 4, 1], 2);
      close(
        losses.squaredError(y, t).dataSync(),
        reconstructionError(y, t, reduction).dataSync(),
        "value",
      );
      const fused = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(losses.squaredError(a, b), 3))([
        y,
        t,
      ]);
      const plain = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.mul(reconstructionError(a, b, reduction), 3)
      )([y, t]);
      fused.forEach((g, i) => close(g.dataSync(), plain[i].dataSync(), `${reduction} grad ${i}`));
    });
    losses.dispose();
  }
});

Deno.test("FusedLosses.latentDistance() has the values and code gradients of latentDistanceTerm()", () => {
  const losses = new FusedLosses("sum", 5, 8);
  tf.tidy(() => {
    const x = random([5, 8], 3),
      xn = random([5, 8], 4),
      z = random([5, 2], 5),
      zn = random([5, 2], 6);
    close(
      losses.latentDistance(x, xn, z, zn).dataSync(),
      latentDistanceTerm(x, xn, z, zn).dataSync(),
      "value",
    );
    const fused = tf.grads((a: tf.Tensor, b: tf.Tensor) => losses.latentDistance(x, xn, a, b))([
      z,
      zn,
    ]);
    const plain = tf.grads((a: tf.Tensor, b: tf.Tensor) => latentDistanceTerm(x, xn, a, b))([
      z,
      zn,
    ]);
    fused.forEach((g, i) => close(g.dataSync(), plain[i].dataSync(), `grad ${i}`));
  });
  losses.dispose();
});

Deno.test("FusedLosses.kernelSquaredNorm() has the values and gradients of kernelSquaredNorm()", () => {
  const losses = new FusedLosses("sum", 1, 1);
  const m = createAutoencoder(TINY, 3);
  try {
    const vars = m.variables.map((v) => v.variable);
    tf.tidy(() => {
      close(
        losses.kernelSquaredNorm(m.variables).dataSync(),
        kernelSquaredNorm(m.variables).dataSync(),
        "value",
      );
      const fused = tf.variableGrads(
        () => losses.kernelSquaredNorm(m.encoderWeights),
        vars.slice(0, 8),
      );
      const plain = tf.variableGrads(() => kernelSquaredNorm(m.encoderWeights), vars.slice(0, 8));
      for (const name of Object.keys(plain.grads)) {
        close(fused.grads[name].dataSync(), plain.grads[name].dataSync(), name);
      }
    });
  } finally {
    m.dispose();
    losses.dispose();
  }
});

Deno.test("FusedLosses.dispose() frees its constants", () => {
  const before = tf.memory().numTensors;
  new FusedLosses("mean", 3, 4).dispose();
  assert.equal(tf.memory().numTensors, before);
});
