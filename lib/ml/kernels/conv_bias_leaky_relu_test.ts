import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { convBiasLeakyRelu } from "./conv_bias_leaky_relu.ts";
import { applyEpilogue } from "./epilogue.ts";
import { imageKernelImpl, setCpuThreads } from "./cpu_threads.ts";
import { installFastKernels } from "./install.ts";
import { leakyReluGrad } from "./leaky_relu_cpu.ts";
import {
  type ConvCase,
  describeCase,
  paperEncoderCases,
  randomConvCases,
  randomValues,
  sameBytes,
  withEachImageKernelImpl,
} from "./_test_utils.ts";

const ALPHA = 0.2;

/** The model's separate ops: tfjs's LeakyRelu forward, our gradient kernel on the saved input. */
const leaky = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.leakyRelu(x, ALPHA),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      leakyReluGrad(dy, saved[0], ALPHA, () => tf.mul(dy, tf.step(saved[0]))),
    ],
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;

interface Outputs {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

/**
 * y and the gradients of Σ r·y with respect to x, the filter and the bias, through `layer`
 * (`r` random: an upstream gradient with both signs).
 */
function run(
  layer: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D,
  r: tf.Tensor,
): Outputs {
  return tf.tidy(() => {
    const y = layer(x, w, b);
    const [dx, dw, db] = tf.grads((x, w, b) =>
      tf.sum(tf.mul(layer(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D), r))
    )([x, w, b]);
    return {
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dw: dw.dataSync() as Float32Array,
      db: db.dataSync() as Float32Array,
    };
  });
}

/** Checks the fused layer against the separate ops on `c`, both as a convolution and transposed. */
function checkCase(c: ConvCase, seed: number, poison: boolean): void {
  const rng = createRng(seed);
  const pad = c.pad as "same" | "valid";
  const [n, , , C] = c.xShape;
  const K = c.filterShape[3];
  const g = c.geometry;
  const x = tf.tensor4d(randomValues(rng, c.xShape.reduce((a, b) => a * b)), c.xShape);
  const w = tf.tensor4d(randomValues(rng, c.filterShape.reduce((a, b) => a * b)), c.filterShape);
  const dyShape: [number, number, number, number] = [n, g.outHeight, g.outWidth, K];
  const z = randomValues(rng, dyShape.reduce((a, b) => a * b));
  if (poison) z[0] = NaN; // a NaN input of the transposed layer: NaN outputs and gradients
  const zT = tf.tensor4d(z, dyShape);
  const bConv = tf.tensor1d(randomValues(rng, K));
  const bT = tf.tensor1d(randomValues(rng, C));
  const rConv = tf.tensor(randomValues(rng, z.length), dyShape);
  const rT = tf.tensor(randomValues(rng, x.size), c.xShape);
  const attrs = { strides: c.strides, pad, alpha: ALPHA };

  const fusedConv = run((x, w, b) => convBiasLeakyRelu(x, w, b, attrs)!, x, w, bConv, rConv);
  const opsConv = run(
    (x, w, b) => leaky(tf.add(tf.conv2d(x, w, c.strides, pad), b)),
    x,
    w,
    bConv,
    rConv,
  );
  const outShape = c.xShape;
  const fusedT = run(
    (x, w, b) => convBiasLeakyRelu(x, w, b, { ...attrs, outShape })!,
    zT,
    w,
    bT,
    rT,
  );
  const opsT = run(
    (x, w, b) => leaky(tf.add(tf.conv2dTranspose(x, w, outShape, c.strides, pad), b)),
    zT,
    w,
    bT,
    rT,
  );
  for (
    const [what, f, o] of [["conv", fusedConv, opsConv], ["transposed", fusedT, opsT]] as const
  ) {
    for (const key of ["y", "dx", "dw", "db"] as const) {
      assert.ok(
        sameBytes(f[key], o[key]),
        `${what} ${key} differs from the separate ops (${imageKernelImpl()}): ${describeCase(c)}`,
      );
    }
  }
  tf.dispose([x, w, zT, bConv, bT, rConv, rT]);
}

/** Same-and-valid cases: random shapes (channels 1–9), the paper's encoder, a NaN input. */
function cases(): ConvCase[] {
  return [
    ...randomConvCases(301, 45).filter((c) => typeof c.pad === "string"),
    ...paperEncoderCases(3),
  ];
}

Deno.test("a fused layer gives the bytes of convolution, bias and leaky ReLU, values and gradients", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  withEachImageKernelImpl(() => cases().forEach((c, i) => checkCase(c, 400 + i, i % 7 === 3)));
});

/** Random input, filter, bias and upstream gradient of the paper's first layer at batch `n`. */
function firstLayer(n: number, seed: number) {
  const [c] = paperEncoderCases(n);
  const rng = createRng(seed);
  return {
    x: tf.tensor4d(randomValues(rng, n * 64 * 64), c.xShape),
    w: tf.tensor4d(randomValues(rng, 72), c.filterShape),
    b: tf.tensor1d(randomValues(rng, 8)),
    r: tf.tensor(randomValues(rng, n * 32 * 32 * 8), [n, 32, 32, 8]),
  };
}

/** The paper's first layer (3×3, stride 2, `same`), saying whether it needs its input gradient. */
function paperLayer(inputGrad?: boolean) {
  return (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) =>
    convBiasLeakyRelu(x, w, b, { strides: [2, 2], pad: "same", alpha: ALPHA, inputGrad })!;
}

Deno.test("a fused layer gives the same bytes on one thread and on two", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  // Large enough to be shared out: 30 images of the paper's first layer.
  const { x, w, b, r } = firstLayer(30, 9);
  const layer = paperLayer();
  try {
    await setCpuThreads(1);
    const one = run(layer, x, w, b, r);
    await setCpuThreads(2);
    const two = run(layer, x, w, b, r);
    for (const key of ["y", "dx", "dw", "db"] as const) {
      assert.ok(sameBytes(one[key], two[key]), `${key} differs between one and two threads`);
    }
  } finally {
    await setCpuThreads(1);
    tf.dispose([x, w, b, r]);
  }
});

Deno.test("a layer that needs no input gradient still gives one when asked", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const { x, w, b, r } = firstLayer(3, 3);
  // tf.grads asks for every input's gradient, the data's too: the three calls give it.
  const asked = run(paperLayer(true), x, w, b, r), notAsked = run(paperLayer(false), x, w, b, r);
  for (const key of ["y", "dx", "dw", "db"] as const) {
    assert.ok(sameBytes(asked[key], notAsked[key]), `${key} differs`);
  }
  tf.dispose([x, w, b, r]);
});

Deno.test("applyEpilogue() rounds as an addition then LeakyRelu: NaN kept, -0 kept, alpha in double", () => {
  const y = new Float32Array([1, -1, NaN, -0, 0.1, -3e-45, -7]);
  // A bias of −0 leaves every value's sign as it is (−0 + −0 is −0; +0 would make it +0).
  applyEpilogue(y, 0, y.length, { bias: new Float32Array([-0]), alpha: ALPHA });
  // −7·α is float32(−1.4000000000000001) = −1.399999976…; a float32 α would give −1.4000000953….
  const expected = new Float32Array([1, Math.fround(-1 * ALPHA), NaN, -0, 0.1, -0, -7 * ALPHA]);
  assert.ok(sameBytes(y, expected), `got ${Array.from(y)}`);
  // Channel by channel: value i takes bias[i mod K].
  const z = new Float32Array([0, 0, 0, 0, 0, 0]);
  applyEpilogue(z, 0, 6, { bias: new Float32Array([1, -1, 2]), alpha: 0.5 });
  assert.deepEqual(Array.from(z), [1, -0.5, 2, 1, -0.5, 2]);
});

Deno.test("convBiasLeakyRelu() is null where the backend has no fused kernel, or for alpha < 0", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const w = tf.zeros([3, 3, 1, 2]) as tf.Tensor4D;
  const b = tf.zeros([2]);
  assert.equal(convBiasLeakyRelu(x, w, b, { strides: [1, 1], pad: "same", alpha: -0.1 }), null);
  const y = convBiasLeakyRelu(x, w, b, { strides: [1, 1], pad: "same", alpha: 0.2 });
  assert.deepEqual(y?.shape, [1, 4, 4, 2]);
  tf.dispose([x, w, b, y!]);
});
