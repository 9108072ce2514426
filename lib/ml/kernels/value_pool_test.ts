import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installFastKernels, restoreStockKernels } from "./install.ts";
import { giveBackValues, takeValues, valuePoolStats } from "./value_pool.ts";

await tf.setBackend("cpu");

// Large enough to be pooled (at least 65,536 values).
const SHAPE: [number, number] = [300, 512];

Deno.test("the value pool reuses the array of a disposed kernel output", () => {
  installFastKernels("cpu");
  const x = tf.fill(SHAPE, 2);
  const first = tf.neg(x);
  first.dispose();
  const before = valuePoolStats().freeArrays;
  assert.ok(before >= 1, "a disposed output goes back to the pool");
  const second = tf.neg(x);
  assert.equal(valuePoolStats().freeArrays, before - 1, "the next output of that size reuses it");
  assert.equal(second.dataSync()[0], -2);
  tf.dispose([x, second]);
});

Deno.test("an array read out with dataSync() is never reused", () => {
  installFastKernels("cpu");
  const x = tf.fill(SHAPE, 3);
  const y = tf.neg(x);
  const values = y.dataSync();
  y.dispose();
  // Same-size outputs now must not land in `values`.
  const others = Array.from({ length: 4 }, () => tf.square(x));
  assert.equal(values[0], -3);
  assert.ok(values.every((v) => v === -3));
  tf.dispose([x, ...others]);
});

Deno.test("a view on a pooled array keeps it from reuse while the view lives", () => {
  installFastKernels("cpu");
  const x = tf.fill(SHAPE, 5);
  const y = tf.neg(x);
  // A leading-axis slice of the cpu backend is a view on the same buffer.
  const view = tf.slice(y, [0, 0], [1, SHAPE[1]]);
  y.dispose();
  const others = Array.from({ length: 4 }, () => tf.neg(tf.fill(SHAPE, 7)));
  assert.ok(view.dataSync().every((v) => v === -5));
  tf.dispose([x, view, ...others]);
});

Deno.test("results with the pool are the bytes of fresh arrays (reused arrays are zeroed)", () => {
  installFastKernels("cpu");
  const run = () =>
    tf.tidy(() => {
      const a = tf.fill([2, 64, 64, 8], 0.5);
      const w = tf.fill([3, 3, 8, 4], 0.25) as tf.Tensor4D;
      return tf.conv2d(tf.neg(a) as tf.Tensor4D, w, 2, "same").dataSync().slice();
    });
  const pooled = [run(), run(), run()];
  restoreStockKernels("cpu");
  installFastKernels("cpu"); // a fresh, empty pool
  const fresh = run();
  for (const p of pooled) assert.deepEqual(p, fresh);
});

/**
 * `run()` with the stock kernels, then with ours over a pool holding `count` NaN arrays of the
 * outputs' size: a value a kernel leaves unwritten shows as NaN.
 */
function stockThenPoisoned<T>(run: () => T, count: number): [T, T] {
  restoreStockKernels("cpu");
  const stock = run();
  installFastKernels("cpu");
  const poisoned = Array.from({ length: count }, () => takeValues(SHAPE[0] * SHAPE[1], false));
  for (const v of poisoned) {
    v.fill(NaN);
    giveBackValues(v);
  }
  return [stock, run()];
}

Deno.test("kernels that take their output unzeroed write every value (a pool of NaN arrays shows none)", () => {
  const x = () => tf.linspace(-3, 3, SHAPE[0] * SHAPE[1]).reshape(SHAPE) as tf.Tensor2D;
  const bias = () => tf.linspace(-1, 1, SHAPE[1]);
  // Every kernel that asks for its output unzeroed, on each of its loops.
  const run = () =>
    tf.tidy(() => {
      const a = x(), b = bias(), c = tf.scalar(1.5);
      const outs = [
        tf.neg(a),
        tf.square(a),
        tf.relu(a),
        tf.sigmoid(a),
        tf.step(a, 0.3),
        tf.leakyRelu(a, 0.2),
        tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2).sum())(a),
        tf.add(a, a),
        tf.add(a, c),
        tf.add(c, a),
        tf.add(a, b),
        tf.add(b, a),
        tf.sub(a, b),
        tf.sub(b, a),
        tf.mul(a, b),
        tf.mul(c, a),
        tf.div(a, c),
        tf.div(b, a.add(9)),
      ];
      return outs.map((t) => t.dataSync().slice());
    });
  const [stock, fast] = stockThenPoisoned(run, 40);
  fast.forEach((values, k) => {
    assert.ok(values.every((v) => !Number.isNaN(v)), `output ${k} kept a value of the pool`);
    assert.deepEqual(values, stock[k], `output ${k}`);
  });
});

Deno.test("the WebAssembly convolutions write every value of their output (a pool of NaN arrays shows none)", () => {
  // Outputs of the pool's size (300 × 512 values), in both layouts of the WebAssembly kernels
  // (channels a multiple of 4 or not), forward and input gradient.
  const a = () => tf.linspace(-3, 3, SHAPE[0] * SHAPE[1]);
  const w = (shape: [number, number, number, number]) =>
    tf.linspace(-1, 1, shape.reduce((p, q) => p * q)).reshape(shape) as tf.Tensor4D;
  const x = (side: number, channels: number) =>
    tf.tile(a().slice(0, 300 * side * side).reshape([300, side, side, 1]), [
      1,
      1,
      1,
      channels,
    ]) as tf.Tensor4D;
  const run = () =>
    tf.tidy(() =>
      [
        tf.conv2d(tf.tile(x(16, 1), [1, 2, 2, 1]) as tf.Tensor4D, w([3, 3, 1, 2]), 2, "same"),
        tf.conv2d(x(8, 4), w([3, 3, 4, 32]), 2, "same"),
        tf.conv2dTranspose(x(8, 3), w([3, 3, 2, 3]), [300, 16, 16, 2], 2, "same"),
        tf.conv2dTranspose(x(4, 8), w([3, 3, 8, 8]), [300, 8, 8, 8], 2, "same"),
      ].map((t) => t.dataSync().slice())
    );
  const [stock, fast] = stockThenPoisoned(run, 8);
  fast.forEach((values, k) => {
    assert.equal(values.length, SHAPE[0] * SHAPE[1]);
    assert.ok(
      Array.from(values).every((v) => !Number.isNaN(v)),
      `convolution ${k} kept a value of the pool`,
    );
    // Within float32 rounding of the stock kernels (the sums run in another order).
    const want = Array.from(stock[k]), got = Array.from(values);
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
    assert.ok(worst <= 1e-5 * scale, `convolution ${k}: off by ${worst} (scale ${scale})`);
  });
});
