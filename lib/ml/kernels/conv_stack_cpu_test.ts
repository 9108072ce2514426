import assert from "node:assert/strict";
import { createRng } from "../../../pipeline/rng.ts";
import { conv2dBackpropInputNhwc } from "./conv2d_backprop_input_cpu.ts";
import { conv2dNhwc } from "./conv2d_cpu.ts";
import { wasmSimdSupported } from "./conv_wasm.ts";
import { type ImageKernelImpl, setCpuThreads, setImageKernelImpl } from "./cpu_threads.ts";
import { convStackBackward, convStackForward, type StackLayerSpec } from "./conv_stack_cpu.ts";
import { layerBackwardValues } from "./layer_backward_cpu.ts";
import { paperEncoderCases, randomValues, sameBytes } from "./_test_utils.ts";

const ALPHA = 0.2;

/** The paper's autoencoder at batch `n`: six convolutions, then six transposed ones back. */
function paperStack(n: number, seed: number): { x: Float32Array; layers: StackLayerSpec[] } {
  const rng = createRng(seed);
  const cases = paperEncoderCases(n);
  const layers: StackLayerSpec[] = [
    ...cases.map((c) => ({ g: c.geometry, transposed: false })),
    ...cases.toReversed().map((c) => ({ g: c.geometry, transposed: true })),
  ].map(({ g, transposed }) => ({
    g,
    transposed,
    alpha: ALPHA,
    w: randomValues(rng, g.filterHeight * g.filterWidth * g.inChannels * g.outChannels),
    bias: randomValues(rng, transposed ? g.inChannels : g.outChannels),
  }));
  return { x: randomValues(rng, n * 64 * 64), layers };
}

/** The layers' own kernels, one call per layer: outputs, then the gradients last to first. */
function layerByLayer(x: Float32Array, layers: StackLayerSpec[], dy: Float32Array) {
  const ys: Float32Array[] = [];
  let h = x;
  for (const l of layers) {
    const e = { bias: l.bias, alpha: l.alpha };
    h = l.transposed ? conv2dBackpropInputNhwc(h, l.w, l.g, e) : conv2dNhwc(h, l.w, l.g, e);
    ys.push(h);
  }
  const dw: Float32Array[] = [], db: Float32Array[] = [];
  let d = dy;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    const r = layerBackwardValues(
      d,
      ys[i],
      i === 0 ? x : ys[i - 1],
      l.w,
      l.g,
      l.transposed,
      ALPHA,
      i > 0,
    );
    dw[i] = r.dw;
    db[i] = r.db;
    d = r.dx!;
  }
  return { ys, dw, db };
}

function checkStack(n: number, impl: ImageKernelImpl, threads: number[]) {
  return async () => {
    const { x, layers } = paperStack(n, 7);
    const dy = randomValues(createRng(8), n * 64 * 64);
    setImageKernelImpl(impl);
    try {
      await setCpuThreads(1);
      const ref = layerByLayer(x, layers, dy);
      for (const t of threads) {
        await setCpuThreads(t);
        const ys = convStackForward(x, layers);
        ys.forEach((y, i) =>
          assert.ok(sameBytes(y, ref.ys[i]), `${t} threads: layer ${i}'s output differs`)
        );
        const r = convStackBackward(dy, x, ys, layers, false);
        assert.equal(r.dx, undefined, "no input gradient asked");
        r.dw.forEach((w, i) =>
          assert.ok(sameBytes(w, ref.dw[i]), `${t} threads: layer ${i}'s filter gradient differs`)
        );
        r.db.forEach((b, i) =>
          assert.ok(sameBytes(b, ref.db[i]), `${t} threads: layer ${i}'s bias gradient differs`)
        );
      }
    } finally {
      await setCpuThreads(1);
      setImageKernelImpl(wasmSimdSupported() ? "wasm" : "js");
    }
  };
}

Deno.test({
  name:
    "conv stack: the paper's twelve layers give the layers' own bytes, on one thread and two (wasm)",
  ignore: !wasmSimdSupported(),
  fn: checkStack(23, "wasm", [1, 2]),
});

Deno.test(
  "conv stack: the same with the JavaScript kernels, on one thread and two",
  checkStack(13, "js", [1, 2]),
);

Deno.test("conv stack: the input gradient, when asked, is the first layer's own", async () => {
  const { x, layers } = paperStack(12, 3);
  const enc = layers.slice(0, 3);
  const dy = randomValues(createRng(4), 12 * 8 * 8 * 4);
  await setCpuThreads(1);
  const ys = convStackForward(x, enc);
  const r = convStackBackward(dy, x, ys, enc, true);
  const l2 = layerBackwardValues(dy, ys[2], ys[1], enc[2].w, enc[2].g, false, ALPHA, true);
  const l1 = layerBackwardValues(l2.dx!, ys[1], ys[0], enc[1].w, enc[1].g, false, ALPHA, true);
  const l0 = layerBackwardValues(l1.dx!, ys[0], x, enc[0].w, enc[0].g, false, ALPHA, true);
  assert.ok(r.dx !== undefined && sameBytes(r.dx, l0.dx!));
});

Deno.test("conv stack: no layers, or outputs that do not match them, is an error", () => {
  assert.throws(() => convStackForward(new Float32Array(4), []), /has no layers/);
  const { x, layers } = paperStack(2, 1);
  assert.throws(
    () => convStackBackward(new Float32Array(2 * 4096), x, [], layers, false),
    /12 layers and 0 outputs/,
  );
});
