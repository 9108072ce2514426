/**
 * A fast `Conv2D` (forward convolution) for the tfjs `cpu` backend (NHWC, dilation 1).
 *
 *     y[b, yR, yC, d2] = Σ_wR Σ_wC Σ_d1 x[b, yR·sH + wR − top, yC·sW + wC − left, d1] · W[wR, wC, d1, d2]
 *
 * The stock kernel accumulates every product straight into the float32 output array (a float32
 * rounding per product, and a load and a store each time). Here each output value is a dot
 * product kept in a register (a JS double), eight or four output channels at a time so that each
 * input value is loaded once per eight or four products, and written once. The summation order is fixed.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { type ConvGeometry, geometryFromInfo } from "./conv_geometry.ts";
import { cpuValues } from "./cpu_data.ts";
import { convOutput, imageKernelImpl, runImageChunks } from "./cpu_threads.ts";
import { conv2dImagesWasm } from "./conv_wasm.ts";
import type { ImageKernel } from "./cpu_threads.ts";
import { applyEpilogue, type Epilogue } from "./epilogue.ts";

/**
 * Output channels [d2, d2 + 8) of output row (b, yR): eight dot products at a time.
 *
 * The loops are cut into one small function per output row and channel block, rather than one
 * function for the whole tensor, for V8's sake: a function called thousands of times is compiled
 * whole once it is hot, while one long-running call is only optimized loop by loop ("on-stack
 * replacement"), and a branch not yet taken when it was compiled (a channel remainder met in a
 * later layer) throws it back to slower code. Measured on the paper's training step, the single
 * function spent about twice as long.
 */
function rowBlock8(
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  g: ConvGeometry,
  b: number,
  yR: number,
  d2: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = g;
  const r0 = yR * SH - g.padTop; // input row read by filter row 0
  const wRlo = Math.max(0, -r0);
  const wRhi = Math.min(FH, H - r0);
  const tapStride = C * K; // distance in w between two filter taps
  for (let yC = 0; yC < OW; yC++) {
    const c0 = yC * SW - g.padLeft;
    const wClo = Math.max(0, -c0);
    const wChi = Math.min(FW, W - c0);
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let wR = wRlo; wR < wRhi; wR++) {
      const xRow = (b * H + r0 + wR) * W;
      for (let wC = wClo; wC < wChi; wC++) {
        const xOff = (xRow + c0 + wC) * C;
        let wi = (wR * FW + wC) * tapStride + d2;
        for (let d1 = 0; d1 < C; d1++) {
          const xv = x[xOff + d1];
          s0 += xv * w[wi];
          s1 += xv * w[wi + 1];
          s2 += xv * w[wi + 2];
          s3 += xv * w[wi + 3];
          s4 += xv * w[wi + 4];
          s5 += xv * w[wi + 5];
          s6 += xv * w[wi + 6];
          s7 += xv * w[wi + 7];
          wi += K;
        }
      }
    }
    const yOff = ((b * OH + yR) * OW + yC) * K + d2;
    y[yOff] = s0;
    y[yOff + 1] = s1;
    y[yOff + 2] = s2;
    y[yOff + 3] = s3;
    y[yOff + 4] = s4;
    y[yOff + 5] = s5;
    y[yOff + 6] = s6;
    y[yOff + 7] = s7;
  }
}

/** Output channels [d2, d2 + 4) of output row (b, yR) (see {@linkcode rowBlock8}). */
function rowBlock4(
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  g: ConvGeometry,
  b: number,
  yR: number,
  d2: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = g;
  const r0 = yR * SH - g.padTop;
  const wRlo = Math.max(0, -r0);
  const wRhi = Math.min(FH, H - r0);
  const tapStride = C * K;
  for (let yC = 0; yC < OW; yC++) {
    const c0 = yC * SW - g.padLeft;
    const wClo = Math.max(0, -c0);
    const wChi = Math.min(FW, W - c0);
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let wR = wRlo; wR < wRhi; wR++) {
      const xRow = (b * H + r0 + wR) * W;
      for (let wC = wClo; wC < wChi; wC++) {
        const xOff = (xRow + c0 + wC) * C;
        let wi = (wR * FW + wC) * tapStride + d2;
        for (let d1 = 0; d1 < C; d1++) {
          const xv = x[xOff + d1];
          s0 += xv * w[wi];
          s1 += xv * w[wi + 1];
          s2 += xv * w[wi + 2];
          s3 += xv * w[wi + 3];
          wi += K;
        }
      }
    }
    const yOff = ((b * OH + yR) * OW + yC) * K + d2;
    y[yOff] = s0;
    y[yOff + 1] = s1;
    y[yOff + 2] = s2;
    y[yOff + 3] = s3;
  }
}

/** Output channel d2 of output row (b, yR) (see {@linkcode rowBlock8}). */
function rowBlock1(
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  g: ConvGeometry,
  b: number,
  yR: number,
  d2: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = g;
  const r0 = yR * SH - g.padTop;
  const wRlo = Math.max(0, -r0);
  const wRhi = Math.min(FH, H - r0);
  const tapStride = C * K;
  for (let yC = 0; yC < OW; yC++) {
    const c0 = yC * SW - g.padLeft;
    const wClo = Math.max(0, -c0);
    const wChi = Math.min(FW, W - c0);
    let s = 0;
    for (let wR = wRlo; wR < wRhi; wR++) {
      const xRow = (b * H + r0 + wR) * W;
      for (let wC = wClo; wC < wChi; wC++) {
        const xOff = (xRow + c0 + wC) * C;
        let wi = (wR * FW + wC) * tapStride + d2;
        for (let d1 = 0; d1 < C; d1++) {
          s += x[xOff + d1] * w[wi];
          wi += K;
        }
      }
    }
    y[((b * OH + yR) * OW + yC) * K + d2] = s;
  }
}

/**
 * Images [b0, b1) of a forward NHWC convolution, written into `y`, with the layer's epilogue `e`
 * applied when given. Each output value depends only on its own image, so any split of the
 * batch gives the same bytes.
 */
export function conv2dImages(
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
  e?: Epilogue,
): void {
  const K = g.outChannels;
  // Eight output channels per pass while there are that many (the paper's widest layer has 8),
  // then four, then one at a time.
  const K8 = K - (K % 8);
  const K4 = K - ((K - K8) % 4);
  for (let b = b0; b < b1; b++) {
    for (let yR = 0; yR < g.outHeight; yR++) {
      for (let d2 = 0; d2 < K8; d2 += 8) rowBlock8(x, w, y, g, b, yR, d2);
      for (let d2 = K8; d2 < K4; d2 += 4) rowBlock4(x, w, y, g, b, yR, d2);
      for (let d2 = K4; d2 < K; d2++) rowBlock1(x, w, y, g, b, yR, d2);
    }
  }
  if (e !== undefined) {
    const image = g.outHeight * g.outWidth * K;
    applyEpilogue(y, b0 * image, b1 * image, e);
  }
}

/**
 * Forward NHWC convolution: `x` holds `N·H·W·C` values, `w` the HWIO filter (`FH·FW·C·K`);
 * returns `y` (`N·OH·OW·K`), computed on the cpu threads in force (see `./cpu_threads.ts`),
 * with the layer's epilogue applied when given. With `out` (n values, from `newValues`: in shared
 * memory when threads run) it writes there instead of a new array (a group's block).
 */
export function conv2dNhwc(
  x: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  epilogue?: Epilogue,
  out?: Float32Array,
): Float32Array {
  const impl = imageKernelImpl();
  const y = convOutput(g.batch * g.outHeight * g.outWidth * g.outChannels, out);
  const kernel = impl === "wasm" ? conv2dImagesWasm : conv2dImages;
  runImageChunks(kernel as ImageKernel, "conv2d", impl, g, x, w, y, 0, epilogue);
  return y;
}

/** Whether a `dilations` attribute means no dilation. */
function undilated(d: number | [number, number] | undefined): boolean {
  return d === undefined || d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1);
}

/**
 * Builds the `Conv2D` kernel function for the cpu backend; cases it does not handle (NCHW,
 * dilation, non-float32) go to `fallback`, the stock kernel function.
 */
export function makeConv2dCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as tf.MathBackendCPU;
    const { x, filter } = args.inputs as tf.Conv2DInputs;
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (x === undefined || filter === undefined) {
      throw new Error("Cannot run Conv2D: inputs x and filter are required; pass both");
    }
    if (
      attrs.dataFormat === "NCHW" || !undilated(attrs.dilations) || x.dtype !== "float32" ||
      filter.dtype !== "float32"
    ) {
      return fallback(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const y = conv2dNhwc(cpuValues(backend, x), cpuValues(backend, filter), geometryFromInfo(info));
    return backend.makeTensorInfo(info.outShape, "float32", y);
  };
}
