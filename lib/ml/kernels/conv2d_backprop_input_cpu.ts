/**
 * A fast `Conv2DBackpropInput` for the tfjs `cpu` backend (NHWC, dilation 1). It is the input
 * gradient of `tf.conv2d` and also the forward pass of `tf.conv2dTranspose` (the paper's decoder).
 *
 *     dx[b, xR, xC, d1] = Σ over (wR, yR) with yR·sH + wR − top = xR,
 *                         Σ over (wC, yC) with yC·sW + wC − left = xC,
 *                         Σ_d2 dy[b, yR, yC, d2] · W[wR, wC, d1, d2]
 *
 * The stock kernel loops over d1 outside the pixels (a stride-C walk through dx and dy for
 * NHWC) and recomputes the tap ranges with divisions for every element. Here the (filter row,
 * output row) pairs that reach each input row are listed once (likewise for columns), and each
 * dx value is a dot product kept in a register, four input channels at a time so that each dy
 * value is loaded once per four products. The summation order is fixed.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { type ConvGeometry, geometryFromInfo } from "./conv_geometry.ts";
import { cpuValues } from "./cpu_data.ts";
import { convOutput, imageKernelImpl, runImageChunks } from "./cpu_threads.ts";
import { conv2dBackpropInputImagesWasm } from "./conv_wasm.ts";
import type { ImageKernel } from "./cpu_threads.ts";
import { applyEpilogue, type Epilogue } from "./epilogue.ts";

/**
 * For each input position p in [0, size): the (filter index, output index) pairs with
 * `out·stride + tap − pad = p`, at most `taps` of them, in increasing tap order.
 */
function tapTable(size: number, outSize: number, taps: number, stride: number, pad: number) {
  const count = new Int32Array(size);
  const tap = new Int32Array(size * taps);
  const out = new Int32Array(size * taps);
  for (let p = 0; p < size; p++) {
    for (let t = 0; t < taps; t++) {
      const q = p + pad - t;
      if (q < 0 || q % stride !== 0) continue;
      const o = q / stride;
      if (o >= outSize) continue;
      tap[p * taps + count[p]] = t;
      out[p * taps + count[p]] = o;
      count[p]++;
    }
  }
  return { count, tap, out };
}

/** Row and column tap tables of a geometry (see {@linkcode tapTable}). */
interface Taps {
  rows: ReturnType<typeof tapTable>;
  cols: ReturnType<typeof tapTable>;
}

/**
 * Input channels [d1, d1 + 4) of dx row (b, xR): four dot products at a time, sharing each dy
 * load.
 *
 * The loops are cut into small functions called once per row for V8's sake: a function called
 * thousands of times is compiled whole once it is hot, while one long-running call is only
 * optimized loop by loop (on-stack replacement), and a branch not yet taken when it was compiled
 * throws it back to slower code.
 */
function rowBlock4(
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
  g: ConvGeometry,
  t: Taps,
  b: number,
  xR: number,
  d1: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW } = g;
  const K2 = 2 * K, K3 = 3 * K;
  const nR = t.rows.count[xR];
  for (let xC = 0; xC < W; xC++) {
    const nC = t.cols.count[xC];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < nR; i++) {
      const wR = t.rows.tap[xR * FH + i];
      const dyRow = (b * OH + t.rows.out[xR * FH + i]) * OW;
      for (let j = 0; j < nC; j++) {
        const wC = t.cols.tap[xC * FW + j];
        const dyOff = (dyRow + t.cols.out[xC * FW + j]) * K;
        const wi = ((wR * FW + wC) * C + d1) * K;
        for (let d2 = 0; d2 < K; d2++) {
          const dv = dy[dyOff + d2];
          s0 += dv * w[wi + d2];
          s1 += dv * w[wi + K + d2];
          s2 += dv * w[wi + K2 + d2];
          s3 += dv * w[wi + K3 + d2];
        }
      }
    }
    const dxOff = ((b * H + xR) * W + xC) * C + d1;
    dx[dxOff] = s0;
    dx[dxOff + 1] = s1;
    dx[dxOff + 2] = s2;
    dx[dxOff + 3] = s3;
  }
}

/** Input channel d1 alone (the remainder after blocks of four); see {@linkcode rowBlock4}. */
function rowBlock1(
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
  g: ConvGeometry,
  t: Taps,
  b: number,
  xR: number,
  d1: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW } = g;
  const nR = t.rows.count[xR];
  for (let xC = 0; xC < W; xC++) {
    const nC = t.cols.count[xC];
    let s = 0;
    for (let i = 0; i < nR; i++) {
      const wR = t.rows.tap[xR * FH + i];
      const dyRow = (b * OH + t.rows.out[xR * FH + i]) * OW;
      for (let j = 0; j < nC; j++) {
        const wC = t.cols.tap[xC * FW + j];
        const dyOff = (dyRow + t.cols.out[xC * FW + j]) * K;
        const wi = ((wR * FW + wC) * C + d1) * K;
        for (let d2 = 0; d2 < K; d2++) s += dy[dyOff + d2] * w[wi + d2];
      }
    }
    dx[((b * H + xR) * W + xC) * C + d1] = s;
  }
}

/**
 * Images [b0, b1) of the input gradient of an NHWC convolution, written into `dx`, with a
 * transposed convolution's epilogue `e` applied when given. Each dx value depends only on its
 * own image, so any split of the batch gives the same bytes.
 */
export function conv2dBackpropInputImages(
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
  e?: Epilogue,
): void {
  const C = g.inChannels;
  const taps: Taps = {
    rows: tapTable(g.inHeight, g.outHeight, g.filterHeight, g.strideHeight, g.padTop),
    cols: tapTable(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.padLeft),
  };
  const C4 = C - (C % 4);
  for (let b = b0; b < b1; b++) {
    for (let xR = 0; xR < g.inHeight; xR++) {
      for (let d1 = 0; d1 < C4; d1 += 4) rowBlock4(dy, w, dx, g, taps, b, xR, d1);
      for (let d1 = C4; d1 < C; d1++) rowBlock1(dy, w, dx, g, taps, b, xR, d1);
    }
  }
  if (e !== undefined) {
    const image = g.inHeight * g.inWidth * C;
    applyEpilogue(dx, b0 * image, b1 * image, e);
  }
}

/**
 * The input gradient of an NHWC convolution: `dy` holds `N·OH·OW·K` values, `w` the HWIO
 * filter (`FH·FW·C·K`); returns `dx` (`N·H·W·C`), computed on the cpu threads in force. As the
 * forward pass of a transposed convolution, it applies that layer's epilogue when given. With
 * `out` (n values from `newValues`, zeroed where the JavaScript kernels run, which add into it) it
 * writes there instead of a new array (a group's block).
 */
export function conv2dBackpropInputNhwc(
  dy: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  epilogue?: Epilogue,
  out?: Float32Array,
): Float32Array {
  const impl = imageKernelImpl();
  const dx = convOutput(g.batch * g.inHeight * g.inWidth * g.inChannels, out);
  const kernel = impl === "wasm" ? conv2dBackpropInputImagesWasm : conv2dBackpropInputImages;
  runImageChunks(kernel as ImageKernel, "conv2dBackpropInput", impl, g, dy, w, dx, 0, epilogue);
  return dx;
}

/**
 * Builds the `Conv2DBackpropInput` kernel function for the cpu backend; cases it does not
 * handle (NCHW, non-float32) go to `fallback`, the stock kernel function.
 */
export function makeConv2dBackpropInputCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as tf.MathBackendCPU;
    const { dy, filter } = args.inputs as tf.Conv2DBackpropInputInputs;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dy === undefined || filter === undefined) {
      throw new Error(
        "Cannot run Conv2DBackpropInput: inputs dy and filter are required; pass both",
      );
    }
    if (attrs.dataFormat === "NCHW" || dy.dtype !== "float32" || filter.dtype !== "float32") {
      return fallback(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const dx = conv2dBackpropInputNhwc(
      cpuValues(backend, dy),
      cpuValues(backend, filter),
      geometryFromInfo(info),
    );
    return backend.makeTensorInfo(info.inShape, "float32", dx);
  };
}
