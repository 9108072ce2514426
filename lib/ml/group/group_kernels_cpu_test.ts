import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend.ts";
import { setCpuThreads } from "../kernels/cpu_threads.ts";
import { createRng } from "../random.ts";
import { groupBiasAdd, groupConv2d, groupConv2dTranspose, groupScale } from "./group_ops.ts";
import { GROUP_CPU_KERNELS, registerKernelsOnce } from "./group_kernels_cpu.ts";

await initBackend("cpu");
registerKernelsOnce(GROUP_CPU_KERNELS);

const K = 3, B = 24;

function random(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => 2 * rng.next() - 1), shape, "float32");
}

const bytes = (t: tf.Tensor) =>
  Array.from(new Uint8Array((t.dataSync() as Float32Array).slice().buffer));

/**
 * Model k's slice of a grouped result against the single-model op on model k's inputs: the
 * forward value and the gradients of a weighted sum (weights random, so no gradient is trivial).
 */
function compare(
  grouped: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  single: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  xShape: number[],
  wShape: number[],
  bSize: number,
): number[][] {
  const x = random([K, ...xShape], 1), w = random([K, ...wShape], 2), b = random([K, bSize], 3);
  const yShape = tf.tidy(() => single(tf.gather(x, 0), tf.gather(w, 0), tf.gather(b, 0)).shape);
  const r = random([K, ...yShape], 4);
  const out: number[][] = [];
  const g = tf.grads((xx, ww, bb) => tf.sum(tf.mul(grouped(xx, ww, bb), r)));
  const [gx, gw, gb] = g([x, w, b]);
  const y = grouped(x, w, b);
  for (let k = 0; k < K; k++) {
    const [xk, wk, bk, rk] = [x, w, b, r].map((t) => tf.gather(t, k));
    const s = tf.grads((xx, ww, bb) => tf.sum(tf.mul(single(xx, ww, bb), rk)));
    const [sx, sw, sb] = s([xk, wk, bk]);
    const pairs: [tf.Tensor, tf.Tensor, string][] = [
      [tf.gather(y, k), single(xk, wk, bk), "value"],
      [tf.gather(gx, k), sx, "input gradient"],
      [tf.gather(gw, k), sw, "kernel gradient"],
      [tf.gather(gb, k), sb, "bias gradient"],
    ];
    for (const [a, e, what] of pairs) {
      assert.deepEqual(bytes(a), bytes(e), `model ${k}: ${what}`);
      out.push(bytes(a));
    }
  }
  return out;
}

const conv = {
  grouped: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    groupBiasAdd(groupConv2d(x, w, [2, 2], "same"), b),
  single: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 2], "same"), b),
};
const convT = {
  grouped: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    groupBiasAdd(groupConv2dTranspose(x, w, [K, B, 32, 32, 4], [2, 2], "same"), b),
  single: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    tf.add(
      tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [B, 32, 32, 4], [2, 2], "same"),
      b,
    ),
};

Deno.test("grouped convolution, bias and their gradients give each model the single-model bytes", () => {
  compare(conv.grouped, conv.single, [B, 32, 32, 4], [3, 3, 4, 8], 8);
  // 'valid' padding, one input channel (the first layer's shapes, the js loops' other branch).
  compare(
    (x, w, b) => groupBiasAdd(groupConv2d(x, w, [2, 2], "valid"), b),
    (x, w, b) => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 2], "valid"), b),
    [B, 31, 31, 1],
    [3, 3, 1, 8],
    8,
  );
});

Deno.test("grouped transposed convolution and its gradients give each model the single-model bytes", () => {
  compare(convT.grouped, convT.single, [B, 16, 16, 8], [3, 3, 4, 8], 4);
});

Deno.test("grouped kernels give the same bytes on one and on two cpu threads", async () => {
  try {
    await setCpuThreads(1);
    const one = compare(conv.grouped, conv.single, [B, 32, 32, 4], [3, 3, 4, 8], 8);
    await setCpuThreads(2);
    const two = compare(conv.grouped, conv.single, [B, 32, 32, 4], [3, 3, 4, 8], 8);
    assert.deepEqual(two, one);
  } finally {
    await setCpuThreads(1);
  }
});

Deno.test("grouped scaling gives each model's block the bytes of a multiplication by its scalar", () => {
  const x = random([K, B, 8, 8, 3], 5);
  const s = random([K], 6);
  const y = groupScale(x, s);
  const factors = s.dataSync();
  for (let k = 0; k < K; k++) {
    const alone = tf.mul(tf.gather(x, k), tf.scalar(factors[k], "float32"));
    assert.deepEqual(bytes(tf.gather(y, k)), bytes(alone), `model ${k}`);
  }
  assert.throws(() => groupScale(x, random([K + 1], 7)), /expected scale \[3\]/);
});
