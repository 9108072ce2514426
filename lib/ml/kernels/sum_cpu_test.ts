import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { installFastKernels } from "./install.ts";
import { sumLeading } from "./sum_cpu.ts";
import { randomValues, relativeError, withStockKernels } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("sumLeading() sums rows into columns", () => {
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(sumLeading(x, 2, 3)), [5, 7, 9]);
  assert.deepEqual(Array.from(sumLeading(x, 3, 2)), [9, 12]);
  assert.deepEqual(Array.from(sumLeading(x, 6, 1)), [21]);
});

Deno.test("makeSumCpu() agrees with the stock Sum and a float64 sum", () => {
  installFastKernels("cpu");
  const rng = createRng(301);
  const shape = [5, 7, 6, 3];
  const values = randomValues(rng, 5 * 7 * 6 * 3);
  const x = tf.tensor(values, shape);
  const cases: [number | number[], boolean][] = [
    [[0, 1, 2], false], // a bias gradient
    [[0, 1, 2], true],
    [[2, 0, 1], false], // any order
    [0, false],
    [[0, 1, 2, 3], false], // everything
    [[-4, -3], true], // negative axes
    [[1, 2], false], // not leading: stock
    [3, true], // innermost: stock
  ];
  for (const [axis, keepDims] of cases) {
    const run = () => {
      const out = tf.engine().runKernel("Sum", { x }, { axis, keepDims }) as tf.Tensor;
      const r = { shape: out.shape, dtype: out.dtype, values: out.dataSync() as Float32Array };
      out.dispose();
      return r;
    };
    const stock = withStockKernels("cpu", run);
    const fast = run();
    const label = `axis ${JSON.stringify(axis)} keepDims ${keepDims}`;
    assert.deepEqual(fast.shape, stock.shape, label);
    assert.equal(fast.dtype, "float32", label);
    assert.ok(relativeError(fast.values, stock.values) < 1e-6, label);
  }
  // Float64 reference of the bias-gradient case.
  const ref = new Float64Array(3);
  for (let i = 0; i < values.length; i++) ref[i % 3] += values[i];
  const out = tf.sum(x, [0, 1, 2]);
  assert.ok(relativeError(out.dataSync(), ref) < 1e-6);
  tf.dispose([x, out]);
});

Deno.test("makeSumCpu() hands int32 inputs to the stock kernel", () => {
  installFastKernels("cpu");
  const x = tf.tensor([1, 2, 3, 4], [2, 2], "int32");
  const out = tf.sum(x, 0);
  assert.equal(out.dtype, "int32");
  assert.deepEqual(Array.from(out.dataSync()), [4, 6]);
  tf.dispose([x, out]);
});

Deno.test("sumLeading() adds each column in order in float64, whatever the width", () => {
  const rng = createRng(302);
  for (const inner of [1, 3, 4, 8, 9]) {
    const outer = 37;
    const x = randomValues(rng, outer * inner);
    const ref = new Float64Array(inner);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) ref[j] += x[o * inner + j];
    assert.deepEqual(sumLeading(x, outer, inner), Float32Array.from(ref), `inner ${inner}`);
  }
});

Deno.test("makeMeanCpu() equals the stock Mean bit for bit on leading axes", () => {
  installFastKernels("cpu");
  const rng = createRng(303);
  const x = tf.tensor(randomValues(rng, 6 * 5 * 4 * 8), [6, 5, 4, 8]);
  const cases: [number | number[], boolean][] = [
    [[0, 1, 2, 3], false], // the loss: everything
    [[0, 1, 2], false],
    [[0, 1], true],
    [[-4], false],
    [[1, 2], false], // not leading: stock
  ];
  for (const [axis, keepDims] of cases) {
    const run = () => {
      const out = tf.mean(x, axis, keepDims);
      const r = { shape: out.shape, values: Array.from(out.dataSync()) };
      out.dispose();
      return r;
    };
    assert.deepEqual(run(), withStockKernels("cpu", run), `axis ${JSON.stringify(axis)}`);
  }
  x.dispose();
});
