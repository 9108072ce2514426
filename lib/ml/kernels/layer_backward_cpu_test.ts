import assert from "node:assert/strict";
import { createRng } from "../../../pipeline/rng.ts";
import { conv2dBackpropFilterNhwc } from "./conv2d_backprop_filter_cpu.ts";
import { conv2dBackpropInputNhwc } from "./conv2d_backprop_input_cpu.ts";
import { conv2dNhwc } from "./conv2d_cpu.ts";
import type { ConvGeometry } from "./conv_geometry.ts";
import { IMAGE_CHUNK, imageKernelImpl, setCpuThreads, sharesOut } from "./cpu_threads.ts";
import { layerBackwardValues } from "./layer_backward_cpu.ts";
import { leakyReluGradValues } from "./leaky_relu_cpu.ts";
import {
  type ConvCase,
  describeCase,
  paperEncoderCases,
  randomValues,
  sameBytes,
  withEachImageKernelImpl,
} from "./_test_utils.ts";

const ALPHA = 0.2;

/** A layer's arrays: its input x, output y (after a leaky ReLU), output gradient dy, filter w. */
interface Layer {
  g: ConvGeometry;
  transposed: boolean;
  x: Float32Array;
  y: Float32Array;
  dy: Float32Array;
  w: Float32Array;
}

/** Random arrays for the convolution of `c` or, `transposed`, the transposed convolution. */
function layerOf(c: ConvCase, transposed: boolean, seed: number): Layer {
  const rng = createRng(seed);
  const g = c.geometry;
  const convIn = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const convOut = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const [xSize, ySize] = transposed ? [convOut, convIn] : [convIn, convOut];
  // y is an activation: its negative values are α times a pre-activation.
  const y = randomValues(rng, ySize).map((v) => v < 0 ? Math.fround(v * ALPHA) : v);
  return {
    g,
    transposed,
    x: randomValues(rng, xSize),
    y,
    dy: randomValues(rng, ySize),
    w: randomValues(rng, c.filterShape.reduce((a, b) => a * b)),
  };
}

/**
 * The separate kernels' dz, dx and filter gradient, and the bias gradient as the kernel under
 * test sums it: dz per chunk of IMAGE_CHUNK images in float64 in order, the chunks in order,
 * rounded once.
 */
function separate(l: Layer) {
  const dz = leakyReluGradValues(l.dy, l.y, ALPHA);
  const g = l.g;
  const dw = l.transposed
    ? conv2dBackpropFilterNhwc(dz, l.x, g)
    : conv2dBackpropFilterNhwc(l.x, dz, g);
  const dx = l.transposed ? conv2dNhwc(dz, l.w, g) : conv2dBackpropInputNhwc(dz, l.w, g);
  const K = l.transposed ? g.inChannels : g.outChannels;
  const perImage = dz.length / g.batch;
  const total = new Float64Array(K);
  for (let b0 = 0; b0 < g.batch; b0 += IMAGE_CHUNK) {
    const chunk = new Float64Array(K);
    const end = Math.min(g.batch, b0 + IMAGE_CHUNK) * perImage;
    for (let i = b0 * perImage; i < end; i++) chunk[i % K] += dz[i];
    for (let k = 0; k < K; k++) total[k] += chunk[k];
  }
  return { dx, dw, db: Float32Array.from(total) };
}

function fused(l: Layer, inputGrad = true) {
  return layerBackwardValues(l.dy, l.y, l.x, l.w, l.g, l.transposed, ALPHA, inputGrad);
}

function checkLayer(l: Layer, what: string): void {
  const want = separate(l);
  const got = fused(l);
  const tag = `${what}${l.transposed ? " (transposed)" : ""}, ${imageKernelImpl()}`;
  assert.ok(sameBytes(got.dx!, want.dx), `dx differs from the separate kernels: ${tag}`);
  assert.ok(sameBytes(got.dw, want.dw), `the filter gradient differs: ${tag}`);
  assert.ok(sameBytes(got.db, want.db), `the bias gradient differs: ${tag}`);
  const noDx = fused(l, false);
  assert.equal(noDx.dx, undefined, `dx computed though not asked: ${tag}`);
  assert.ok(sameBytes(noDx.dw, want.dw) && sameBytes(noDx.db, want.db), `without dx: ${tag}`);
}

/** The paper's six layers at batch 25 (three chunks, the last of five images) and small cases. */
function cases(): ConvCase[] {
  return [...paperEncoderCases(25), ...paperEncoderCases(1)];
}

Deno.test("a layer's backward call gives the bytes of the separate kernels, chunk by chunk", () => {
  withEachImageKernelImpl(() =>
    cases().forEach((c, i) => {
      for (const transposed of [false, true]) {
        checkLayer(layerOf(c, transposed, 50 + i), describeCase(c));
      }
    })
  );
});

Deno.test("a layer's backward call with a NaN in one chunk's output: the bytes of the separate kernels", () => {
  withEachImageKernelImpl(() => {
    for (const transposed of [false, true]) {
      const c = paperEncoderCases(25)[1];
      const l = layerOf(c, transposed, 7);
      l.y[l.y.length - 5] = NaN; // in the last chunk only
      checkLayer(l, `NaN, ${describeCase(c)}`);
    }
  });
});

Deno.test("a layer's backward call gives the same bytes on one thread and on two", async () => {
  // 30 images of every paper layer, both ways: on two threads all but the smallest layers are
  // shared out (the test checks it), and their chunks must add up as on one thread.
  const cases = paperEncoderCases(30);
  const layers = cases.flatMap((c, i) => [layerOf(c, false, 80 + i), layerOf(c, true, 90 + i)]);
  try {
    await setCpuThreads(1);
    const one = layers.map((l) => fused(l));
    await setCpuThreads(2);
    assert.deepEqual(
      cases.map((c) => sharesOut(c.geometry, true)),
      [true, true, true, true, true, false],
      "which layers are shared out on two threads",
    );
    const two = layers.map((l) => fused(l));
    one.forEach((o, i) => {
      for (const key of ["dx", "dw", "db"] as const) {
        assert.ok(sameBytes(o[key]!, two[i][key]!), `layer ${i}: ${key} differs on two threads`);
      }
    });
  } finally {
    await setCpuThreads(1);
  }
});
