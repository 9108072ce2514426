import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installFastKernels, restoreStockKernels } from "./install.ts";
import { valuePoolStats } from "./value_pool.ts";

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
