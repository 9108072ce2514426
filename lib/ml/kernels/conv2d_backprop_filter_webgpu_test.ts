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
import { onWebgpu, webgpuTest } from "./_on_webgpu.ts";

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
  ...webgpuTest,
  async fn() {
    await onWebgpu(async (device) => {
      const rng = createRng(401);
      const cases = [...randomConvCases(41, 12), splitCase()];
      assert.ok(reductionSplit(cases[cases.length - 1].geometry).splits > 1);
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
        // A scope per case as well, so that a broken shader is named with its case.
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
    });
  },
});
