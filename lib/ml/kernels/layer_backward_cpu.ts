/**
 * The backward pass of a layer φ(conv(x, w) + bias) in one kernel call (φ the leaky ReLU; also
 * for a transposed convolution), chunk by chunk of the batch.
 *
 * Run as three calls, the pass writes dz = dy·φ'(y) for the whole batch (up to 2.46 M values,
 * 9.8 MB at batch 300) and reads it back twice, for the filter gradient and for the input
 * gradient, and each call ends with the threads waiting for the last of its chunks. Here each
 * chunk of {@linkcode IMAGE_CHUNK} images computes its own dz into a small buffer of its thread,
 * the bias gradient's sums over it, the filter gradient's sums and its images of dx, while that
 * dz is in cache; the threads meet once per layer.
 *
 * The values are those of the three calls: dz, dx and the filter gradient are computed by the same
 * kernels (WebAssembly or JavaScript, as the implementation in force) on the same chunks, so they
 * are the same bytes. The bias gradient adds the same float32 dz values in float64 in the same
 * order, but in chunks of images rather than of `sumChunkValues` values, so its float64 sum may be
 * rounded differently, which changes the float32 result only when it lies on a rounding boundary
 * of float32 (see the test).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { geometryFromInfo, nhwcConvInfo } from "./conv_geometry.ts";
import type { ConvGeometry } from "./conv_geometry.ts";
import { cpuValues } from "./cpu_data.ts";
import {
  chunkSumsInOrder,
  convOutput,
  giveBackAccumulators,
  IMAGE_CHUNK,
  imageChunkCount,
  imageKernelImpl,
  type LayerBackwardCall,
  newAccumulators,
  runLayerBackward,
} from "./cpu_threads.ts";
import { gradSlopes, leakyReluGradAndSumRange } from "./leaky_relu_cpu.ts";
import {
  ELEMENTWISE_BLOCK,
  geometryArgs,
  kernels,
  layout,
  pixels,
  put,
  take,
} from "./conv_wasm.ts";
import { conv2dImages } from "./conv2d_cpu.ts";
import { conv2dBackpropInputImages } from "./conv2d_backprop_input_cpu.ts";
import { conv2dBackpropFilterImages } from "./conv2d_backprop_filter_cpu.ts";

/** Name of the kernel (inputs dy, y, x, filter; see {@linkcode LayerBackwardAttrs}). */
export const CONV_BIAS_LEAKY_RELU_BACKWARD = "ConvBiasLeakyReluBackwardOfModel";

/**
 * Attributes of {@linkcode CONV_BIAS_LEAKY_RELU_BACKWARD}: the layer's own (NHWC, dilation 1; the
 * forward kernels of `./conv_bias_leaky_relu.ts` take the same) and whether to compute the input
 * gradient.
 */
export interface LayerBackwardAttrs {
  /** [vertical, horizontal]. */
  strides: [number, number];
  /** As tfjs: `same` or `valid`. */
  pad: "same" | "valid";
  /** The leaky ReLU's slope below zero (≥ 0). */
  alpha: number;
  /** The output shape of a transposed convolution (4-D); absent for a convolution. */
  outShape?: [number, number, number, number];
  /** Whether to compute the input gradient (false for the first layer, whose input is data). */
  inputGrad: boolean;
}

/** This thread's dz buffer (JavaScript kernels), grown to the largest chunk seen and reused. */
let dzBuffer = new Float32Array(0);

/**
 * Chunk `c` of a layer's backward call with the JavaScript kernels: images [c·IMAGE_CHUNK, …)
 * of dz into this thread's buffer with their bias sums, then their filter-gradient sums and
 * their images of dx. Every kernel runs on the chunk's own subarrays (images 0 to nb), which
 * computes what it computes on those images of the whole batch.
 */
export function layerBackwardChunkJs(t: LayerBackwardCall, c: number): void {
  const { g, nb, b0, b1, zSize, xSize, K, fw } = chunkOf(t, c);
  const n = nb * zSize;
  if (dzBuffer.length < n) dzBuffer = new Float32Array(n);
  const dz = dzBuffer.subarray(0, n);
  const db = t.db.subarray(c * K, (c + 1) * K);
  const dw = t.dw.subarray(c * fw, (c + 1) * fw);
  const dy = t.dy.subarray(b0 * zSize, b1 * zSize), y = t.y.subarray(b0 * zSize, b1 * zSize);
  leakyReluGradAndSumRange(dy, y, dz, t.alpha, 0, n, db);
  const x = t.x.subarray(b0 * xSize, b1 * xSize);
  const dx = t.dx?.subarray(b0 * xSize, b1 * xSize);
  if (t.transposed) {
    conv2dBackpropFilterImages(dz, x, dw, g, 0, nb);
    if (dx !== undefined) conv2dImages(dz, t.w, dx, g, 0, nb);
  } else {
    conv2dBackpropFilterImages(x, dz, dw, g, 0, nb);
    if (dx !== undefined) conv2dBackpropInputImages(dz, t.w, dx, g, 0, nb);
  }
}

/**
 * Per-layer sizes of a call: values of dz and of x per image, channels of dz (the bias's), values
 * of the filter. A convolution's output side is dz's; a transposed one's output is the
 * convolution's input.
 */
export function layerSizes(g: ConvGeometry, transposed: boolean) {
  const convIn = g.inHeight * g.inWidth * g.inChannels;
  const convOut = g.outHeight * g.outWidth * g.outChannels;
  return {
    zSize: transposed ? convIn : convOut,
    xSize: transposed ? convOut : convIn,
    K: transposed ? g.inChannels : g.outChannels,
    fw: g.filterHeight * g.filterWidth * g.inChannels * g.outChannels,
  };
}

/** Chunk `c` of a call: its images [b0, b1), their count, and the layer's sizes. */
function chunkOf(t: LayerBackwardCall, c: number) {
  const g = t.g;
  const b0 = c * IMAGE_CHUNK, b1 = Math.min(g.batch, b0 + IMAGE_CHUNK);
  return { g, b0, b1, nb: b1 - b0, ...layerSizes(g, t.transposed) };
}

/**
 * Chunk `c` of a layer's backward call with the WebAssembly kernels, in this thread's module
 * memory from start to end: dz is computed there (block by block, as
 * `leakyReluGradAndSumRangeWasm`) and read there by the filter and input gradients, which run
 * the steps of `conv2dBackpropFilterImagesWasm`, `conv2dBackpropInputImagesWasm` and
 * `conv2dImagesWasm` on it. The same kernels on the same values in the same order: the bytes of
 * {@linkcode layerBackwardChunkJs}'s composition of the wasm image kernels, without copying dz
 * out and back in twice (each 10-image chunk of the paper's 8-channel layers: 328 KB a copy).
 */
export function layerBackwardChunkWasm(t: LayerBackwardCall, c: number): void {
  const k = kernels();
  const { g, nb, b0, b1, zSize, xSize, K: Kz, fw } = chunkOf(t, c);
  const { P, pp } = pixels(g, b0, b1);
  const C = g.inChannels, K = g.outChannels;
  const L = g.filterHeight * g.filterWidth * C;
  const nz = nb * zSize;
  const block = Math.max(Kz, ELEMENTWISE_BLOCK - (ELEMENTWISE_BLOCK % Kz));
  // The convolution's output side (dz of a convolution, x of a transposed one) is padded to pp
  // pixels for the pixel-major kernels; its input side (x, or dz) is nb whole images.
  const outSide = pp * K * 4, inSide = nb * g.inHeight * g.inWidth * C * 4;
  const [dyA, yA, sumsA, zA, xA, colA, rowsA, accA, wA, wtA, outA, outTA] = layout(k, [
    block * 4,
    block * 4,
    Kz * 8,
    t.transposed ? inSide : outSide,
    t.transposed ? outSide : inSide,
    pp * L * 4,
    K * pp * 4,
    L * K * 8,
    L * K * 4,
    K * L * 4,
    t.transposed ? pp * K * 4 : inSide,
    t.transposed ? K * pp * 4 : 0,
  ]);
  const memory = k.memory.buffer;
  // dz and the bias sums, as leakyReluGradAndSumRangeWasm (a non-finite y: the JavaScript loops).
  const { a, s } = gradSlopes(t.alpha);
  const sums = new Float64Array(memory, sumsA, Kz).fill(0);
  const dy = t.dy.subarray(b0 * zSize, b1 * zSize), y = t.y.subarray(b0 * zSize, b1 * zSize);
  let finite = 1;
  for (let i = 0; i < nz; i += block) {
    const e = Math.min(nz, i + block);
    put(k, dyA, dy.subarray(i, e));
    put(k, yA, y.subarray(i, e));
    finite &= k.leakyReluGradSum(dyA, yA, zA + i * 4, e - i, Kz, a, s, sumsA);
  }
  const db = t.db.subarray(c * Kz, (c + 1) * Kz);
  if (finite === 1) db.set(sums);
  else {
    const dz = new Float32Array(nz);
    leakyReluGradAndSumRange(dy, y, dz, t.alpha, 0, nz, db);
    put(k, zA, dz);
  }
  const x = t.x.subarray(b0 * xSize, b1 * xSize);
  const geometry = geometryArgs(g, nb, pp);
  // The convolution's input (A, nb images) and output-side gradient (D, P rows of K, then
  // zeros to pp: the pixel-major product reads them).
  const A = t.transposed ? zA : xA, D = t.transposed ? xA : zA;
  put(k, xA, x);
  new Float32Array(memory, D + P * K * 4, (pp - P) * K).fill(0);
  const acc = new Float64Array(memory, accA, L * K).fill(0);
  const pixelMajor = C % 4 === 0;
  if (pixelMajor) {
    k.im2colPix(A, colA, ...geometry);
    k.dotPix(colA, D, accA, L, K, pp);
  } else {
    k.im2colT(A, colA, ...geometry);
    k.toChannelRows(D, rowsA, P, K, pp);
    k.dotRows(colA, rowsA, accA, L, K, pp);
  }
  const dw = t.dw.subarray(c * fw, (c + 1) * fw);
  for (let i = 0; i < fw; i++) dw[i] += acc[i];
  if (t.dx === undefined) return;
  put(k, wA, t.w.subarray(0, L * K));
  const dx = t.dx.subarray(b0 * xSize, b1 * xSize);
  if (!t.transposed) {
    // The input gradient from dz (D), as conv2dBackpropInputImagesWasm.
    if (pixelMajor) {
      k.transpose(wA, wtA, L, K);
      k.gemmPix(D, K, wtA, L, colA, pp, K);
      k.col2imPixAdd(colA, outA, ...geometry);
    } else {
      k.gemmRows(wA, K, 1, rowsA, colA, L, K, pp);
      k.col2imAdd(colA, outA, ...geometry);
    }
    take(k, outA, dx.length, dx);
    return;
  }
  // The convolution of dz (A), as conv2dImagesWasm: its patches are already in col where that
  // kernel takes the same path.
  if (K % 8 === 0 && pixelMajor) {
    k.gemmPix(colA, L, wA, K, outA, pp, L);
  } else {
    if (pixelMajor) k.im2colT(A, colA, ...geometry);
    k.gemmRows(wA, 1, K, colA, outTA, K, L, pp);
    k.fromChannelRows(outTA, outA, P, K, pp);
  }
  take(k, outA, P * K, dx);
}

/**
 * A gradient from its partial sums (`chunks` runs of `size`, from {@linkcode newAccumulators}),
 * added in chunk order and rounded to float32; the partial sums go back to their pool.
 */
export function sumChunksAndGiveBack(
  partial: Float64Array,
  chunks: number,
  size: number,
): Float32Array {
  const sums = Float32Array.from(chunkSumsInOrder(partial, chunks, size));
  giveBackAccumulators(partial);
  return sums;
}

/** The three gradients of a layer's backward call. */
export interface LayerGradients {
  /** The input gradient, when asked for. */
  dx?: Float32Array;
  /** The filter gradient (HWIO). */
  dw: Float32Array;
  /** The bias gradient. */
  db: Float32Array;
}

/**
 * The gradients of a layer from its output gradient `dy`, output `y`, input `x` and filter `w`
 * (geometry `g` of the convolution, see {@linkcode LayerBackwardCall}): dx only when
 * `inputGrad`.
 */
export function layerBackwardValues(
  dy: Float32Array,
  y: Float32Array,
  x: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  transposed: boolean,
  alpha: number,
  inputGrad: boolean,
): LayerGradients {
  const chunks = imageChunkCount(g.batch);
  const { fw, K, xSize } = layerSizes(g, transposed);
  const dx = inputGrad ? convOutput(g.batch * xSize) : undefined;
  const dwPartial = newAccumulators(chunks * fw), dbPartial = newAccumulators(chunks * K);
  const impl = imageKernelImpl();
  runLayerBackward(impl === "wasm" ? layerBackwardChunkWasm : layerBackwardChunkJs, {
    impl,
    g,
    transposed,
    alpha,
    dy,
    y,
    x,
    w,
    dx,
    dw: dwPartial,
    db: dbPartial,
    chunks,
  });
  return {
    dx,
    dw: sumChunksAndGiveBack(dwPartial, chunks, fw),
    db: sumChunksAndGiveBack(dbPartial, chunks, K),
  };
}

/**
 * The {@linkcode CONV_BIAS_LEAKY_RELU_BACKWARD} kernel function of the cpu backend: outputs the
 * filter gradient, the bias gradient and, with `inputGrad`, the input gradient.
 */
export const convBiasLeakyReluBackwardCpu: tf.KernelFunc = (args) => {
  const name = CONV_BIAS_LEAKY_RELU_BACKWARD;
  const { dy, y, x, filter } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  if (dy === undefined || y === undefined || x === undefined || filter === undefined) {
    throw new Error(`Cannot run ${name}: inputs dy, y, x and filter are required; pass all four`);
  }
  for (const [what, t] of [["dy", dy], ["y", y], ["x", x], ["filter", filter]] as const) {
    if (t.dtype !== "float32" || t.shape.length !== 4) {
      throw new Error(
        `Cannot run ${name}: ${what} must be 4-D float32 (got ${t.dtype} ${
          JSON.stringify(t.shape)
        })`,
      );
    }
  }
  if (!tf.util.arraysEqual(dy.shape, y.shape)) {
    throw new Error(`Cannot run ${name}: dy and y must have one shape`);
  }
  const a = args.attrs as unknown as LayerBackwardAttrs;
  const transposed = a.outShape !== undefined;
  // A transposed convolution's geometry is that of the convolution from its output to its input.
  const info = nhwcConvInfo(transposed ? y.shape : x.shape, filter.shape, a.strides, a.pad);
  const backend = args.backend as tf.MathBackendCPU;
  const r = layerBackwardValues(
    cpuValues(backend, dy),
    cpuValues(backend, y),
    cpuValues(backend, x),
    cpuValues(backend, filter),
    geometryFromInfo(info),
    transposed,
    a.alpha,
    a.inputGrad,
  );
  const out = [
    backend.makeTensorInfo(filter.shape, "float32", r.dw),
    backend.makeTensorInfo([r.db.length], "float32", r.db),
  ];
  if (r.dx !== undefined) out.push(backend.makeTensorInfo(x.shape, "float32", r.dx));
  return out;
};
