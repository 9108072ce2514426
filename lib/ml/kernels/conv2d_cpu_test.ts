import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { conv2dNhwc } from "./conv2d_cpu.ts";
import { geometrySizes } from "./conv_geometry.ts";
import { installFastKernels } from "./install.ts";
import {
  describeCase,
  paperEncoderCases,
  randomConvCases,
  randomValues,
  refConv2d,
  relativeError,
  runKernelValues,
  withStockKernels,
} from "./_test_utils.ts";

await tf.setBackend("cpu");

// The kernel sums in float64 and rounds once, so its error against the float64 reference is
// float32 rounding (~1e-7); 1e-6 is tighter than the 1e-4 the kernels are required to meet. The
// stock kernel rounds to float32 after every product, hence the looser 1e-5 against it.

Deno.test("conv2dNhwc() matches a float64 reference on random shapes", () => {
  const rng = createRng(101);
  for (const c of randomConvCases(11, 60)) {
    const n = geometrySizes(c.geometry);
    const x = randomValues(rng, n.x), w = randomValues(rng, n.filter);
    const err = relativeError(
      conv2dNhwc(x, w, c.geometry),
      refConv2d(x, w, c.geometry),
    );
    assert.ok(err < 1e-6, `${describeCase(c)}: relative error ${err}`);
  }
});

Deno.test("conv2dNhwc() matches a float64 reference on the paper's layers", () => {
  const rng = createRng(102);
  for (const c of paperEncoderCases(2)) {
    const n = geometrySizes(c.geometry);
    const x = randomValues(rng, n.x), w = randomValues(rng, n.filter);
    const err = relativeError(
      conv2dNhwc(x, w, c.geometry),
      refConv2d(x, w, c.geometry),
    );
    assert.ok(err < 1e-6, `${describeCase(c)}: relative error ${err}`);
  }
});

Deno.test("conv2dNhwc() is deterministic", () => {
  const rng = createRng(103);
  const [c] = randomConvCases(12, 1);
  const n = geometrySizes(c.geometry);
  const x = randomValues(rng, n.x), w = randomValues(rng, n.filter);
  assert.deepEqual(
    conv2dNhwc(x, w, c.geometry),
    conv2dNhwc(x, w, c.geometry),
  );
});

Deno.test("makeConv2dCpu() agrees with the stock kernel through tfjs", () => {
  installFastKernels("cpu");
  const rng = createRng(104);
  for (const c of randomConvCases(13, 25)) {
    const n = geometrySizes(c.geometry);
    const x = tf.tensor4d(randomValues(rng, n.x), c.xShape);
    const filter = tf.tensor4d(randomValues(rng, n.filter), c.filterShape);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations: 1 };
    const stock = withStockKernels("cpu", () => runKernelValues("Conv2D", { x, filter }, attrs));
    const fast = runKernelValues("Conv2D", { x, filter }, attrs);
    const err = relativeError(fast, stock);
    assert.ok(err < 1e-5, `${describeCase(c)}: relative error ${err} against stock`);
    tf.dispose([x, filter]);
  }
});

Deno.test("makeConv2dCpu() hands NCHW and dilation to the stock kernel", () => {
  installFastKernels("cpu");
  const rng = createRng(105);
  const filter = tf.tensor4d(randomValues(rng, 3 * 3 * 3 * 4), [3, 3, 3, 4]);
  const nchw = tf.tensor4d(randomValues(rng, 2 * 3 * 7 * 6), [2, 3, 7, 6]);
  const nhwc = tf.tensor4d(randomValues(rng, 2 * 7 * 6 * 3), [2, 7, 6, 3]);
  for (
    const [x, attrs] of [
      [nchw, { strides: 2, pad: "same", dataFormat: "NCHW", dilations: 1 }],
      [nhwc, { strides: 1, pad: "same", dataFormat: "NHWC", dilations: 2 }],
    ] as const
  ) {
    const stock = withStockKernels("cpu", () => runKernelValues("Conv2D", { x, filter }, attrs));
    assert.deepEqual(runKernelValues("Conv2D", { x, filter }, attrs), stock);
  }
  tf.dispose([filter, nchw, nhwc]);
});
