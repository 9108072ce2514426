import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.ts";
import {
  type AutoencoderConfig,
  createAutoencoder,
  describeArchitecture,
  diskAutoencoderConfig,
  glorotUniform,
  latentShape,
  positionDecoderConfig,
  positionEncoderConfig,
} from "./model.ts";
import { createRng } from "./random.ts";
import { CONV_STACK, CONV_STACK_BACKWARD, convStackBackwardCpu } from "./kernels/conv_stack.ts";

await initBackend("cpu");

/** A 16×16 autoencoder with four layers: small enough for exhaustive checks. */
const TINY: AutoencoderConfig = diskAutoencoderConfig({
  inputShape: [16, 16, 1],
  encoderDepths: [1, 3, 2, 2, 1],
  decoderDepths: [1, 2, 2, 3, 1],
});

function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const r = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * r.normal()), shape);
}

Deno.test("describeArchitecture() gives P-Tab 1's shapes: 64×64×1 → 1×1×1 → 64×64×1", () => {
  const rows = describeArchitecture(diskAutoencoderConfig());
  assert.equal(rows.length, 12);
  assert.deepEqual(rows.slice(0, 6).map((r) => r.outShape), [
    [32, 32, 8],
    [16, 16, 4],
    [8, 8, 4],
    [4, 4, 3],
    [2, 2, 2],
    [1, 1, 1],
  ]);
  assert.deepEqual(rows.slice(6).map((r) => r.outShape), [
    [2, 2, 2],
    [4, 4, 3],
    [8, 8, 4],
    [16, 16, 4],
    [32, 32, 8],
    [64, 64, 1],
  ]);
  assert.deepEqual(rows[0].kernelShape, [3, 3, 1, 8]);
  assert.deepEqual(rows[11].kernelShape, [3, 3, 1, 8]);
  // Encoder: 9·(1·8 + 8·4 + 4·4 + 4·3 + 3·2 + 2·1) + (8+4+4+3+2+1) biases.
  const enc = rows.slice(0, 6).reduce((a, r) => a + r.params, 0);
  assert.equal(enc, 9 * (8 + 32 + 16 + 12 + 6 + 2) + 22);
  const dec = rows.slice(6).reduce((a, r) => a + r.params, 0);
  assert.equal(dec, 9 * (2 + 6 + 12 + 16 + 32 + 8) + (2 + 3 + 4 + 4 + 8 + 1));
  assert.deepEqual(latentShape(diskAutoencoderConfig()), [1, 1, 1]);
  assert.equal(rows[5].activation, "leaky_relu");
});

Deno.test("createAutoencoder() maps [B, 64, 64, 1] to [B, 1] and back", () => {
  const m = createAutoencoder(diskAutoencoderConfig(), 1);
  try {
    const x = tf.zeros([2, 64, 64, 1]);
    const z = m.encode(x);
    assert.deepEqual(z.shape, [2, 1]);
    const y = m.decode(z);
    assert.deepEqual(y.shape, [2, 64, 64, 1]);
    tf.dispose([x, z, y]);
  } finally {
    m.dispose();
  }
});

Deno.test("createAutoencoder() builds the 1-D position encoder and decoder of P§5", () => {
  const enc = createAutoencoder(positionEncoderConfig(), 2);
  const dec = createAutoencoder(positionDecoderConfig(), 2);
  try {
    assert.equal(enc.decoderWeights.length, 0);
    assert.equal(dec.encoderWeights.length, 0);
    assert.deepEqual(enc.variables.map((v) => v.variable.shape)[0], [1, 3, 1, 1]);
    const z = tf.tidy(() => enc.encode(tf.zeros([3, 1, 64, 1])));
    assert.deepEqual(z.shape, [3, 1]);
    const y = tf.tidy(() => dec.decode(tf.ones([3, 1])));
    assert.deepEqual(y.shape, [3, 1, 64, 1]);
    assert.deepEqual(describeArchitecture(positionDecoderConfig()).map((r) => r.outShape[2]), [
      2,
      4,
      4,
      4,
      8,
      1,
    ]);
    assert.throws(() => enc.decode(z), /no decoder/);
    tf.dispose([z, y]);
  } finally {
    enc.dispose();
    dec.dispose();
  }
});

Deno.test("the decoder's transposed convolution is the adjoint of the encoder's convolution", () => {
  // <conv(x, w), y> = <x, convT(y, w)>: same padding convention on both sides.
  tf.tidy(() => {
    for (
      const [shape, k, s] of [[[2, 16, 16, 3], [3, 3, 3, 2], [2, 2]], [
        [2, 1, 64, 1],
        [1, 3, 1, 1],
        [1, 2],
      ]] as const
    ) {
      const x = randomTensor([...shape], 1) as tf.Tensor4D;
      const w = randomTensor([...k], 2) as tf.Tensor4D;
      const y = tf.conv2d(x, w, [...s] as [number, number], "same");
      const v = randomTensor(y.shape, 3) as tf.Tensor4D;
      const xt = tf.conv2dTranspose(
        v,
        w,
        [...shape] as [number, number, number, number],
        [...s] as [number, number],
        "same",
      );
      const a = tf.sum(tf.mul(y, v)).dataSync()[0], b = tf.sum(tf.mul(x, xt)).dataSync()[0];
      assert.ok(Math.abs(a - b) < 1e-4 * Math.max(1, Math.abs(a)), `${a} vs ${b}`);
    }
  });
});

Deno.test("the encoder's 'same' padding reads inputs 2i, 2i+1, 2i+2 (zero pad after the end)", () => {
  tf.tidy(() => {
    const x = tf.tensor(Float32Array.from({ length: 8 }, (_, i) => 10 ** i % 9973), [
      1,
      1,
      8,
      1,
    ]) as tf.Tensor4D;
    const w = tf.tensor([1, 100, 10000], [1, 3, 1, 1]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, [1, 2], "same").dataSync();
    const xs = [...x.dataSync(), 0];
    assert.deepEqual(
      [...y],
      [0, 1, 2, 3].map((i) => Math.fround(xs[2 * i] + 100 * xs[2 * i + 1] + 10000 * xs[2 * i + 2])),
    );
  });
});

Deno.test("glorotUniform() is seeded, bounded by √(6/(fan_in+fan_out)) and spread over the range", () => {
  const a = glorotUniform([3, 3, 8, 4], 5), b = glorotUniform([3, 3, 8, 4], 5);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, glorotUniform([3, 3, 8, 4], 6));
  const limit = Math.sqrt(6 / (9 * 8 + 9 * 4));
  assert.ok(a.every((v) => Math.abs(v) <= limit));
  assert.ok(Math.max(...a) > 0.9 * limit && Math.min(...a) < -0.9 * limit);
});

Deno.test("createAutoencoder() initialises identically for the same seed, biases at zero", async () => {
  const m1 = createAutoencoder(TINY, 9), m2 = createAutoencoder(TINY, 9);
  const enc = createAutoencoder({ ...TINY, decoderDepths: null }, 9);
  try {
    const w1 = await m1.readWeights(), w2 = await m2.readWeights(), we = await enc.readWeights();
    assert.deepEqual(w1, w2);
    assert.deepEqual(we.encoder_0_kernel, w1.encoder_0_kernel); // same draws encoder-only
    assert.ok(w1.encoder_0_bias.every((v) => v === 0));
  } finally {
    m1.dispose();
    m2.dispose();
    enc.dispose();
  }
});

Deno.test("the twice-differentiable leaky ReLU gives tf.leakyRelu's outputs up to float32 rounding", () => {
  // tf.leakyRelu multiplies by α in double precision, the other form by α in float32: the
  // last bit may differ.
  const m = createAutoencoder(TINY, 3);
  try {
    tf.tidy(() => {
      const x = randomTensor([4, 16, 16, 1], 8);
      const a = m.reconstruct(x).dataSync(),
        b = m.reconstruct(x, { twiceDifferentiable: true }).dataSync();
      const scale = Math.max(...a.map(Math.abs));
      assert.ok(a.every((v, i) => Math.abs(v - b[i]) <= 1e-5 * scale));
    });
  } finally {
    m.dispose();
  }
});

Deno.test("reconstruct() gradients agree with central finite differences", () => {
  // Directional derivatives of L(θ) = Σ (D(E(x)) − x)² along random directions u of the whole
  // parameter vector: [L(θ + εu) − L(θ − εu)] / 2ε against ⟨∇L, u⟩. Float32 limits the
  // agreement: ε = 1e-3 balances rounding (~1e-7·L/ε) against curvature and leaky-ReLU kinks.
  const m = createAutoencoder(TINY, 4);
  try {
    const x = tf.tidy(() => tf.abs(randomTensor([3, 16, 16, 1], 12)));
    // Non-zero biases so that every term of the gradient is exercised.
    m.writeWeights(Object.fromEntries(m.variables.map((v, i) => {
      const w = v.variable.dataSync() as Float32Array;
      return [
        v.name,
        v.role === "bias" ? Float32Array.from(w, (_, k) => 0.05 * Math.sin(i + k)) : w,
      ];
    })));
    const vars = m.variables.map((v) => v.variable);
    const lossAt = () =>
      tf.tidy(() => tf.sum(tf.squaredDifference(m.reconstruct(x), x)).dataSync()[0]);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.squaredDifference(m.reconstruct(x), x)) as tf.Scalar,
      vars,
    );
    const base = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const rng = createRng(77);
    const eps = 1e-3;
    for (let trial = 0; trial < 4; trial++) {
      const dirs = base.map((b) => Float32Array.from(b, () => rng.normal()));
      const norm = Math.sqrt(dirs.reduce((a, d) => a + d.reduce((s, v) => s + v * v, 0), 0));
      let analytic = 0;
      vars.forEach((v, i) => {
        const g = grads[v.name].dataSync();
        for (let k = 0; k < g.length; k++) analytic += (g[k] * dirs[i][k]) / norm;
      });
      const shift = (sign: number) =>
        vars.forEach((v, i) =>
          v.assign(
            tf.tensor(
              Float32Array.from(base[i], (b, k) => b + (sign * eps * dirs[i][k]) / norm),
              v.shape,
            ),
          )
        );
      shift(1);
      const up = lossAt();
      shift(-1);
      const down = lossAt();
      shift(0);
      const numeric = (up - down) / (2 * eps);
      const rel = Math.abs(numeric - analytic) / Math.max(Math.abs(analytic), 1e-3);
      assert.ok(
        rel < 2e-2,
        `trial ${trial}: analytic ${analytic}, numeric ${numeric}, relative error ${rel}`,
      );
    }
    tf.dispose([x, ...Object.values(grads)]);
  } finally {
    m.dispose();
  }
});

Deno.test("on the cpu, reconstruct runs the whole model as one stack, encode and decode one each, with the layers' bytes", async () => {
  const m = createAutoencoder(TINY, 5);
  const x = tf.tidy(() => tf.abs(randomTensor([5, 16, 16, 1], 13)));
  // The loss's value and its gradient with respect to every weight, as bytes, through the whole
  // model in one call or through its two parts.
  const lossAndGrads = (whole: boolean) =>
    tf.tidy(() => {
      const y = () => whole ? m.reconstruct(x) : m.decode(m.encode(x));
      const f = () => tf.sum(tf.squaredDifference(y(), x)) as tf.Scalar;
      const { value, grads } = tf.variableGrads(f, m.variables.map((v) => v.variable));
      return [value, ...Object.values(grads)].map((t) => Array.from(t.dataSync()));
    });
  const stackCalls = async (whole: boolean) => {
    const names = (await tf.profile(() => lossAndGrads(whole))).kernels.map((k) => k.name);
    return [CONV_STACK, CONV_STACK_BACKWARD].map((n) => names.filter((k) => k === n).length);
  };
  try {
    m.writeWeights(Object.fromEntries(m.variables.map((v, i) => {
      const w = v.variable.dataSync() as Float32Array;
      return [
        v.name,
        v.role === "bias" ? Float32Array.from(w, (_, k) => 0.05 * Math.cos(i + k)) : w,
      ];
    })));
    assert.deepEqual(await stackCalls(true), [1, 1], "one stack forward, one backward");
    assert.deepEqual(await stackCalls(false), [2, 2], "a stack per part, each way");
    const whole = lossAndGrads(true), parts = lossAndGrads(false);
    tf.unregisterKernel(CONV_STACK_BACKWARD, "cpu");
    let layered: number[][];
    try {
      layered = lossAndGrads(true);
    } finally {
      tf.registerKernel({
        kernelName: CONV_STACK_BACKWARD,
        backendName: "cpu",
        kernelFunc: convStackBackwardCpu,
      });
    }
    assert.deepEqual(whole, parts);
    assert.deepEqual(whole, layered);
  } finally {
    x.dispose();
    m.dispose();
  }
});

Deno.test("Proposition 1: a decoder without biases satisfies D(λz) = λD(z) for λ > 0", () => {
  const m = createAutoencoder(
    diskAutoencoderConfig({ encoderDepths: null, decoderBias: false }),
    21,
  );
  try {
    tf.tidy(() => {
      for (const z0 of [0.7, -1.3, 4]) {
        const z = tf.tensor2d([[z0]]);
        const y = m.decode(z).dataSync();
        const scale = Math.max(...y.map(Math.abs));
        assert.ok(scale > 0);
        for (const lambda of [0.01, 0.5, 2, 37]) {
          const ly = m.decode(tf.mul(z, lambda)).dataSync();
          let worst = 0;
          for (let i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(ly[i] - lambda * y[i]));
          }
          assert.ok(worst <= 1e-5 * lambda * scale, `z ${z0}, λ ${lambda}: max deviation ${worst}`);
        }
      }
      // With biases the property fails, as it should.
    });
  } finally {
    m.dispose();
  }
  const withBias = createAutoencoder(diskAutoencoderConfig({ encoderDepths: null }), 21);
  try {
    // Zero biases at initialisation: shift them so the model really has biases.
    withBias.writeWeights(Object.fromEntries(withBias.variables.map((v) => [
      v.name,
      v.role === "bias"
        ? new Float32Array(v.variable.size).fill(0.1)
        : v.variable.dataSync() as Float32Array,
    ])));
    tf.tidy(() => {
      const y = withBias.decode(tf.tensor2d([[1]])).dataSync();
      const y2 = withBias.decode(tf.tensor2d([[2]])).dataSync();
      assert.ok(y.some((v, i) => Math.abs(y2[i] - 2 * v) > 1e-3));
    });
  } finally {
    withBias.dispose();
  }
});

Deno.test("validateConfig() rejects inconsistent configurations with a clear message", () => {
  assert.throws(
    () => createAutoencoder(diskAutoencoderConfig({ inputShape: [60, 60, 1] }), 1),
    /divisible/,
  );
  assert.throws(
    () => createAutoencoder(diskAutoencoderConfig({ decoderDepths: [1, 2, 1] }), 1),
    /differ in depth/,
  );
  assert.throws(
    () => createAutoencoder(diskAutoencoderConfig({ encoderDepths: null, decoderDepths: null }), 1),
    /neither/,
  );
});

Deno.test("createAutoencoder() and dispose() leave no tensor behind", () => {
  const before = tf.memory().numTensors;
  const m = createAutoencoder(TINY, 1);
  tf.tidy(() => {
    m.reconstruct(tf.zeros([2, 16, 16, 1]));
  });
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("'valid' padding: 63 → 31 → 15 → 7 → 3 → 1 and back, as the authors' code", () => {
  const config = diskAutoencoderConfig({
    inputShape: [63, 63, 1],
    encoderDepths: [1, 8, 4, 3, 2, 1],
    decoderDepths: [1, 2, 3, 4, 8, 1],
    alpha: 0.05,
    padding: "valid",
  });
  const rows = describeArchitecture(config);
  assert.deepEqual(rows.map((r) => r.outShape[0]), [31, 15, 7, 3, 1, 3, 7, 15, 31, 63]);
  assert.deepEqual(latentShape(config), [1, 1, 1]);
  const model = createAutoencoder(config, 3);
  try {
    const y = tf.tidy(() => model.reconstruct(tf.ones([2, 63, 63, 1])));
    assert.deepEqual(y.shape, [2, 63, 63, 1]);
    y.dispose();
  } finally {
    model.dispose();
  }
  // 64 does not come back through five 'valid' layers: refused before anything is built.
  assert.throws(
    () => describeArchitecture({ ...config, inputShape: [64, 64, 1] }),
    /Cannot build autoencoder: input size 64 does not come back through 5 'valid' layers/,
  );
});
