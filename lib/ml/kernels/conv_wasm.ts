/**
 * The convolution kernels in WebAssembly with 128-bit SIMD (source: `./wasm/conv.as.ts`), as
 * image kernels with the same contract as the JavaScript ones: images [b0, b1) of a batch,
 * written into `out`.
 *
 * Each thread (the caller and every cpu kernel worker) has its own instance and memory. A call
 * copies its chunk of the batch and the filter into that memory, runs the three steps of the
 * source (layout change, SIMD matrix product, transposition) there, and copies the result out.
 * The memory grows to the largest chunk seen and is then reused, so page faults are paid once.
 *
 * Results depend on the shapes only, never on the thread or chunk that computes them: each
 * output value is summed in a fixed order (see the source). They are not the bytes of the
 * JavaScript kernels, which sum in float64: here products are summed in float32, except the
 * filter gradient's long sums over pixels, which add float32 block sums of 256 pixels in
 * float64.
 *
 * @module
 */

import type { ConvGeometry } from "./conv_geometry.ts";
import type { Epilogue } from "./epilogue.ts";
import { CONV_WASM_BASE64 } from "./conv_wasm_binary.ts";
import { decodeBase64 } from "./wasm/base64.ts";
import { copyIntoKernel, copyOutOfKernel } from "./tensor_memory.ts";

/** The exports of the kernels' module (addresses are byte offsets into its memory). */
export interface ConvExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  im2colT(...args: number[]): void;
  col2imAdd(...args: number[]): void;
  gemmRows(
    m: number,
    si: number,
    sj: number,
    inp: number,
    out: number,
    I: number,
    J: number,
    pp: number,
  ): void;
  dotRows(col: number, dyT: number, acc: number, L: number, K: number, pp: number): void;
  im2colPix(...args: number[]): void;
  col2imPixAdd(...args: number[]): void;
  gemmPix(a: number, lda: number, b: number, N: number, out: number, pp: number, J: number): void;
  transpose(src: number, dst: number, M: number, N: number): void;
  dotPix(col: number, dy: number, acc: number, L: number, K: number, pp: number): void;
  toChannelRows(src: number, dst: number, P: number, K: number, pp: number): void;
  fromChannelRows(src: number, dst: number, P: number, K: number, pp: number): void;
  biasLeakyRelu(y: number, n: number, K: number, bias: number, alpha: number): void;
  leakyReluGradSum(
    dy: number,
    x: number,
    dz: number,
    n: number,
    K: number,
    a: number,
    s: number,
    sums: number,
  ): number;
  squaredErrorSum(y: number, t: number, n: number, sum: number): void;
  squaredErrorGrad(y: number, t: number, g: number, n: number, c: number): void;
}

/** The smallest module using a SIMD instruction (`f32x4.splat` of 0), to probe for support. */
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // one function of type 0
  0x0a,
  0x0b,
  0x01,
  0x09,
  0x00, // code: one body, no locals
  0x43,
  0x00,
  0x00,
  0x00,
  0x00, // f32.const 0
  0xfd,
  0x13, // f32x4.splat
  0x0b, // end
]);

let simdSupport: boolean | undefined;

/** Whether this runtime runs WebAssembly with 128-bit SIMD (checked once). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport;
}

let instance: ConvExports | undefined;

/** This thread's instance of the kernels (compiled on first use; synchronous, as tfjs calls kernels). */
export function kernels(): ConvExports {
  if (instance === undefined) {
    const module = new WebAssembly.Module(decodeBase64(CONV_WASM_BASE64));
    instance = new WebAssembly.Instance(module, {
      env: {
        abort: () => {
          throw new Error("Cannot run a WebAssembly kernel: it aborted");
        },
      },
    }).exports as unknown as ConvExports;
  }
  return instance;
}

/**
 * Values per block of an elementwise kernel (`leakyReluGradSum`, `squaredErrorSum`,
 * `squaredErrorGrad`): a block of each operand is copied in, and its output out, per call, so
 * that the copies stay in cache (three 32 KB blocks). 2,048-value blocks ran the paper's
 * 8-channel gradient at 4.0 ms a call, 8,192 at 2.0–2.2 and 16,384 at 2.1 (2.46 M values, one
 * thread; the JavaScript loop 3.9–4.0).
 */
export const ELEMENTWISE_BLOCK = 8192;

/** Bytes rounded up to a multiple of 16, so every array starts on a vector boundary. */
function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * Lays out arrays of the given byte sizes in the instance's memory (growing it if needed) and
 * returns their addresses.
 */
export function layout(k: ConvExports, sizes: readonly number[]): number[] {
  const addresses: number[] = [];
  let at = align(k.heapBase());
  for (const s of sizes) {
    addresses.push(at);
    at += align(s);
  }
  const have = k.memory.buffer.byteLength;
  if (at > have) k.memory.grow(Math.ceil((at - have) / 65536));
  return addresses;
}

/**
 * Output pixels of images [b0, b1), and that count padded to the SIMD loops' multiple of 8 (the
 * channel-major loops take 8 pixels per step, the pixel-major ones 4).
 */
export function pixels(g: ConvGeometry, b0: number, b1: number): { P: number; pp: number } {
  const P = (b1 - b0) * g.outHeight * g.outWidth;
  return { P, pp: Math.ceil(P / 8) * 8 };
}

/** The geometry arguments of `im2colT` / `col2imAdd` for `nb` images. */
export function geometryArgs(g: ConvGeometry, nb: number, pp: number): number[] {
  return [
    nb,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
    pp,
  ];
}

/**
 * Copies `src` into the instance's memory at byte address `at` (with `memory.copy` when `src` is
 * in a tensor memory: see `./tensor_memory.ts`).
 */
export function put(k: ConvExports, at: number, src: Float32Array): void {
  if (!copyIntoKernel(k.memory, at, src)) {
    new Float32Array(k.memory.buffer, at, src.length).set(src);
  }
}

/**
 * Copies `n` values at byte address `at` of the instance's memory into `dst` from index
 * `offset` (with `memory.copy` when `dst` is in a tensor memory).
 */
export function take(k: ConvExports, at: number, n: number, dst: Float32Array, offset = 0): void {
  if (!copyOutOfKernel(k.memory, at, n, dst, offset)) {
    dst.set(new Float32Array(k.memory.buffer, at, n), offset);
  }
}

/**
 * Applies `e` (if any) to the `n` NHWC values at byte address `at`, with its bias placed at
 * `biasAt` (K = e.bias.length values, reserved by the caller's layout).
 */
function epilogue(k: ConvExports, at: number, n: number, biasAt: number, e?: Epilogue): void {
  if (e === undefined) return;
  put(k, biasAt, e.bias);
  k.biasLeakyRelu(at, n, e.bias.length, biasAt, e.alpha);
}

/**
 * Images [b0, b1) of a forward NHWC convolution (`x`, HWIO filter `w`), written into `y`, with
 * the layer's epilogue `e` applied when given.
 */
export function conv2dImagesWasm(
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
  e?: Epilogue,
): void {
  const k = kernels();
  const nb = b1 - b0;
  const { P, pp } = pixels(g, b0, b1);
  const imageIn = g.inHeight * g.inWidth * g.inChannels;
  const L = g.filterHeight * g.filterWidth * g.inChannels, K = g.outChannels;
  if (K % 8 === 0 && g.inChannels % 4 === 0) {
    // Pixel-major: vectors along the output channels (and the patches' copies along the input
    // channels); y comes out in NHWC order. With four output channels its product loads a
    // splat per four products, and the channel-major path below is faster (3.4 against 3.95 ms
    // for the paper's 32×32×8 → 16×16×4 layer at batch 300, one thread); both sum each output
    // over the taps in the same order, so the choice does not change a byte.
    const [xA, wA, colA, yA, biasA] = layout(k, [
      nb * imageIn * 4,
      L * K * 4,
      pp * L * 4,
      pp * K * 4,
      K * 4,
    ]);
    put(k, xA, x.subarray(b0 * imageIn, b1 * imageIn));
    put(k, wA, w.subarray(0, L * K));
    k.im2colPix(xA, colA, ...geometryArgs(g, nb, pp));
    k.gemmPix(colA, L, wA, K, yA, pp, L);
    epilogue(k, yA, P * K, biasA, e);
    take(k, yA, P * K, y, b0 * g.outHeight * g.outWidth * K);
    return;
  }
  const [xA, wA, colA, yTA, yA, biasA] = layout(k, [
    nb * imageIn * 4,
    L * K * 4,
    L * pp * 4,
    K * pp * 4,
    P * K * 4,
    K * 4,
  ]);
  put(k, xA, x.subarray(b0 * imageIn, b1 * imageIn));
  put(k, wA, w.subarray(0, L * K));
  k.im2colT(xA, colA, ...geometryArgs(g, nb, pp));
  k.gemmRows(wA, 1, K, colA, yTA, K, L, pp);
  k.fromChannelRows(yTA, yA, P, K, pp);
  epilogue(k, yA, P * K, biasA, e);
  take(k, yA, P * K, y, b0 * g.outHeight * g.outWidth * K);
}

/**
 * Images [b0, b1) of the input gradient of an NHWC convolution (`dy`, HWIO filter `w`), written
 * into `dx`: also the forward pass of a transposed convolution, whose epilogue `e` (bias of
 * `g.inChannels` values) is applied when given.
 */
export function conv2dBackpropInputImagesWasm(
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
  e?: Epilogue,
): void {
  const k = kernels();
  const nb = b1 - b0;
  const { P, pp } = pixels(g, b0, b1);
  const imageIn = g.inHeight * g.inWidth * g.inChannels;
  const L = g.filterHeight * g.filterWidth * g.inChannels, K = g.outChannels;
  if (g.inChannels % 4 === 0) {
    // Pixel-major: vectors along the input channels, so the taps of one pixel (its C channels
    // together) are added into dx four channels at a time.
    const [dyA, wA, wtA, colA, dxA, biasA] = layout(k, [
      pp * K * 4,
      L * K * 4,
      K * L * 4,
      pp * L * 4,
      nb * imageIn * 4,
      g.inChannels * 4,
    ]);
    put(k, dyA, dy.subarray(b0 * g.outHeight * g.outWidth * K, b1 * g.outHeight * g.outWidth * K));
    new Float32Array(k.memory.buffer, dyA + P * K * 4, (pp - P) * K).fill(0);
    put(k, wA, w.subarray(0, L * K));
    k.transpose(wA, wtA, L, K);
    k.gemmPix(dyA, K, wtA, L, colA, pp, K);
    k.col2imPixAdd(colA, dxA, ...geometryArgs(g, nb, pp));
    epilogue(k, dxA, nb * imageIn, biasA, e);
    take(k, dxA, nb * imageIn, dx, b0 * imageIn);
    return;
  }
  const [dyA, wA, dyTA, colA, dxA, biasA] = layout(k, [
    P * K * 4,
    L * K * 4,
    K * pp * 4,
    L * pp * 4,
    nb * imageIn * 4,
    g.inChannels * 4,
  ]);
  put(k, dyA, dy.subarray(b0 * g.outHeight * g.outWidth * K, b1 * g.outHeight * g.outWidth * K));
  put(k, wA, w.subarray(0, L * K));
  k.toChannelRows(dyA, dyTA, P, K, pp);
  k.gemmRows(wA, K, 1, dyTA, colA, L, K, pp);
  k.col2imAdd(colA, dxA, ...geometryArgs(g, nb, pp));
  epilogue(k, dxA, nb * imageIn, biasA, e);
  take(k, dxA, nb * imageIn, dx, b0 * imageIn);
}

/**
 * Adds the filter-gradient contributions of images [b0, b1) (convolution input `x`, output
 * gradient `dy`) into `acc` (float64, HWIO order).
 */
export function conv2dBackpropFilterImagesWasm(
  x: Float32Array,
  dy: Float32Array,
  acc: Float64Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
): void {
  const k = kernels();
  const nb = b1 - b0;
  const { P, pp } = pixels(g, b0, b1);
  const imageIn = g.inHeight * g.inWidth * g.inChannels;
  const L = g.filterHeight * g.filterWidth * g.inChannels, K = g.outChannels;
  if (g.inChannels % 4 === 0) {
    // Pixel-major: vectors along the filter taps (C channels of a pixel together), dy read in
    // NHWC order. The padding pixels' rows of col are zero, so dy's need not be.
    const [xA, dyA, colA, accA] = layout(k, [
      nb * imageIn * 4,
      pp * K * 4,
      pp * L * 4,
      L * K * 8,
    ]);
    put(k, xA, x.subarray(b0 * imageIn, b1 * imageIn));
    put(k, dyA, dy.subarray(b0 * g.outHeight * g.outWidth * K, b1 * g.outHeight * g.outWidth * K));
    new Float32Array(k.memory.buffer, dyA + P * K * 4, (pp - P) * K).fill(0);
    k.im2colPix(xA, colA, ...geometryArgs(g, nb, pp));
    const sums = new Float64Array(k.memory.buffer, accA, L * K);
    sums.fill(0);
    k.dotPix(colA, dyA, accA, L, K, pp);
    for (let i = 0; i < L * K; i++) acc[i] += sums[i];
    return;
  }
  const [xA, dyA, colA, dyTA, accA] = layout(k, [
    nb * imageIn * 4,
    P * K * 4,
    L * pp * 4,
    K * pp * 4,
    L * K * 8,
  ]);
  put(k, xA, x.subarray(b0 * imageIn, b1 * imageIn));
  put(k, dyA, dy.subarray(b0 * g.outHeight * g.outWidth * K, b1 * g.outHeight * g.outWidth * K));
  k.im2colT(xA, colA, ...geometryArgs(g, nb, pp));
  k.toChannelRows(dyA, dyTA, P, K, pp);
  const sums = new Float64Array(k.memory.buffer, accA, L * K);
  sums.fill(0);
  k.dotRows(colA, dyTA, accA, L, K, pp);
  for (let i = 0; i < L * K; i++) acc[i] += sums[i];
}
