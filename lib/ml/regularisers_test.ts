import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.ts";
import { type AutoencoderConfig, createAutoencoder, diskAutoencoderConfig } from "./model.ts";
import { HAND, HAND_WEIGHTS } from "./test_fixtures.ts";
import {
  contractiveTerm,
  denoisingTerm,
  encoderWeightDecayTerm,
  latentDistanceTerm,
  nearestNeighbours,
  reconstructionError,
  weightDecayTerm,
} from "./regularisers.ts";

await initBackend("cpu");

function handModel() {
  const m = createAutoencoder(HAND, 0);
  m.writeWeights(HAND_WEIGHTS);
  return m;
}

const value = (t: tf.Tensor) => t.dataSync()[0];

Deno.test("the hand model computes D(E(x)) = [x0 + x1, x0 + x1]", () => {
  const m = handModel();
  try {
    tf.tidy(() => {
      assert.deepEqual([...m.reconstruct(tf.tensor([1, 2], [1, 1, 2, 1])).dataSync()], [3, 3]);
    });
  } finally {
    m.dispose();
  }
});

Deno.test("reconstructionError() sums per example and averages over the batch (sum), or averages all (mean)", () => {
  tf.tidy(() => {
    const y = tf.tensor([[1, 2], [3, 4]]), t = tf.zeros([2, 2]);
    assert.equal(value(reconstructionError(y, t, "sum")), (1 + 4 + 9 + 16) / 2);
    assert.equal(value(reconstructionError(y, t, "mean")), (1 + 4 + 9 + 16) / 4);
  });
});

Deno.test("latentDistanceTerm() is (1/B) Σ (‖x − x'‖² − ‖z − z'‖²)²", () => {
  tf.tidy(() => {
    const x = tf.tensor([[1, 0], [0, 0]]), xn = tf.tensor([[0, 0], [0, 2]]);
    const z = tf.tensor([[1], [0]]), zn = tf.tensor([[0], [1]]);
    // Distances: images 1 and 4, codes 1 and 1 → ((1 − 1)² + (4 − 1)²) / 2 = 4.5.
    assert.equal(value(latentDistanceTerm(x, xn, z, zn)), 4.5);
  });
});

Deno.test("weightDecayTerm() and encoderWeightDecayTerm() sum squared kernels, never biases", () => {
  const cfg = diskAutoencoderConfig({
    inputShape: [4, 4, 1],
    encoderDepths: [1, 2, 1],
    decoderDepths: [1, 2, 1],
  });
  const m = createAutoencoder(cfg, 1);
  try {
    // Encoder kernels 9·2 + 9·2 = 36 values at 0.5, decoder kernels 36 values at 2, biases at 7.
    m.writeWeights(Object.fromEntries(m.variables.map((v) => [
      v.name,
      new Float32Array(v.variable.size).fill(
        v.role === "bias" ? 7 : v.part === "encoder" ? 0.5 : 2,
      ),
    ])));
    tf.tidy(() => {
      assert.equal(value(encoderWeightDecayTerm(m)), 36 * 0.25);
      assert.equal(value(weightDecayTerm(m)), 36 * 0.25 + 36 * 4);
    });
  } finally {
    m.dispose();
  }
});

Deno.test("denoisingTerm() is ‖D(E(x + η)) − x‖² on the hand model", () => {
  const m = handModel();
  try {
    tf.tidy(() => {
      // x = [1, 2], η = [0.5, −1]: z = 2.5, output [2.5, 2.5], error 1.5² + 0.5² = 2.5.
      const x = tf.tensor([1, 2], [1, 1, 2, 1]), eta = tf.tensor([0.5, -1], [1, 1, 2, 1]);
      assert.equal(value(denoisingTerm(m, x, eta, "sum")), 2.5);
      assert.equal(value(denoisingTerm(m, x, eta, "mean")), 1.25);
    });
  } finally {
    m.dispose();
  }
});

Deno.test("contractiveTerm() is the squared Frobenius norm of ∂E/∂x, averaged over the batch", () => {
  const m = handModel();
  try {
    tf.tidy(() => {
      // ∂z/∂x = [1, 1] for every input: 2.
      assert.equal(value(contractiveTerm(m, tf.tensor([1, 2, -3, 5], [2, 1, 2, 1]))), 2);
    });
    // With encoder kernel [3, -2, 0]: 13.
    m.writeWeights({ ...HAND_WEIGHTS, encoder_0_kernel: new Float32Array([3, -2, 0]) });
    tf.tidy(() => assert.equal(value(contractiveTerm(m, tf.tensor([1, 2], [1, 1, 2, 1]))), 13));
  } finally {
    m.dispose();
  }
});

Deno.test("contractiveTerm() sums over code components when d > 1 and is differentiable", () => {
  // Encoder 1×2 input, 1 layer with 2 output channels: z_j = Σ_k w[k, j] x[k].
  const cfg: AutoencoderConfig = { ...HAND, encoderDepths: [1, 2], decoderDepths: null };
  const m = createAutoencoder(cfg, 0);
  try {
    // Kernel [1, 3, 1, 2] in C order: (k, j) → w[k·2 + j]; z0 = x0 + 2 x1, z1 = 3 x0 − x1.
    m.writeWeights({ encoder_0_kernel: new Float32Array([1, 3, 2, -1, 0, 0]) });
    tf.tidy(() => {
      const x = tf.tensor([1, 2], [1, 1, 2, 1]);
      assert.equal(value(contractiveTerm(m, x)), 1 + 4 + 9 + 1);
      // d/dw of Σ w² is 2w: the gradient flows through the input gradient.
      const g = tf.variableGrads(() => contractiveTerm(m, x), [m.variables[0].variable]).grads;
      assert.deepEqual([...Object.values(g)[0].dataSync()], [2, 6, 4, -2, 0, 0]);
    });
  } finally {
    m.dispose();
  }
});

Deno.test("nearestNeighbours() finds the k closest keys, self excluded, ties to the smaller index", () => {
  const keys = [5, 1, 2, 10, 3];
  assert.deepEqual([...nearestNeighbours(keys, 2)], [
    4,
    2, // 5: 3 (d 2), then 2 (d 3)
    2,
    4, // 1: 2, 3
    1,
    4, // 2: 1 and 3 tie at 1 → index 1 first, then 4
    0,
    4, // 10: 5, 3
    2,
    0, // 3: 2 (d 1), then 5 and 1 tie at 2 → index 0
  ]);
  assert.throws(() => nearestNeighbours(keys, 5), /neighbours/);
});
