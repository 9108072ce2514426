import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { installFastKernels } from "./install.ts";
import { setCpuThreads, valuesForThreads } from "./cpu_threads.ts";
import { gatherRowsRange } from "./gather_cpu.ts";
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

Deno.test("gatherRowsRange() gives the same bytes however [0, n) is cut", () => {
  const rng = createRng(302);
  const row = 7, x = randomValues(rng, 11 * row);
  const rows = Float32Array.from([3, 10, 0, 3, 6]), n = rows.length * row;
  const whole = new Float32Array(n);
  gatherRowsRange(x, rows, whole, row, 0, n);
  rows.forEach((r, i) =>
    assert.deepEqual(whole.subarray(i * row, (i + 1) * row), x.subarray(r * row, (r + 1) * row))
  );
  for (const cuts of [[5], [1, 2, 13, 14, 20], [6, 7, 8, 34]]) {
    const out = new Float32Array(n);
    [0, ...cuts, n].forEach((lo, i, all) => {
      if (i + 1 < all.length) gatherRowsRange(x, rows, out, row, lo, all[i + 1]);
    });
    assert.deepEqual(out, whole, `cut at ${cuts}`);
  }
});

Deno.test("GatherV2 from a dataset in shared memory gives the same bytes on two threads", async () => {
  installFastKernels("cpu");
  const rng = createRng(303);
  // 400 rows of 4096: a batch of 300 is large enough to be shared out.
  const values = randomValues(rng, 400 * 4096);
  const picks = Int32Array.from({ length: 300 }, () => Math.floor(rng.next() * 400));
  const batch = async (threads: number) => {
    await setCpuThreads(threads);
    const x = tf.tensor2d(valuesForThreads(values), [400, 4096]);
    const shared = (tf.backend() as tf.MathBackendCPU).data.get(x.dataId).values;
    assert.equal((shared as Float32Array).buffer instanceof SharedArrayBuffer, threads > 1);
    const idx = tf.tensor1d(picks, "int32");
    const out = tf.gather(x, idx);
    const v = out.dataSync().slice();
    tf.dispose([x, idx, out]);
    return v;
  };
  try {
    const one = await batch(1), two = await batch(2);
    assert.deepEqual(two, one);
    assert.deepEqual(
      one.subarray(4096, 8192),
      values.subarray(picks[1] * 4096, (picks[1] + 1) * 4096),
    );
  } finally {
    await setCpuThreads(1);
  }
});
