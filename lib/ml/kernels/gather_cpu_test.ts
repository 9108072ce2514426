import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { installFastKernels } from "./install.ts";
import { randomValues, withStockKernels } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("GatherV2 along the leading axis gives the stock kernel's bytes", () => {
  installFastKernels("cpu");
  const rng = createRng(301);
  const x = tf.tensor4d(randomValues(rng, 7 * 5 * 4 * 3), [7, 5, 4, 3]);
  for (const idx of [[0], [6, 0, 3, 3], [], [2, 5, 1, 0, 6, 4]]) {
    const indices = tf.tensor1d(idx, "int32");
    const fast = tf.gather(x, indices);
    const stock = withStockKernels("cpu", () => tf.gather(x, indices));
    assert.deepEqual(fast.shape, stock.shape);
    assert.deepEqual(fast.dataSync(), stock.dataSync());
    tf.dispose([indices, fast, stock]);
  }
  // Another axis goes to the stock kernel and still works.
  const other = tf.gather(x, tf.tensor1d([1, 0], "int32"), 2);
  assert.deepEqual(other.shape, [7, 5, 2, 3]);
  tf.dispose([x, other]);
});

Deno.test("GatherV2 rejects an index out of range with the stock kernel's message", () => {
  installFastKernels("cpu");
  const x = tf.zeros([3, 2]);
  assert.throws(() => tf.gather(x, tf.tensor1d([3], "int32")), /index value 3 is not in \[0, 2\]/);
  x.dispose();
});
