import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/ml/backend.ts";
import { diskAutoencoderConfig } from "../../lib/ml/model.ts";
import type { Autoencoder } from "../../lib/ml/model.ts";
import { evaluateModel, renderDisks, type TestSet } from "./evaluate.ts";

await initBackend("cpu");

const M = 64;

/**
 * A stand-in autoencoder with known answers: the code is the image's mean (the disk's area
 * over m²), and the decoder draws the disk of that area back with a soft edge, except for radii
 * in `broken`, where it draws nothing: a model that fails exactly there.
 */
function failingModel(broken: readonly [number, number]): Autoencoder {
  const c = (M - 1) / 2;
  const dist = tf.tensor4d(
    Float32Array.from({ length: M * M }, (_, p) => Math.hypot(Math.floor(p / M) - c, (p % M) - c)),
    [1, M, M, 1],
  );
  const encode = (x: tf.Tensor) =>
    tf.tidy(() => tf.mean(tf.reshape(x, [-1, M * M]), 1, true) as tf.Tensor2D);
  const decode = (z: tf.Tensor) =>
    tf.tidy(() => {
      const r = tf.sqrt(tf.mul(tf.reshape(z, [-1, 1, 1, 1]), (M * M) / Math.PI));
      // 1 below and above the broken range, 0 in it (step(x) = 1 for x > 0).
      const keep = tf.add(tf.step(tf.sub(broken[0], r)), tf.step(tf.sub(r, broken[1])));
      return tf.mul(tf.sigmoid(tf.div(tf.sub(r, dist), 0.3)), keep) as tf.Tensor4D;
    });
  return {
    config: diskAutoencoderConfig(),
    latentSize: 1,
    variables: [],
    encoderWeights: [],
    decoderWeights: [],
    encode,
    decode,
    reconstruct: (x) => tf.tidy(() => decode(encode(x))),
    readWeights: () => Promise.resolve({}),
    writeWeights: () => {},
    dispose: () => dist.dispose(),
  };
}

function testSet(): TestSet {
  const radii = Array.from({ length: 57 }, (_, i) => 2 + i * 0.5);
  return { images: renderDisks(radii, M), radii: Float64Array.from(radii), size: M };
}

Deno.test("evaluateModel() measures the hole it is given, not a built-in one", async () => {
  const model = failingModel([10.8, 18.2]);
  try {
    const test = testSet();
    const right = await evaluateModel(model, test, [11, 18]);
    assert.ok(right.hole.ratio > 100, `ratio ${right.hole.ratio}`);
    // r̂ follows r outside the broken range and is 0 inside it.
    right.radii.forEach((r, i) => {
      if (r >= 11 && r <= 18) assert.equal(right.radiusHat[i], 0, `r = ${r}`);
      else assert.ok(Math.abs(right.radiusHat[i] - r) < 0.5, `r = ${r}: ${right.radiusHat[i]}`);
    });
    // The same model measured with another hole: the failure now counts as "outside".
    const moved = await evaluateModel(model, test, [20, 25]);
    assert.ok(moved.hole.ratio < 0.1, `ratio ${moved.hole.ratio}`);
    assert.equal(moved.acrossHole.steps, right.radii.filter((r) => r >= 19 && r <= 26).length - 1);
  } finally {
    model.dispose();
  }
});
