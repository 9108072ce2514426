import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { conv2dBackpropInputNhwc } from "./conv2d_backprop_input_cpu.ts";
import { geometrySizes } from "./conv_geometry.ts";
import { installFastKernels } from "./install.ts";
import {
  describeCase,
  paperEncoderCases,
  randomConvCases,
  randomValues,
  refConv2dBackpropInput,
  relativeError,
  runKernelValues,
  withStockKernels,
} from "./_test_utils.ts";

await tf.setBackend("cpu");

// The kernel sums in float64 and rounds once, so its error against the float64 reference is
// float32 rounding (~1e-7); 1e-6 is tighter than the 1e-4 the kernels are required to meet.

Deno.test("conv2dBackpropInputNhwc() matches a float64 reference on random shapes", () => {
  const rng = createRng(101);
  for (const c of randomConvCases(11, 60)) {
    const n = geometrySizes(c.geometry);
    const dy = randomValues(rng, n.dy), w = randomValues(rng, n.filter);
    const err = relativeError(
      conv2dBackpropInputNhwc(dy, w, c.geometry),
      refConv2dBackpropInput(dy, w, c.geometry),
    );
    assert.ok(err < 1e-6, `${describeCase(c)}: relative error ${err}`);
  }
});

Deno.test("conv2dBackpropInputNhwc() matches a float64 reference on the paper's layers", () => {
  const rng = createRng(102);
  for (const c of paperEncoderCases(2)) {
    const n = geometrySizes(c.geometry);
    const dy = randomValues(rng, n.dy), w = randomValues(rng, n.filter);
    const err = relativeError(
      conv2dBackpropInputNhwc(dy, w, c.geometry),
      refConv2dBackpropInput(dy, w, c.geometry),
    );
    assert.ok(err < 1e-6, `${describeCase(c)}: relative error ${err}`);
  }
});

Deno.test("conv2dBackpropInputNhwc() is deterministic", () => {
  const rng = createRng(103);
  const [c] = randomConvCases(12, 1);
  const n = geometrySizes(c.geometry);
  const dy = randomValues(rng, n.dy), w = randomValues(rng, n.filter);
  assert.deepEqual(
    conv2dBackpropInputNhwc(dy, w, c.geometry),
    conv2dBackpropInputNhwc(dy, w, c.geometry),
  );
});

Deno.test("makeConv2dBackpropInputCpu() agrees with the stock kernel through tfjs", () => {
  installFastKernels("cpu");
  const rng = createRng(104);
  for (const c of randomConvCases(13, 25)) {
    const n = geometrySizes(c.geometry);
    const g = c.geometry;
    const filter = tf.tensor4d(randomValues(rng, n.filter), c.filterShape);
    const dy = tf.tensor4d(randomValues(rng, n.dy), [
      g.batch,
      g.outHeight,
      g.outWidth,
      g.outChannels,
    ]);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", inputShape: c.xShape };
    const stock = withStockKernels(
      "cpu",
      () => runKernelValues("Conv2DBackpropInput", { dy, filter }, attrs),
    );
    const fast = runKernelValues("Conv2DBackpropInput", { dy, filter }, attrs);
    const err = relativeError(fast, stock);
    assert.ok(err < 1e-5, `${describeCase(c)}: relative error ${err} against stock`);
    tf.dispose([filter, dy]);
  }
});

Deno.test("makeConv2dBackpropInputCpu() hands NCHW to the stock kernel", () => {
  installFastKernels("cpu");
  const rng = createRng(105);
  const filter = tf.tensor4d(randomValues(rng, 3 * 3 * 3 * 4), [3, 3, 3, 4]);
  const dy = tf.tensor4d(randomValues(rng, 2 * 4 * 4 * 4), [2, 4, 4, 4]);
  const attrs = { strides: 2, pad: "same", dataFormat: "NCHW", inputShape: [2, 3, 7, 7] };
  const stock = withStockKernels(
    "cpu",
    () => runKernelValues("Conv2DBackpropInput", { dy, filter }, attrs),
  );
  assert.deepEqual(runKernelValues("Conv2DBackpropInput", { dy, filter }, attrs), stock);
  tf.dispose([filter, dy]);
});
