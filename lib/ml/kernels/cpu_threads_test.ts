import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { conv2dImages, conv2dNhwc } from "./conv2d_cpu.ts";
import { conv2dBackpropInputImages, conv2dBackpropInputNhwc } from "./conv2d_backprop_input_cpu.ts";
import { conv2dBackpropInputImagesWasm, conv2dImagesWasm } from "./conv_wasm.ts";
import { conv2dBackpropFilterNhwc } from "./conv2d_backprop_filter_cpu.ts";
import { convGeometry, geometrySizes } from "./conv_geometry.ts";
import {
  aloneChunkImages,
  cpuThreads,
  cpuThreadShare,
  giveBackAccumulators,
  IMAGE_CHUNK,
  imageChunkCount,
  type ImageKernel,
  imageKernelImpl,
  newAccumulators,
  newValues,
  RANGE_CHUNK,
  rangeChunkValues,
  setCpuThreads,
  setImageKernelImpl,
  sharedChunkImages,
  sharesOut,
  stopCpuThreads,
} from "./cpu_threads.ts";
import { installFastKernels } from "./install.ts";
import {
  leakyReluGradAndBiasGradValues,
  leakyReluGradValues,
  leakyReluValues,
} from "./leaky_relu_cpu.ts";
import { squaredErrorSum } from "./squared_error_cpu.ts";
import { addPeriodicRange } from "./binary_cpu.ts";
import { runRanges } from "./cpu_threads.ts";
import {
  paperEncoderCases,
  randomValues,
  refConv2dBackpropFilter,
  relativeError,
} from "./_test_utils.ts";

/** The three kernels on every paper layer at batch 40 (four chunks), as one list of outputs. */
function allOutputs(seed: number): Float32Array[] {
  const rng = createRng(seed);
  const outs: Float32Array[] = [];
  for (const c of paperEncoderCases(40)) {
    const n = geometrySizes(c.geometry);
    const x = randomValues(rng, n.x), w = randomValues(rng, n.filter), dy = randomValues(rng, n.dy);
    outs.push(
      conv2dNhwc(x, w, c.geometry),
      conv2dBackpropInputNhwc(dy, w, c.geometry),
      conv2dBackpropFilterNhwc(x, dy, c.geometry),
    );
  }
  // A layer with a small output and much work per value (a discriminator's last, 5×5×512 → 1):
  // shared out over threads, its output smaller than what travels to them by value.
  const g = convGeometry([40, 5, 5, 512], [5, 5, 512, 1], 1, "valid");
  const n = geometrySizes(g);
  const x = randomValues(rng, n.x), w = randomValues(rng, n.filter), dy = randomValues(rng, n.dy);
  const bias = randomValues(rng, 1);
  outs.push(
    conv2dNhwc(x, w, g),
    conv2dNhwc(x, w, g, { bias, alpha: 0.2 }),
    conv2dBackpropInputNhwc(dy, w, g),
    conv2dBackpropFilterNhwc(x, dy, g),
  );
  return outs;
}

Deno.test("setCpuThreads() gives the same bytes on one thread and on three", async () => {
  try {
    await setCpuThreads(1);
    const one = allOutputs(7);
    await setCpuThreads(3);
    assert.equal(cpuThreads(), 3);
    const three = allOutputs(7);
    assert.equal(three.length, one.length);
    three.forEach((t, i) =>
      assert.deepEqual(new Uint8Array(t.buffer), new Uint8Array(one[i].buffer), `output ${i}`)
    );
  } finally {
    stopCpuThreads();
  }
});

Deno.test("the elementwise kernels give the same bytes on one thread and on two", async () => {
  // 300 000 values: above the size shared out over threads, and not a multiple of a chunk.
  const rng = createRng(9);
  const n = 300_000;
  const x = randomValues(rng, n), dy = randomValues(rng, n), bias = randomValues(rng, 8);
  x[12_345] = NaN; // one range takes the plain loop, the others the branch-free one
  const run = () => {
    const sum = newValues(n);
    runRanges(addPeriodicRange, "addPeriodic", x, bias, sum, 0, n);
    return [leakyReluValues(x, 0.2), leakyReluGradValues(dy, x, 0.2), sum];
  };
  try {
    await setCpuThreads(1);
    const one = run().map((t) => t.slice());
    await setCpuThreads(2);
    const two = run();
    two.forEach((t, i) =>
      assert.deepEqual(
        new Uint8Array(t.slice().buffer),
        new Uint8Array(one[i].buffer),
        `output ${i}`,
      )
    );
    assert.ok(Number.isNaN(one[1][12_345]));
    assert.equal(one[2][9], Math.fround(x[9] + bias[1]));
  } finally {
    stopCpuThreads();
  }
});

Deno.test("the summing kernels give the same bytes on one thread and on two", async () => {
  // Above the size shared out over threads, several chunks, the last one short.
  const rng = createRng(10);
  const n = 301_056; // a multiple of 1, 3 and 8
  const x = randomValues(rng, n), dy = randomValues(rng, n), t = randomValues(rng, n);
  const xNaN = x.slice();
  xNaN[70_001] = NaN; // one chunk takes the plain loops, the others the one-pass ones
  const run = () => {
    const out: Float32Array[] = [];
    for (const K of [1, 3, 8]) {
      for (const xs of [x, xNaN]) {
        const { dz, bias } = leakyReluGradAndBiasGradValues(dy, xs, 0.2, K);
        out.push(dz.slice(), bias);
      }
    }
    out.push(Float32Array.of(squaredErrorSum(x, t)));
    return out;
  };
  try {
    await setCpuThreads(1);
    const one = run();
    await setCpuThreads(2);
    const two = run();
    two.forEach((v, i) =>
      assert.deepEqual(new Uint8Array(v.buffer), new Uint8Array(one[i].buffer), `output ${i}`)
    );
    // K = 1: outputs 0, 1 from x, 2, 3 from the x with a NaN (dz there, and so the sum, NaN).
    assert.ok(Number.isNaN(one[2][70_001]) && Number.isNaN(one[3][0]) && !Number.isNaN(one[1][0]));
  } finally {
    stopCpuThreads();
  }
});

Deno.test("setCpuThreads() keeps the filter gradient within float32 rounding of float64", async () => {
  try {
    await setCpuThreads(2);
    const rng = createRng(8);
    const g = convGeometry([57, 20, 20, 3], [3, 3, 3, 5], 2, "same");
    assert.ok(imageChunkCount(g.batch) > 1);
    const n = geometrySizes(g);
    const x = randomValues(rng, n.x), dy = randomValues(rng, n.dy);
    const err = relativeError(
      conv2dBackpropFilterNhwc(x, dy, g),
      refConv2dBackpropFilter(x, dy, g),
    );
    assert.ok(err < 1e-6, `relative error ${err}`);
  } finally {
    stopCpuThreads();
  }
});

Deno.test("setCpuThreads() trains the same tfjs gradients on one thread and on two", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const grads = () =>
    tf.tidy(() => {
      const x = tf.randomUniform([60, 32, 32, 1], 0, 1, "float32", 3);
      const w1 = tf.randomNormal([3, 3, 1, 8], 0, 0.3, "float32", 4);
      const w2 = tf.randomNormal([3, 3, 8, 4], 0, 0.3, "float32", 5);
      const f = (a: tf.Tensor, b: tf.Tensor) => {
        const h = tf.conv2d(x as tf.Tensor4D, a as tf.Tensor4D, 2, "same");
        const z = tf.conv2d(h, b as tf.Tensor4D, 2, "same");
        const y = tf.conv2dTranspose(z, b as tf.Tensor4D, [60, 16, 16, 8], 2, "same");
        return tf.sum(tf.square(y));
      };
      return tf.grads(f)([w1, w2]).map((g) => g.dataSync().slice());
    });
  try {
    await setCpuThreads(1);
    const one = grads();
    await setCpuThreads(2);
    const two = grads();
    two.forEach((g, i) => assert.deepEqual(g, one[i], `gradient ${i}`));
  } finally {
    stopCpuThreads();
  }
});

Deno.test("newValues() is in shared memory only while workers run", async () => {
  try {
    await setCpuThreads(2);
    assert.ok(newValues(4).buffer instanceof SharedArrayBuffer);
  } finally {
    stopCpuThreads();
  }
  assert.equal(cpuThreads(), 1);
  assert.ok(newValues(4).buffer instanceof ArrayBuffer);
});

Deno.test("a worker that fails while reading a call ends it with an error instead of leaving it waiting", async () => {
  try {
    await setCpuThreads(2, new URL("./_failing_thread_worker.ts", import.meta.url).href);
    assert.equal(cpuThreads(), 2);
    const g = convGeometry([57, 20, 20, 3], [3, 3, 3, 5], 2, "same");
    const n = geometrySizes(g), rng = createRng(9);
    const x = randomValues(rng, n.x), dy = randomValues(rng, n.dy);
    // Twice: the worker's loop goes on after a failed call (its error is printed above).
    for (let i = 0; i < 2; i++) {
      assert.throws(() => conv2dBackpropFilterNhwc(x, dy, g), /a cpu kernel thread failed/);
    }
  } finally {
    stopCpuThreads();
  }
});

Deno.test("setCpuThreads() rejects a count that is not a positive integer", async () => {
  await assert.rejects(() => setCpuThreads(0), /Cannot use 0 cpu threads/);
  await assert.rejects(() => setCpuThreads(1.5), /Cannot use 1.5 cpu threads/);
});

Deno.test("setCpuThreads() goes on with one thread, with a warning, when workers cannot start", async () => {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (m: string) => warnings.push(m);
  try {
    // A worker that loads but does not say it is ready (a missing module would do the same,
    // with Deno's own error printed besides).
    await setCpuThreads(2, "data:text/javascript,self.postMessage('not ready')");
    assert.equal(cpuThreads(), 1);
    assert.match(warnings.join("\n"), /Cannot start a cpu kernel thread.*one thread/s);
  } finally {
    console.warn = warn;
    stopCpuThreads();
  }
});

Deno.test("cpuThreadShare() is all of the time on one thread and 0.55 on two", () => {
  assert.equal(cpuThreadShare(1), 1);
  assert.equal(cpuThreadShare(0), 1);
  assert.ok(Math.abs(cpuThreadShare(2) - 0.55) < 1e-12);
  assert.ok(cpuThreadShare(64) > 0.1);
});

Deno.test("shared accumulators given back are reused zeroed, and repeated calls keep their bytes", async () => {
  try {
    await setCpuThreads(2);
    const a = newAccumulators(300);
    assert.ok(a.buffer instanceof SharedArrayBuffer);
    a.fill(7);
    giveBackAccumulators(a);
    const b = newAccumulators(300);
    assert.equal(b, a, "the given-back array is handed out again");
    assert.ok(b.every((v) => v === 0), "zeroed");
    // The filter gradient gives its accumulators back: calls in a row give the same bytes.
    const first = allOutputs(11);
    const again = allOutputs(11);
    again.forEach((t, i) =>
      assert.deepEqual(new Uint8Array(t.buffer), new Uint8Array(first[i].buffer), `output ${i}`)
    );
  } finally {
    stopCpuThreads();
  }
});

Deno.test("an error on the calling thread waits for the workers, and the next call keeps its bytes", async () => {
  const rng = createRng(11);
  const n = 300_000;
  const x = randomValues(rng, n);
  try {
    await setCpuThreads(1);
    const one = leakyReluValues(x, 0.2).slice();
    await setCpuThreads(2);
    const boom = () => {
      throw new Error("boom on the calling thread");
    };
    assert.throws(
      () => runRanges(boom, "leakyRelu", x, x, newValues(n), 0.2, n),
      /boom on the calling thread/,
    );
    const two = leakyReluValues(x, 0.2);
    assert.deepEqual(new Uint8Array(two.slice().buffer), new Uint8Array(one.buffer));
  } finally {
    stopCpuThreads();
  }
});

Deno.test("a small layer alone takes chunks as large as fit in cache, with the bytes of 10-image chunks", () => {
  // The paper's first layer keeps its chunks; a 4×4 layer takes the batch in one chunk.
  assert.equal(aloneChunkImages(convGeometry([300, 64, 64, 1], [3, 3, 1, 8], 2, "same")), 10);
  const g = convGeometry([300, 4, 4, 3], [3, 3, 3, 2], 2, "same");
  assert.equal(aloneChunkImages(g), 300);
  const mid = aloneChunkImages(convGeometry([300, 8, 8, 4], [3, 3, 4, 3], 2, "same"));
  assert.ok(mid > IMAGE_CHUNK && mid < 300, `8×8 layer: ${mid} images per chunk`);
  const rng = createRng(11);
  const n = geometrySizes(g);
  const x = randomValues(rng, n.x), w = randomValues(rng, n.filter), dy = randomValues(rng, n.dy);
  const epilogue = { bias: randomValues(rng, g.outChannels), alpha: 0.2 };
  const inputEpilogue = { bias: randomValues(rng, g.inChannels), alpha: 0.2 };
  /** `kernel` over the batch in chunks of IMAGE_CHUNK images, as the calls were cut before. */
  const inTens = (kernel: ImageKernel, a: Float32Array, out: Float32Array, e?: typeof epilogue) => {
    for (let b0 = 0; b0 < g.batch; b0 += IMAGE_CHUNK) {
      kernel(a, w, out, g, b0, Math.min(g.batch, b0 + IMAGE_CHUNK), e);
    }
    return out;
  };
  const was = imageKernelImpl();
  try {
    for (const impl of ["wasm", "js"] as const) {
      setImageKernelImpl(impl);
      const forward = (impl === "wasm" ? conv2dImagesWasm : conv2dImages) as ImageKernel;
      const backward = (impl === "wasm"
        ? conv2dBackpropInputImagesWasm
        : conv2dBackpropInputImages) as ImageKernel;
      const pairs: [Float32Array, Float32Array][] = [
        [conv2dNhwc(x, w, g, epilogue), inTens(forward, x, new Float32Array(n.dy), epilogue)],
        [conv2dBackpropInputNhwc(dy, w, g), inTens(backward, dy, new Float32Array(n.x))],
        [
          conv2dBackpropInputNhwc(dy, w, g, inputEpilogue),
          inTens(backward, dy, new Float32Array(n.x), inputEpilogue),
        ],
      ];
      pairs.forEach(([got, want], i) =>
        assert.deepEqual(new Uint8Array(got.buffer), new Uint8Array(want.buffer), `${impl} ${i}`)
      );
    }
  } finally {
    setImageKernelImpl(was);
  }
});

Deno.test("a small layer shared out takes larger chunks than a big one, with the same bytes as one thread", async () => {
  type Shape = [number, number, number, number];
  const paper = (x: Shape, f: Shape) => convGeometry(x, f, 2, "same");
  // The paper's big layers keep chunks of about half of IMAGE_CHUNK, on any thread count.
  for (const threads of [2, 8]) {
    const big = sharedChunkImages(paper([300, 64, 64, 1], [3, 3, 1, 8]), threads);
    assert.ok(big >= IMAGE_CHUNK / 2 && big < IMAGE_CHUNK, `first layer: ${big} images`);
  }
  const g = paper([300, 16, 16, 4], [3, 3, 4, 4]);
  const two = sharedChunkImages(g, 2);
  assert.ok(two > IMAGE_CHUNK && two <= Math.ceil(300 / 8), `16×16 layer on 2 threads: ${two}`);
  assert.ok(sharedChunkImages(g, 8) < two, "more threads, smaller chunks");
  const rng = createRng(12);
  const n = geometrySizes(g);
  const x = randomValues(rng, n.x), w = randomValues(rng, n.filter), dy = randomValues(rng, n.dy);
  const epilogue = { bias: randomValues(rng, g.outChannels), alpha: 0.2 };
  const run = () => [
    conv2dNhwc(x, w, g, epilogue).slice(),
    conv2dBackpropInputNhwc(dy, w, g).slice(),
    conv2dBackpropFilterNhwc(x, dy, g).slice(),
  ];
  try {
    await setCpuThreads(1);
    const one = run();
    await setCpuThreads(2);
    run().forEach((t, i) =>
      assert.deepEqual(new Uint8Array(t.buffer), new Uint8Array(one[i].buffer), `output ${i}`)
    );
  } finally {
    stopCpuThreads();
  }
});

Deno.test("a small layer's fixed chunks are shared out, its forward call is not", async () => {
  // The paper's 4×4 → 2×2 layer at batch 300: 30 chunks of 10 images whose sums keep their
  // order (a backward call) go to the workers; its forward, one chunk on the caller, does not.
  const small = convGeometry([300, 4, 4, 3], [3, 3, 3, 2], 2, "same");
  const big = convGeometry([300, 64, 64, 1], [3, 3, 1, 8], 2, "same");
  try {
    await setCpuThreads(1);
    assert.deepEqual([sharesOut(small, true), sharesOut(big, false)], [false, false]);
    await setCpuThreads(2);
    assert.deepEqual(
      [sharesOut(small, true), sharesOut(small, false), sharesOut(big, false)],
      [true, false, true],
    );
    // One chunk of images: nothing to share.
    assert.equal(
      sharesOut(convGeometry([IMAGE_CHUNK, 64, 64, 1], [3, 3, 1, 8], 2, "same"), true),
      false,
    );
  } finally {
    stopCpuThreads();
  }
});

Deno.test("an elementwise call shared out takes two chunks per thread, never fewer values than RANGE_CHUNK", () => {
  // The paper's largest activation on two threads: four chunks.
  assert.equal(rangeChunkValues(1_228_800, 2), 307_200);
  assert.equal(rangeChunkValues(300_000, 2) % 16, 0);
  assert.ok(rangeChunkValues(300_000, 2) * 4 >= 300_000);
  assert.equal(rangeChunkValues(300_000, 8), RANGE_CHUNK);
});
