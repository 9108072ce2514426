import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/ml/backend.ts";
import type { Autoencoder } from "../../lib/ml/model.ts";
import { authorsConfig } from "./model.ts";
import { evaluateDiskModel } from "./evaluate.ts";
import { AUTHORS_CENTRE, AUTHORS_SIZE, authorsTestDisks } from "./test_disks.ts";

await initBackend("cpu");

/**
 * A stand-in autoencoder with known answers: the code is the image's mean (the disk's area
 * over m², so z is affine in r², not in r), and the decoder draws the disk of that area back
 * with a soft edge.
 */
function areaModel(): Autoencoder {
  const m = AUTHORS_SIZE, [cy, cx] = AUTHORS_CENTRE;
  const dist = tf.tensor4d(
    Float32Array.from(
      { length: m * m },
      (_, p) => Math.hypot(Math.floor(p / m) - cy, (p % m) - cx),
    ),
    [1, m, m, 1],
  );
  const encode = (x: tf.Tensor) =>
    tf.tidy(() => tf.mean(tf.reshape(x, [-1, m * m]), 1, true) as tf.Tensor2D);
  const decode = (z: tf.Tensor) =>
    tf.tidy(() => {
      const r = tf.sqrt(tf.mul(tf.reshape(z, [-1, 1, 1, 1]), (m * m) / Math.PI));
      return tf.sigmoid(tf.div(tf.sub(r, dist), 0.3)) as tf.Tensor4D;
    });
  return {
    config: authorsConfig(),
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

Deno.test("evaluateDiskModel(): a model whose code is the area passes ae-d1 and latent, and z follows r²", async () => {
  const model = areaModel();
  try {
    const set = authorsTestDisks(40, 0, 31.5);
    const ms = await evaluateDiskModel(model, set, {
      range: [2, 30],
      threshold: 0.5,
      interpolateFrom: 4,
      interpolateTo: 28,
      interpolateSteps: 5,
    });
    assert.equal(ms.inRange.length, set.radii.filter((r) => r >= 2 && r <= 30).length);
    assert.ok(ms.meanIoU > 0.9, `mean IoU ${ms.meanIoU}`);
    assert.equal(ms.mono.violations, 0);
    assert.equal(ms.mono.direction, 1);
    assert.ok(ms.onArea.r2 > 0.999, `R² on r² ${ms.onArea.r2}`);
    assert.ok(ms.onArea.r2 > ms.onRadius.r2);
    assert.equal(ms.zPath.length, 5);
    assert.equal(ms.decoded.length, 5 * AUTHORS_SIZE * AUTHORS_SIZE);
    assert.ok(Math.abs(ms.rHat[0] - set.radii[ms.from]) < 1, `r̂ ${ms.rHat[0]}`);
    assert.equal(ms.pathMono.violations, 0);
  } finally {
    model.dispose();
  }
});

Deno.test("evaluateDiskModel() refuses a range with fewer than two test radii", async () => {
  const model = areaModel();
  try {
    const set = authorsTestDisks(4, 0, 30);
    await assert.rejects(
      () =>
        evaluateDiskModel(model, set, {
          range: [5, 15],
          threshold: 0.5,
          interpolateFrom: 0,
          interpolateTo: 30,
          interpolateSteps: 2,
        }),
      /1 test radius in range/,
    );
  } finally {
    model.dispose();
  }
});
