import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { conv2dBackpropFilterNhwc } from "./conv2d_backprop_filter_cpu.ts";
import { geometrySizes } from "./conv_geometry.ts";
import { installFastKernels } from "./install.ts";
import {
  describeCase,
  paperEncoderCases,
  randomConvCases,
  randomValues,
  refConv2dBackpropFilter,
  relativeError,
  runKernelValues,
  withStockKernels,
} from "./_test_utils.ts";

await tf.setBackend("cpu");

// The kernel sums in float64 and rounds once, so its error against the float64 reference is
// float32 rounding (~1e-7); 1e-6 is tighter than the 1e-4 the kernels are required to meet.

Deno.test("conv2dBackpropFilterNhwc() matches a float64 reference on random shapes", () => {
  const rng = createRng(101);
  for (const c of randomConvCases(11, 60)) {
    const n = geometrySizes(c.geometry);
    const x = randomValues(rng, n.x), dy = randomValues(rng, n.dy);
    const err = relativeError(
      conv2dBackpropFilterNhwc(x, dy, c.geometry),
      refConv2dBackpropFilter(x, dy, c.geometry),
    );
    assert.ok(err < 1e-6, `${describeCase(c)}: relative error ${err}`);
  }
});

Deno.test("conv2dBackpropFilterNhwc() matches a float64 reference on the paper's layers", () => {
  const rng = createRng(102);
  for (const c of paperEncoderCases(2)) {
    const n = geometrySizes(c.geometry);
    const x = randomValues(rng, n.x), dy = randomValues(rng, n.dy);
    const err = relativeError(
      conv2dBackpropFilterNhwc(x, dy, c.geometry),
      refConv2dBackpropFilter(x, dy, c.geometry),
    );
    assert.ok(err < 1e-6, `${describeCase(c)}: relative error ${err}`);
  }
});

Deno.test("conv2dBackpropFilterNhwc() is deterministic", () => {
  const rng = createRng(103);
  const [c] = randomConvCases(12, 1);
  const n = geometrySizes(c.geometry);
  const x = randomValues(rng, n.x), dy = randomValues(rng, n.dy);
  assert.deepEqual(
    conv2dBackpropFilterNhwc(x, dy, c.geometry),
    conv2dBackpropFilterNhwc(x, dy, c.geometry),
  );
});

Deno.test("makeConv2dBackpropFilterCpu() agrees with the stock kernel through tfjs", () => {
  installFastKernels("cpu");
  const rng = createRng(104);
  for (const c of randomConvCases(13, 25)) {
    const n = geometrySizes(c.geometry);
    const g = c.geometry;
    const x = tf.tensor4d(randomValues(rng, n.x), c.xShape);
    const dy = tf.tensor4d(randomValues(rng, n.dy), [
      g.batch,
      g.outHeight,
      g.outWidth,
      g.outChannels,
    ]);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      filterShape: c.filterShape,
    };
    const stock = withStockKernels(
      "cpu",
      () => runKernelValues("Conv2DBackpropFilter", { x, dy }, attrs),
    );
    const fast = runKernelValues("Conv2DBackpropFilter", { x, dy }, attrs);
    const err = relativeError(fast, stock);
    assert.ok(err < 1e-5, `${describeCase(c)}: relative error ${err} against stock`);
    tf.dispose([x, dy]);
  }
});

Deno.test("makeConv2dBackpropFilterCpu() hands NCHW to the stock kernel", () => {
  installFastKernels("cpu");
  const rng = createRng(105);
  const x = tf.tensor4d(randomValues(rng, 2 * 3 * 7 * 6), [2, 3, 7, 6]);
  const dy = tf.tensor4d(randomValues(rng, 2 * 4 * 4 * 3), [2, 4, 4, 3]);
  const attrs = { strides: 2, pad: "same", dataFormat: "NCHW", filterShape: [3, 3, 3, 4] };
  const stock = withStockKernels(
    "cpu",
    () => runKernelValues("Conv2DBackpropFilter", { x, dy }, attrs),
  );
  assert.deepEqual(runKernelValues("Conv2DBackpropFilter", { x, dy }, attrs), stock);
  tf.dispose([x, dy]);
});
