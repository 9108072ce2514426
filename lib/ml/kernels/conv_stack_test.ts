import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import type { Rng } from "../../../pipeline/stage.ts";
import { convBiasLeakyRelu } from "./conv_bias_leaky_relu.ts";
import {
  CONV_STACK_BACKWARD,
  convStack,
  type ConvStackAttrs,
  type StackLayer,
  stackSpecs,
} from "./conv_stack.ts";
import { imageKernelImpl, setCpuThreads } from "./cpu_threads.ts";
import { installFastKernels, restoreStockKernels } from "./install.ts";
import { randomValues, sameBytes, withEachImageKernelImpl } from "./_test_utils.ts";

const ALPHA = 0.2;
type Shape4 = [number, number, number, number];

/** A model's layers as the test draws them: filters and biases, output shapes if transposed. */
interface Drawn {
  x: tf.Tensor4D;
  layers: StackLayer[];
  /** The upstream gradient of the last output. */
  r: tf.Tensor;
}

function tensor4(rng: Rng, shape: Shape4): tf.Tensor4D {
  return tf.tensor4d(randomValues(rng, shape.reduce((a, b) => a * b)), shape);
}

/**
 * Square images of `side` pixels and `depths[0]` channels through convolutions of kernel `k`,
 * stride 2, down the depths, then transposed convolutions back up (the autoencoder's shape).
 */
function draw(n: number, side: number, depths: number[], pad: "same" | "valid", seed: number) {
  const rng = createRng(seed);
  const k = 3;
  const x = tensor4(rng, [n, side, side, depths[0]]);
  const layers: StackLayer[] = [];
  const sides = [side];
  for (let i = 0; i + 1 < depths.length; i++) {
    const s = sides[i];
    sides.push(pad === "same" ? Math.ceil(s / 2) : Math.floor((s - k) / 2) + 1);
    layers.push({
      filter: tensor4(rng, [k, k, depths[i], depths[i + 1]]),
      bias: tf.tensor1d(randomValues(rng, depths[i + 1])),
    });
  }
  for (let i = depths.length - 1; i > 0; i--) {
    // Back from depth i at side sides[i] to depth i − 1 at side sides[i − 1].
    layers.push({
      filter: tensor4(rng, [k, k, depths[i - 1], depths[i]]),
      bias: tf.tensor1d(randomValues(rng, depths[i - 1])),
      outShape: [n, sides[i - 1], sides[i - 1], depths[i - 1]],
    });
  }
  const r = tf.tensor(randomValues(rng, x.size), x.shape);
  return { x, layers, r } satisfies Drawn;
}

/** The layers one fused kernel at a time, as the model runs them without the stack. */
function oneByOne(x: tf.Tensor4D, layers: StackLayer[], a: ConvStackAttrs): tf.Tensor4D {
  let h = x;
  layers.forEach((l, i) => {
    h = convBiasLeakyRelu(h, l.filter, l.bias, {
      strides: a.strides,
      pad: a.pad,
      alpha: a.alpha,
      outShape: l.outShape,
      inputGrad: i > 0 || a.inputGrad,
    })!;
  });
  return h;
}

/** The output and the gradients of Σ r·output with respect to x and every weight. */
function outputsAndGrads(
  pass: (x: tf.Tensor4D, layers: StackLayer[]) => tf.Tensor4D,
  d: Drawn,
): Float32Array[] {
  return tf.tidy(() => {
    const weights = d.layers.flatMap((l) => [l.filter, l.bias]);
    const withWeights = (x: tf.Tensor, ws: tf.Tensor[]) =>
      pass(
        x as tf.Tensor4D,
        d.layers.map((l, i) => ({ ...l, filter: ws[2 * i] as tf.Tensor4D, bias: ws[2 * i + 1] })),
      );
    const y = withWeights(d.x, weights);
    const grads = tf.grads((x, ...ws) => tf.sum(tf.mul(withWeights(x, ws), d.r)))([
      d.x,
      ...weights,
    ]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function dispose(d: Drawn): void {
  tf.dispose([d.x, d.r, ...d.layers.flatMap((l) => [l.filter, l.bias])]);
}

const SAME: ConvStackAttrs = { strides: [2, 2], pad: "same", alpha: ALPHA, inputGrad: true };

/** Checks the stack against the layers one by one, byte for byte, output and every gradient. */
function checkAgainstLayers(d: Drawn, attrs: ConvStackAttrs, what: string): void {
  const stacked = outputsAndGrads((x, ls) => convStack(x, ls, attrs)!, d);
  const layered = outputsAndGrads((x, ls) => oneByOne(x, ls, attrs), d);
  const names = ["output", "input gradient", ...d.layers.flatMap((_, i) => [`w${i}`, `b${i}`])];
  stacked.forEach((v, i) =>
    assert.ok(
      sameBytes(v, layered[i]),
      `${what} (${imageKernelImpl()}): the stack's ${names[i]} differs from the layers'`,
    )
  );
}

Deno.test("convStack() gives the bytes of the fused layers one by one, output and gradients", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  withEachImageKernelImpl(() => {
    // The paper's autoencoder (64 → 1 and back), an odd batch, channels not multiples of 4.
    const paper = draw(7, 64, [1, 8, 4, 4, 3, 2, 1], "same", 1);
    checkAgainstLayers(paper, SAME, "paper, same");
    dispose(paper);
    const valid = draw(3, 31, [2, 5, 3, 1], "valid", 2);
    checkAgainstLayers(valid, { ...SAME, pad: "valid" }, "valid");
    dispose(valid);
  });
});

Deno.test("convStack() gives the same bytes on one thread and two", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  // 23 images: three chunks, shared out, the last one short.
  const d = draw(23, 64, [1, 8, 4, 4, 3, 2, 1], "same", 3);
  const stack = (x: tf.Tensor4D, ls: StackLayer[]) => convStack(x, ls, SAME)!;
  try {
    await setCpuThreads(1);
    const one = outputsAndGrads(stack, d);
    await setCpuThreads(2);
    const two = outputsAndGrads(stack, d);
    one.forEach((v, i) => assert.ok(sameBytes(v, two[i]), `value ${i} differs between threads`));
  } finally {
    await setCpuThreads(1);
    dispose(d);
  }
});

Deno.test("convStack(): a stack told its input needs no gradient still gives one when asked", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const d = draw(2, 16, [1, 4, 2], "same", 4);
  const notAsked = { ...SAME, inputGrad: false };
  // tf.grads asks for the input's gradient too: a second backward call gives it.
  const a = outputsAndGrads((x, ls) => convStack(x, ls, notAsked)!, d);
  const b = outputsAndGrads((x, ls) => convStack(x, ls, SAME)!, d);
  a.forEach((v, i) => assert.ok(sameBytes(v, b[i]), `value ${i} differs`));
  dispose(d);
});

Deno.test("convStack() leaves no tensor behind, with or without a gradient", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const d = draw(2, 16, [1, 4, 2], "same", 5);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    convStack(d.x, d.layers, SAME);
  });
  outputsAndGrads((x, ls) => convStack(x, ls, SAME)!, d);
  assert.equal(tf.memory().numTensors, before);
  dispose(d);
});

Deno.test("convStack() and stackSpecs() are null without the cpu's fast kernels, or for alpha < 0", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const d = draw(1, 8, [1, 2], "same", 6);
  const shape = d.x.shape as [number, number, number, number];
  assert.notEqual(stackSpecs(shape, d.layers, SAME), null);
  assert.equal(convStack(d.x, d.layers, { ...SAME, alpha: -0.1 }), null);
  assert.equal(stackSpecs(shape, d.layers, { ...SAME, alpha: -0.1 }), null);
  assert.equal(convStack(d.x, [], SAME), null);
  assert.equal(stackSpecs(shape, [], SAME), null);
  restoreStockKernels("cpu");
  try {
    assert.equal(tf.getKernel(CONV_STACK_BACKWARD, "cpu"), undefined);
    assert.equal(convStack(d.x, d.layers, SAME), null);
    assert.equal(stackSpecs(shape, d.layers, SAME), null);
  } finally {
    installFastKernels("cpu");
    dispose(d);
  }
});

Deno.test("convStack(): layers whose shapes do not chain are an error naming the layer", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const d = draw(1, 8, [1, 2], "same", 7);
  const wrong = [d.layers[0], { ...d.layers[1], outShape: [1, 6, 6, 1] as Shape4 }];
  assert.throws(() => convStack(d.x, wrong, SAME), /layer 1 takes shape \[1,3,3,2\] but gets/);
  dispose(d);
});
