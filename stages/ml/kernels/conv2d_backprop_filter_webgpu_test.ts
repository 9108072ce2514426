import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { reductionSplit } from "./conv2d_backprop_filter_webgpu.ts";
import { convGeometry, geometrySizes } from "./conv_geometry.ts";
import { installFastKernels, restoreStockKernels } from "./install.ts";
import {
  type ConvCase,
  describeCase,
  randomConvCases,
  randomValues,
  refConv2dBackpropFilter,
  relativeError,
} from "./_test_utils.ts";

/** A WebGPU adapter if this machine has one (a software one counts: correctness only). */
const adapter = await navigator.gpu?.requestAdapter().catch(() => null) ?? null;

Deno.test("reductionSplit() covers every term and splits only long sums", () => {
  const paperFirst = convGeometry([300, 64, 64, 1], [3, 3, 1, 8], 2, "same");
  const s = reductionSplit(paperFirst);
  assert.equal(s.filterSize, 72);
  assert.equal(s.terms, 300 * 32 * 32);
  assert.equal(s.splits, 15);
  assert.ok(s.splits * s.chunk >= s.terms && (s.splits - 1) * s.chunk < s.terms);
  const small = reductionSplit(convGeometry([2, 9, 8, 3], [3, 3, 3, 5], 2, "same"));
  assert.equal(small.splits, 1);
  assert.equal(small.chunk, small.terms);
});

/** A case whose sums are long enough to be split (S > 1), so the gather pass runs too. */
function splitCase(): ConvCase {
  const xShape: [number, number, number, number] = [8, 64, 64, 1];
  const filterShape: [number, number, number, number] = [3, 3, 1, 8];
  return {
    xShape,
    filterShape,
    strides: [2, 2],
    pad: "same",
    geometry: convGeometry(xShape, filterShape, 2, "same"),
  };
}

Deno.test({
  name: "makeConv2dBackpropFilterWebgpu() matches a float64 reference on webgpu",
  ignore: adapter === null,
  // The WebGPU device and its buffers live for the whole process.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await import("@tensorflow/tfjs-backend-webgpu");
    assert.ok(await tf.setBackend("webgpu"), "the webgpu backend did not start");
    const device = (tf.backend() as unknown as { device: GPUDevice }).device;
    installFastKernels("webgpu");
    const rng = createRng(401);
    const cases = [...randomConvCases(41, 12), splitCase()];
    assert.ok(reductionSplit(cases[cases.length - 1].geometry).splits > 1);
    try {
      for (const c of cases) {
        const g = c.geometry;
        const n = geometrySizes(g);
        const xv = randomValues(rng, n.x), dyv = randomValues(rng, n.dy);
        const x = tf.tensor4d(xv, c.xShape);
        const dy = tf.tensor4d(dyv, [g.batch, g.outHeight, g.outWidth, g.outChannels]);
        const attrs = {
          strides: c.strides,
          pad: c.pad,
          dataFormat: "NHWC",
          filterShape: c.filterShape,
        };
        const run = async () => {
          const out = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs) as tf.Tensor;
          const v = await out.data() as Float32Array;
          out.dispose();
          return v;
        };
        // tfjs does not surface shader compilation or validation errors: catch them here, or a
        // broken shader would leave whatever the output buffer held.
        device.pushErrorScope("validation");
        const fast = await run();
        const again = await run();
        const error = await device.popErrorScope();
        assert.equal(error, null, `${describeCase(c)}: ${error?.message}`);
        const err = relativeError(fast, refConv2dBackpropFilter(xv, dyv, g));
        assert.ok(err < 1e-4, `${describeCase(c)}: relative error ${err}`);
        assert.deepEqual(again, fast, `${describeCase(c)}: not deterministic`);
        restoreStockKernels("webgpu");
        const stock = await run();
        installFastKernels("webgpu");
        const errStock = relativeError(fast, stock);
        assert.ok(errStock < 1e-4, `${describeCase(c)}: relative error ${errStock} against stock`);
        tf.dispose([x, dy]);
      }
    } finally {
      restoreStockKernels("webgpu");
      await tf.setBackend("cpu");
    }
  },
});
