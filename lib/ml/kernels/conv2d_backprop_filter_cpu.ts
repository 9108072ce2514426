/**
 * A fast `Conv2DBackpropFilter` for the tfjs `cpu` backend (NHWC, dilation 1).
 *
 * The stock kernel reads every element through `TensorBuffer.get` (an allocation and a bounds
 * check per access) and sums each filter element over the whole batch on its own; it took about
 * 20 s of a 23 s training step of the paper's autoencoder (batch 300) on the 2-core development
 * machine. This one reads the flat typed arrays directly.
 *
 * The filter gradient is
 *
 *     dW[wR, wC, d1, d2] = Σ_b Σ_yR Σ_yC x[b, yR·sH + wR − top, yC·sW + wC − left, d1] · dy[b, yR, yC, d2]
 *
 * Loop order: for each image row pair (b, yR) and filter tap (wR, wC), the sum over output columns
 * yC is a strided dot product of one x row with one dy row, taken for four output channels at a
 * time so that each x value is loaded once per four products and the four partial sums stay in
 * registers. Partial sums are added into a float64 accumulator, so the summation order is fixed
 * (deterministic) and the result is the float64 sum rounded once to float32, as in the stock kernel
 * (which also accumulates in a JS double).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { type ConvGeometry, geometryFromInfo } from "./conv_geometry.ts";
import { cpuValues } from "./cpu_data.ts";
import {
  chunkSumsInOrder,
  giveBackAccumulators,
  imageChunkCount,
  imageKernelImpl,
  newAccumulators,
  runImageChunks,
} from "./cpu_threads.ts";
import { conv2dBackpropFilterImagesWasm } from "./conv_wasm.ts";
import type { ImageKernel } from "./cpu_threads.ts";

/**
 * Adds the contribution of image row pair (b, yR) to output channels [d2, d2 + 4) of every
 * filter element: for each filter tap and input channel, four strided dot products over the
 * output columns, sharing each x load.
 *
 * The loops are cut into small functions called once per row pair for V8's sake: a function
 * called thousands of times is compiled whole once it is hot, while one long-running call is only
 * optimized loop by loop (on-stack replacement), and a branch not yet taken when it was compiled
 * throws it back to slower code.
 */
function rowBlock4(
  x: Float32Array,
  dy: Float32Array,
  acc: Float64Array,
  g: ConvGeometry,
  cols: Int32Array,
  b: number,
  yR: number,
  d2: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = g;
  const xStep = SW * C; // distance in x between the inputs of two neighbouring output columns
  const r0 = yR * SH - g.padTop; // input row read by filter row 0
  const wRlo = Math.max(0, -r0);
  const wRhi = Math.min(FH, H - r0);
  const dyRow = (b * OH + yR) * OW * K + d2;
  for (let wR = wRlo; wR < wRhi; wR++) {
    const xRow = (b * H + r0 + wR) * W * C;
    for (let wC = 0; wC < FW; wC++) {
      const lo = cols[2 * wC];
      const n = cols[2 * wC + 1] - lo;
      const xBase = xRow + (lo * SW + wC - g.padLeft) * C;
      const dBase = dyRow + lo * K;
      let a = (wR * FW + wC) * C * K + d2;
      for (let d1 = 0; d1 < C; d1++) {
        let xi = xBase + d1;
        let di = dBase;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let i = 0; i < n; i++) {
          const xv = x[xi];
          s0 += xv * dy[di];
          s1 += xv * dy[di + 1];
          s2 += xv * dy[di + 2];
          s3 += xv * dy[di + 3];
          xi += xStep;
          di += K;
        }
        acc[a] += s0;
        acc[a + 1] += s1;
        acc[a + 2] += s2;
        acc[a + 3] += s3;
        a += K;
      }
    }
  }
}

/** Output channel d2 alone (the remainder after blocks of four); see {@linkcode rowBlock4}. */
function rowBlock1(
  x: Float32Array,
  dy: Float32Array,
  acc: Float64Array,
  g: ConvGeometry,
  cols: Int32Array,
  b: number,
  yR: number,
  d2: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = g;
  const xStep = SW * C;
  const r0 = yR * SH - g.padTop;
  const wRlo = Math.max(0, -r0);
  const wRhi = Math.min(FH, H - r0);
  const dyRow = (b * OH + yR) * OW * K + d2;
  for (let wR = wRlo; wR < wRhi; wR++) {
    const xRow = (b * H + r0 + wR) * W * C;
    for (let wC = 0; wC < FW; wC++) {
      const lo = cols[2 * wC];
      const n = cols[2 * wC + 1] - lo;
      const xBase = xRow + (lo * SW + wC - g.padLeft) * C;
      const dBase = dyRow + lo * K;
      let a = (wR * FW + wC) * C * K + d2;
      for (let d1 = 0; d1 < C; d1++) {
        let xi = xBase + d1;
        let di = dBase;
        let s = 0;
        for (let i = 0; i < n; i++) {
          s += x[xi] * dy[di];
          xi += xStep;
          di += K;
        }
        acc[a] += s;
        a += K;
      }
    }
  }
}

/**
 * Adds the filter-gradient contributions of images [b0, b1) into `acc` (float64, HWIO order,
 * `FH·FW·C·K` values), in a fixed order: image, output row, then filter tap.
 */
export function conv2dBackpropFilterImages(
  x: Float32Array,
  dy: Float32Array,
  acc: Float64Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
): void {
  const { outWidth: OW, outChannels: K, filterWidth: FW, strideWidth: SW, padLeft } = g;
  // For each filter column wC, the output columns whose input column yC·sW + wC − left lies inside
  // the image: yC in [cols[2wC], cols[2wC + 1]). Independent of the row, so computed once.
  const cols = new Int32Array(2 * FW);
  for (let wC = 0; wC < FW; wC++) {
    const lo = Math.max(0, Math.ceil((padLeft - wC) / SW));
    cols[2 * wC] = lo;
    cols[2 * wC + 1] = Math.max(
      lo,
      Math.min(OW, Math.floor((g.inWidth - 1 + padLeft - wC) / SW) + 1),
    );
  }
  const K4 = K - (K % 4);
  for (let b = b0; b < b1; b++) {
    for (let yR = 0; yR < g.outHeight; yR++) {
      for (let d2 = 0; d2 < K4; d2 += 4) rowBlock4(x, dy, acc, g, cols, b, yR, d2);
      for (let d2 = K4; d2 < K; d2++) rowBlock1(x, dy, acc, g, cols, b, yR, d2);
    }
  }
}

/**
 * The filter gradient of an NHWC convolution: `x` is the convolution's input (`N·H·W·C`
 * values), `dy` the gradient of its output (`N·OH·OW·K`); returns `dW` in HWIO order
 * (`FH·FW·C·K` values).
 *
 * The batch is cut into chunks of a fixed number of images (`IMAGE_CHUNK`, whatever the thread
 * count); each chunk is summed into its own float64 accumulator, on whichever cpu thread takes
 * it, and the chunk sums are then added in chunk order and rounded once to float32. The result
 * is therefore the same bytes with one thread or many.
 */
export function conv2dBackpropFilterNhwc(
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
): Float32Array {
  const size = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
  const chunks = imageChunkCount(g.batch);
  const partial = newAccumulators(chunks * size);
  const impl = imageKernelImpl();
  runImageChunks(
    (impl === "wasm" ? conv2dBackpropFilterImagesWasm : conv2dBackpropFilterImages) as ImageKernel,
    "conv2dBackpropFilter",
    impl,
    g,
    x,
    dy,
    partial,
    size,
  );
  const acc = chunkSumsInOrder(partial, chunks, size);
  giveBackAccumulators(partial);
  return Float32Array.from(acc);
}

/**
 * Builds the `Conv2DBackpropFilter` kernel function for the cpu backend; cases it does not
 * handle (NCHW, non-float32) go to `fallback`, the stock kernel function.
 */
export function makeConv2dBackpropFilterCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as tf.MathBackendCPU;
    const { x, dy } = args.inputs as tf.Conv2DBackpropFilterInputs;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (x === undefined || dy === undefined) {
      throw new Error("Cannot run Conv2DBackpropFilter: inputs x and dy are required; pass both");
    }
    if (attrs.dataFormat === "NCHW" || x.dtype !== "float32" || dy.dtype !== "float32") {
      return fallback(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const dw = conv2dBackpropFilterNhwc(
      cpuValues(backend, x),
      cpuValues(backend, dy),
      geometryFromInfo(info),
    );
    return backend.makeTensorInfo(info.filterShape, "float32", dw);
  };
}
