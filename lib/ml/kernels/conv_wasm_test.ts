import assert from "node:assert/strict";
import { createRng } from "../../../pipeline/rng.ts";
import { convGeometry, geometrySizes } from "./conv_geometry.ts";
import {
  conv2dBackpropFilterImagesWasm,
  conv2dBackpropInputImagesWasm,
  conv2dImagesWasm,
  wasmSimdSupported,
} from "./conv_wasm.ts";
import { CONV_WASM_BASE64 } from "./conv_wasm_binary.ts";
import { chooseImageKernelImpl, imageKernelImpl, setImageKernelImpl } from "./cpu_threads.ts";
import { conv2dNhwc } from "./conv2d_cpu.ts";
import { binaryModuleText, compileConvWasm } from "./wasm/build.ts";
import {
  type ConvCase,
  describeCase,
  paperEncoderCases,
  randomConvCases,
  randomValues,
  refConv2d,
  refConv2dBackpropFilter,
  refConv2dBackpropInput,
  relativeError,
} from "./_test_utils.ts";

// Float32 sums of at most a few hundred products per value: ~1e-7 relative, well inside the
// 1e-5 relative L2 the kernels are required to meet against float64.
const TOLERANCE = 1e-5;

/** Extra cases the random set may miss: batch 1 and odd sizes, channels not a multiple of 4, 5×5. */
function edgeCases(): ConvCase[] {
  const shapes: [
    [number, number, number, number],
    [number, number, number, number],
    number,
    "same" | "valid",
  ][] = [
    [[1, 7, 9, 3], [3, 3, 3, 5], 2, "same"],
    [[3, 13, 11, 6], [5, 5, 6, 7], 2, "same"],
    [[5, 8, 8, 1], [4, 4, 1, 32], 2, "valid"],
    [[2, 63, 63, 1], [3, 3, 1, 8], 2, "valid"],
    [[1, 9, 9, 13], [3, 3, 13, 1], 1, "same"],
    [[2, 6, 6, 2], [1, 1, 2, 3], 1, "valid"],
  ];
  return shapes.map(([xShape, filterShape, s, pad]) => ({
    xShape,
    filterShape,
    strides: [s, s] as [number, number],
    pad,
    geometry: convGeometry(xShape, filterShape, s, pad),
  }));
}

const ALL_CASES = () => [...randomConvCases(201, 60), ...paperEncoderCases(3), ...edgeCases()];

Deno.test({
  name: "the wasm kernels match float64 references within 1e-5 relative L2",
  ignore: !wasmSimdSupported(),
  fn() {
    const rng = createRng(202);
    for (const c of ALL_CASES()) {
      const g = c.geometry;
      const n = geometrySizes(g);
      const x = randomValues(rng, n.x), w = randomValues(rng, n.filter);
      const dy = randomValues(rng, n.dy);
      const y = new Float32Array(n.dy), dx = new Float32Array(n.x), dw = new Float64Array(n.filter);
      // Chunks of 2 images: the kernels must index the batch by b0, b1.
      for (let b0 = 0; b0 < g.batch; b0 += 2) {
        const b1 = Math.min(g.batch, b0 + 2);
        conv2dImagesWasm(x, w, y, g, b0, b1);
        conv2dBackpropInputImagesWasm(dy, w, dx, g, b0, b1);
        conv2dBackpropFilterImagesWasm(x, dy, dw, g, b0, b1);
      }
      const e1 = relativeError(y, refConv2d(x, w, g));
      const e2 = relativeError(dx, refConv2dBackpropInput(dy, w, g));
      const e3 = relativeError(dw, refConv2dBackpropFilter(x, dy, g));
      assert.ok(e1 < TOLERANCE, `conv2d ${describeCase(c)}: ${e1}`);
      assert.ok(e2 < TOLERANCE, `backprop input ${describeCase(c)}: ${e2}`);
      assert.ok(e3 < TOLERANCE, `backprop filter ${describeCase(c)}: ${e3}`);
    }
  },
});

Deno.test({
  name: "the wasm kernels give the same bytes whatever the chunking of the batch",
  ignore: !wasmSimdSupported(),
  fn() {
    const rng = createRng(203);
    const [c] = paperEncoderCases(7);
    const g = c.geometry;
    const n = geometrySizes(g);
    const x = randomValues(rng, n.x), w = randomValues(rng, n.filter);
    const one = new Float32Array(n.dy), many = new Float32Array(n.dy);
    conv2dImagesWasm(x, w, one, g, 0, g.batch);
    for (let b = 0; b < g.batch; b++) conv2dImagesWasm(x, w, many, g, b, b + 1);
    assert.deepEqual(one, many);
  },
});

Deno.test("the shipped WebAssembly binary is what `deno task build-kernels` makes of the sources", async () => {
  const rebuilt = binaryModuleText(await compileConvWasm());
  const shipped = await Deno.readTextFile(new URL("./conv_wasm_binary.ts", import.meta.url));
  assert.equal(shipped, rebuilt, "stale binary: run `deno task build-kernels`");
  assert.ok(CONV_WASM_BASE64.length > 0);
});

Deno.test("without WebAssembly SIMD the JavaScript kernels run, after one line naming the feature", () => {
  const none = chooseImageKernelImpl(false);
  assert.equal(none.impl, "js");
  assert.match(none.warning ?? "", /WebAssembly SIMD is not available/);
  assert.equal(none.warning?.split("\n").length, 1);
  assert.deepEqual(chooseImageKernelImpl(true), { impl: "wasm" });
});

Deno.test({
  name: "the JavaScript fallback and the WebAssembly kernels agree within float32 rounding",
  ignore: !wasmSimdSupported(),
  fn() {
    const rng = createRng(204);
    const [c] = paperEncoderCases(3).slice(1);
    const n = geometrySizes(c.geometry);
    const x = randomValues(rng, n.x), w = randomValues(rng, n.filter);
    const before = imageKernelImpl();
    try {
      setImageKernelImpl("js");
      const js = conv2dNhwc(x, w, c.geometry);
      setImageKernelImpl("wasm");
      const wasm = conv2dNhwc(x, w, c.geometry);
      assert.ok(relativeError(wasm, js) < 1e-6);
    } finally {
      setImageKernelImpl(before);
    }
  },
});
