import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { installFastKernels } from "./install.ts";
import { randomValues, withStockKernels } from "./_test_utils.ts";

await tf.setBackend("cpu");

/** Element by element with Object.is: signed zeros and NaN compared exactly. */
function assertSameValues(a: ArrayLike<number>, b: ArrayLike<number>): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Object.is(a[i], b[i]), `value ${i}: ${a[i]} vs ${b[i]}`);
  }
}

const SPECIAL = [0, -0, 1.5, -2, NaN, Infinity, -Infinity, 3e-39, 3.4e38, -1e-30];

for (
  const [name, op] of [
    ["Neg", tf.neg],
    ["Square", tf.square],
    ["Relu", tf.relu],
    ["Sigmoid", tf.sigmoid],
  ] as const
) {
  Deno.test(`${name} gives the stock kernel's bytes (special values and random ones)`, () => {
    installFastKernels("cpu");
    const x = tf.tensor1d([...SPECIAL, ...randomValues(createRng(311), 1000)]);
    const fast = op(x).dataSync();
    const stock = withStockKernels("cpu", () => op(x).dataSync());
    assertSameValues(fast, stock);
    if (name !== "Sigmoid") { // tfjs takes int32 here only for the others
      const ints = op(tf.tensor1d([3, -2], "int32"));
      assert.equal(ints.dtype, "int32");
      ints.dispose();
    }
    x.dispose();
  });
}
