/**
 * The geometry of a 2-D convolution (NHWC input, HWIO filter) as plain numbers, shared by the
 * fast kernels, their float64 references and their tests.
 *
 * tfjs computes the same numbers in `backend_util.computeConv2DInfo`; {@linkcode geometryFromInfo}
 * copies them so that the loops below never touch tfjs objects and can be tested on their own.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Sizes, strides and padding of one NHWC convolution with an HWIO filter (dilation 1). */
export interface ConvGeometry {
  /** Batch size N. */
  batch: number;
  /** Input height H. */
  inHeight: number;
  /** Input width W. */
  inWidth: number;
  /** Input channels C (the filter's I). */
  inChannels: number;
  /** Output height. */
  outHeight: number;
  /** Output width. */
  outWidth: number;
  /** Output channels K (the filter's O). */
  outChannels: number;
  /** Filter height. */
  filterHeight: number;
  /** Filter width. */
  filterWidth: number;
  /** Vertical stride. */
  strideHeight: number;
  /** Horizontal stride. */
  strideWidth: number;
  /** Zero rows added above the input (the first output row reads input row `-padTop`). */
  padTop: number;
  /** Zero columns added left of the input. */
  padLeft: number;
}

/** Copies the numbers the fast kernels need out of a tfjs `Conv2DInfo`. */
export function geometryFromInfo(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Padding as tfjs accepts it: `'same'`, `'valid'`, or explicit NHWC pairs. */
export type ConvPad = "same" | "valid" | [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * tfjs's own description of `tf.conv2d(x, filter, strides, pad)` for an NHWC input of shape
 * `xShape` and an HWIO filter of shape `filterShape` (dilation 1), so that `'same'` splits its
 * padding exactly as the stock kernels do.
 */
export function nhwcConvInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | readonly [number, number],
  pad: ConvPad,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    [...xShape] as [number, number, number, number],
    [...filterShape] as [number, number, number, number],
    typeof strides === "number" ? strides : [strides[0], strides[1]],
    1,
    pad,
    undefined,
    false,
    "channelsLast",
  );
}

/** The geometry of {@linkcode nhwcConvInfo}'s convolution as plain numbers. */
export function convGeometry(
  xShape: readonly [number, number, number, number],
  filterShape: readonly [number, number, number, number],
  strides: number | readonly [number, number],
  pad: ConvPad,
): ConvGeometry {
  return geometryFromInfo(nhwcConvInfo(xShape, filterShape, strides, pad));
}

/** Number of elements of x (`N·H·W·C`), dy (`N·OH·OW·K`) and the filter (`FH·FW·C·K`). */
export function geometrySizes(g: ConvGeometry): { x: number; dy: number; filter: number } {
  return {
    x: g.batch * g.inHeight * g.inWidth * g.inChannels,
    dy: g.batch * g.outHeight * g.outWidth * g.outChannels,
    filter: g.filterHeight * g.filterWidth * g.inChannels * g.outChannels,
  };
}
