import assert from "node:assert/strict";
import { createRng } from "../../../pipeline/rng.ts";
import { wasmSimdSupported } from "./conv_wasm.ts";
import {
  type ImageKernelImpl,
  imageKernelImpl,
  runTrainStep,
  setCpuThreads,
  setImageKernelImpl,
  stepTaskOrder,
  valuesForThreads,
} from "./cpu_threads.ts";
import { convStackBackward, convStackForward, type StackLayerSpec } from "./conv_stack_cpu.ts";
import { gatherRows } from "./gather_cpu.ts";
import { layerSizes } from "./layer_backward_cpu.ts";
import {
  squaredErrorGrad,
  squaredErrorGradFactor,
  squaredErrorOfSum,
  squaredErrorValue,
} from "./squared_error_cpu.ts";
import { autoencoderStepOnCpu, trainStepTask } from "./train_step_cpu.ts";
import { paperEncoderCases, randomValues, sameBytes } from "./_test_utils.ts";

const ALPHA = 0.2;
/** The squared error's scale of the per-pixel mean at batch 37. */
const SCALE = 1 / (37 * 4096);

/** The paper's autoencoder at batch `n` (six convolutions, six transposed ones back). */
function paperLayers(n: number, seed: number): StackLayerSpec[] {
  const rng = createRng(seed);
  const cases = paperEncoderCases(n);
  return [
    ...cases.map((c) => ({ g: c.geometry, transposed: false })),
    ...cases.toReversed().map((c) => ({ g: c.geometry, transposed: true })),
  ].map(({ g, transposed }) => ({
    g,
    transposed,
    alpha: ALPHA,
    // Small weights: the outputs stay near the images, as in training.
    w: randomValues(rng, g.filterHeight * g.filterWidth * g.inChannels * g.outChannels)
      .map((v) => v * 0.3),
    bias: randomValues(rng, transposed ? g.inChannels : g.outChannels),
  }));
}

/** `n` distinct rows of `rows`, in a shuffled order. */
function someRows(n: number, rows: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const all = Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return Int32Array.from(all.slice(0, n));
}

function checkStep(impl: ImageKernelImpl) {
  return async () => {
    // 37 images: four chunks of images (the last of 7) and three of the loss's values.
    const n = 37, dataRows = 53;
    const layers = paperLayers(n, 5);
    const rows = someRows(n, dataRows, 6);
    const factor = squaredErrorGradFactor(1, SCALE);
    setImageKernelImpl(impl);
    try {
      for (const threads of [1, 2]) {
        await setCpuThreads(threads);
        const data = valuesForThreads(randomValues(createRng(4), dataRows * 4096));
        // The separate calls the step stands for.
        const x = gatherRows(data, 4096, dataRows, rows);
        const ys = convStackForward(x, layers);
        const y = ys[ys.length - 1];
        const dy = squaredErrorGrad(y, x, 1, SCALE);
        const ref = convStackBackward(dy, x, ys, layers, false);
        const loss = squaredErrorValue(y, x, SCALE);
        for (const withLoss of [true, false]) {
          const what = `${threads} threads, ${withLoss ? "with" : "without"} the loss`;
          const r = autoencoderStepOnCpu(data, dataRows, rows, layers, factor, withLoss);
          assert.ok(r !== null, what);
          assert.ok(sameBytes(r.x, x), `${what}: the batch differs`);
          r.ys.forEach((v, i) => assert.ok(sameBytes(v, ys[i]), `${what}: layer ${i}'s output`));
          assert.ok(sameBytes(r.dy, dy), `${what}: the loss gradient differs`);
          r.dw.forEach((v, i) => assert.ok(sameBytes(v, ref.dw[i]), `${what}: filter ${i}`));
          r.db.forEach((v, i) => assert.ok(sameBytes(v, ref.db[i]), `${what}: bias ${i}`));
          assert.equal(r.dx, undefined);
          if (withLoss) assert.equal(squaredErrorOfSum(r.lossSum!, SCALE), loss, what);
          else assert.equal(r.lossSum, undefined, what);
        }
      }
    } finally {
      await setCpuThreads(1);
      setImageKernelImpl(wasmSimdSupported() ? "wasm" : "js");
    }
  };
}

Deno.test({
  name:
    "training step: one call gives the bytes of gather, forward, loss, gradient and backward, on one thread and two (wasm)",
  ignore: !wasmSimdSupported(),
  fn: checkStep("wasm"),
});

Deno.test(
  "training step: the same with the JavaScript kernels, on one thread and two",
  checkStep("js"),
);

Deno.test("training step: the task order hands out every task once, each backward after its forward", () => {
  for (const [chunks, lag, loss] of [[30, 1, 19], [30, 4, 0], [4, 4, 3], [1, 2, 1], [5, 30, 0]]) {
    const order = Array.from(stepTaskOrder(chunks, lag, loss));
    assert.deepEqual(order.toSorted((a, b) => a - b), [...order.keys()]);
    for (let c = 0; c < chunks; c++) {
      const f = order.indexOf(c), b = order.indexOf(chunks + c);
      assert.ok(f < b, `chunk ${c}: forward at ${f}, backward at ${b}`);
      // Forward chunk c + lag − 1 goes out before backward chunk c, where there is one.
      const ahead = order.indexOf(Math.min(chunks - 1, c + lag - 1));
      assert.ok(ahead < b, `chunk ${c} of lag ${lag}: forward ${c + lag - 1} at ${ahead}`);
    }
    assert.deepEqual(
      order.slice(2 * chunks),
      Array.from({ length: loss }, (_, k) => 2 * chunks + k),
    );
  }
  // One thread: each backward chunk right after its forward.
  assert.deepEqual(Array.from(stepTaskOrder(3, 1, 1)), [0, 3, 1, 4, 2, 5, 6]);
});

Deno.test("training step: a dataset outside shared memory on two threads gives null; bad rows and sizes are errors", async () => {
  const layers = paperLayers(12, 2);
  const data = randomValues(createRng(1), 20 * 4096);
  const rows = someRows(12, 20, 3);
  try {
    await setCpuThreads(2);
    assert.equal(autoencoderStepOnCpu(data, 20, rows, layers, 1, false), null);
    await setCpuThreads(1);
    assert.ok(autoencoderStepOnCpu(data, 20, rows, layers, 1, false) !== null);
    const bad = rows.slice();
    bad[5] = 20;
    assert.throws(
      () => autoencoderStepOnCpu(data, 20, bad, layers, 1, false),
      /GatherV2: the index value 20 is not in \[0, 19\]/,
    );
    assert.throws(
      () => autoencoderStepOnCpu(data, 20, rows.subarray(1), layers, 1, false),
      /Cannot run a training step: 11 rows of 4096 values for a stack of batch 12/,
    );
    assert.throws(
      () => autoencoderStepOnCpu(data, 20, rows, layers.slice(0, 6), 1, false),
      /from 4096 to 1 values an image/,
    );
  } finally {
    await setCpuThreads(1);
  }
});

Deno.test("training step: a thread that fails ends the call with its error instead of leaving the others waiting", async () => {
  const n = 40, dataRows = 40;
  const layers = paperLayers(n, 9);
  try {
    await setCpuThreads(2);
    const data = valuesForThreads(randomValues(createRng(2), dataRows * 4096));
    const r = autoencoderStepOnCpu(data, dataRows, someRows(n, dataRows, 1), layers, 1, true);
    assert.ok(r !== null);
    // The calling thread fails on its first task, forward chunk 0, after a while: the worker's
    // backward task 0 waits for that chunk until it sees the failure (and prints it).
    const step = {
      impl: imageKernelImpl(),
      data,
      rows: Float32Array.from(someRows(n, dataRows, 1)),
      x: r.x,
      dy: r.dy,
      factor: 1,
      lossChunkValues: 1 << 16,
      layers: layers.map((l, i) => {
        const z = layerSizes(l.g, l.transposed);
        return {
          ...l,
          y: r.ys[i],
          dx: i > 0 ? new Float32Array(new SharedArrayBuffer(n * z.xSize * 4)) : undefined,
          dw: new Float64Array(new SharedArrayBuffer(4 * z.fw * 8)),
          db: new Float64Array(new SharedArrayBuffer(4 * z.K * 8)),
        };
      }),
      chunks: 4,
      chunkImages: 10,
    };
    let failed = false;
    assert.throws(() =>
      runTrainStep((call, i) => {
        if (!failed) {
          failed = true;
          // Long enough for the worker to take the other forward chunks and wait at backward 0.
          const until = performance.now() + 200;
          while (performance.now() < until) { /* a slow chunk */ }
          throw new Error("this thread's chunk failed");
        }
        trainStepTask(call, i);
      }, step), /this thread's chunk failed/);
    // The threads serve the next call as before.
    const again = autoencoderStepOnCpu(data, dataRows, someRows(n, dataRows, 1), layers, 1, true);
    assert.ok(again !== null && sameBytes(again.dw[0], r.dw[0]));
  } finally {
    await setCpuThreads(1);
  }
});
