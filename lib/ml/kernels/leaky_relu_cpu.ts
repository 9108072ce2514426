/**
 * Leaky ReLU on the tfjs `cpu` backend in one pass each way: a fast `LeakyRelu` (forward) and a
 * kernel of our own, {@linkcode LEAKY_RELU_GRAD}, for its gradient.
 *
 * The model's gradient of φ(x) = max(x, αx) is dy·(α + (1 − α)·step(x)), written with tfjs ops
 * as four passes over each activation (Step, Mul, Add, Mul: up to 2.4 M values per layer at
 * batch 300) and three temporary tensors. The kernel here gives the same float32 values in one
 * pass: with a = float32(α) and s = float32(a + float32(1 − α)) (exactly 1 for α = 0.2),
 *
 *     dx = float32(dy · s)  for x > 0,    float32(dy · a)  for x ≤ 0,    NaN  for x NaN,
 *
 * which is what the four ops compute, rounding for rounding. Backends without the kernel (webgpu,
 * or cpu with the stock kernels restored) use the four ops; {@linkcode leakyReluGrad} chooses.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { cpuValues } from "./cpu_data.ts";
import {
  imageKernelImpl,
  newValuesToOverwrite,
  type RangeSumKernel,
  runRanges,
  runRangeSums,
} from "./cpu_threads.ts";
import { ELEMENTWISE_BLOCK, kernels, layout, put, take } from "./conv_wasm.ts";
import { primeRangeKernel, primeRangeSumKernel } from "./prime_kernel.ts";

/** Name of the gradient kernel (inputs `dy`, `x`; attribute `alpha`). */
export const LEAKY_RELU_GRAD = "LeakyReluGradOfModel";

/**
 * Name of the kernel giving the gradient and a bias gradient (inputs `dy`, `x` NHWC; attribute
 * `alpha`; outputs dz and its sums per channel, see {@linkcode leakyReluGradAndBiasGradValues}).
 */
export const LEAKY_RELU_GRAD_AND_BIAS_GRAD = "LeakyReluGradAndBiasGradOfModel";

/**
 * The forward values, exactly as the stock kernel computes them: x for x ≥ 0 (and NaN),
 * float32(α·x) below, with α the attribute's double (not rounded to float32 first).
 *
 * The factor is chosen arithmetically, α·[x < 0] + [x ≥ 0] (exactly α or 1; 0 for NaN, and
 * NaN·0 is NaN), rather than with a branch: activations are positive or negative at random, so
 * a branch is mispredicted half the time, which made the stock loop several times slower. The
 * output is in shared memory when the kernels run on several threads, so that the next
 * convolution need not copy its input.
 */
export function leakyReluValues(x: Float32Array, alpha: number): Float32Array {
  const y = newValuesToOverwrite(x.length);
  runRanges(leakyReluRange, "leakyRelu", x, x, y, alpha, x.length);
  return y;
}

/** Values [lo, hi) of {@linkcode leakyReluValues} (the second operand is unused). */
export function leakyReluRange(
  x: Float32Array,
  _unused: Float32Array,
  y: Float32Array,
  alpha: number,
  lo: number,
  hi: number,
): void {
  for (let i = lo; i < hi; i++) {
    const v = x[i];
    y[i] = v * (alpha * +(v < 0) + +(v >= 0));
  }
}

/**
 * The gradient values (see the module doc), into `out` when given (x.length values).
 *
 * Without branches, as the forward loop: the slope is a + (s − a)·[x > 0], which is exactly a or
 * s whenever a + (s − a) = s in double precision (true for α = 0.2: a and s are float32 values
 * a factor of five apart). It cannot give NaN for a NaN x, so the loop also sums x: a sum that is
 * not finite (a NaN or an infinity somewhere, or an overflow) sends the whole array through the
 * plain loop with branches, as does an α for which the identity fails.
 */
export function leakyReluGradValues(
  dy: Float32Array,
  x: Float32Array,
  alpha: number,
  out?: Float32Array,
): Float32Array {
  const dx = newValuesToOverwrite(x.length, out);
  runRanges(leakyReluGradRange, "leakyReluGrad", dy, x, dx, alpha, x.length);
  return dx;
}

/**
 * The gradient's two slopes as float32 values, a = float32(α) below zero and s = a + d above
 * (d = s − a), and whether a + d gives exactly s, which the branch-free loops need.
 */
export function gradSlopes(alpha: number): { a: number; s: number; d: number; exact: boolean } {
  const a = Math.fround(alpha);
  const s = Math.fround(a + Math.fround(1 - alpha));
  const d = s - a;
  return { a, s, d, exact: a + d === s };
}

/**
 * Values [lo, hi) of {@linkcode leakyReluGradValues}. The check for non-finite inputs is made per
 * range, which gives every value the same bytes as a check over the whole array: both loops
 * compute the same value for every finite x.
 */
export function leakyReluGradRange(
  dy: Float32Array,
  x: Float32Array,
  dx: Float32Array,
  alpha: number,
  lo: number,
  hi: number,
): void {
  const { a, s, d, exact } = gradSlopes(alpha);
  if (exact) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const v = x[i];
      sum += v;
      dx[i] = dy[i] * (a + d * +(v > 0));
    }
    if (Number.isFinite(sum)) return;
  }
  for (let i = lo; i < hi; i++) {
    const v = x[i];
    dx[i] = v > 0 ? dy[i] * s : v !== v ? NaN : dy[i] * a;
  }
}

/**
 * The gradient values and, from them, a bias gradient: `dz` as {@linkcode leakyReluGradValues}
 * and the sum of dz over every value of each of the K channels (value i has channel i mod K);
 * dz goes into `out` when given (x.length values).
 *
 * The values are cut into chunks of whole rows (`sumChunkValues(K)`, about 65,536 values); each
 * chunk sums its dz values per channel in order in a float64 accumulator, each value as stored
 * (float32), and the chunks' sums are added in chunk order, then rounded once to float32. The
 * chunks depend on the shape only, so the bytes are the same on any number of threads, and the
 * chunks run on all of them. (One sum in order over the whole array, as `sumLeading` adds, differs
 * only in the rounding of the float64 sum, so rarely in the float32 result.)
 */
export function leakyReluGradAndBiasGradValues(
  dy: Float32Array,
  x: Float32Array,
  alpha: number,
  K: number,
  out?: Float32Array,
): { dz: Float32Array; bias: Float32Array } {
  const n = x.length;
  const dz = newValuesToOverwrite(n, out);
  const wasm = imageKernelImpl() === "wasm";
  const sums = runRangeSums(
    wasm ? leakyReluGradAndSumRangeWasm : leakyReluGradAndSumRange,
    wasm ? "leakyReluGradAndSumWasm" : "leakyReluGradAndSum",
    dy,
    x,
    dz,
    alpha,
    n,
    K,
  );
  return { dz, bias: Float32Array.from(sums) };
}

/**
 * One chunk of {@linkcode leakyReluGradAndBiasGradValues}: dz on values [lo, hi) (whole rows of
 * K = `sums.length` channels) and each channel's sum of them into `sums`. For 1, 4 and 8
 * channels, one pass with the branch-free loop of {@linkcode leakyReluGradRange} and the same
 * check (a non-finite sum of x redoes the chunk with the plain loops); else the gradient, then
 * the sums.
 */
export function leakyReluGradAndSumRange(
  dy: Float32Array,
  x: Float32Array,
  dz: Float32Array,
  alpha: number,
  lo: number,
  hi: number,
  sums: Float64Array,
): void {
  const K = sums.length;
  const { a, d, exact } = gradSlopes(alpha);
  const onePass = K === 1 ? gradSum1 : K === 4 ? gradSum4 : K === 8 ? gradSum8 : undefined;
  if (onePass !== undefined && exact && onePass(dy, x, dz, a, d, lo, hi, sums)) return;
  leakyReluGradRange(dy, x, dz, alpha, lo, hi);
  sums.fill(0);
  for (let i = lo; i < hi; i += K) {
    for (let k = 0; k < K; k++) sums[k] += dz[i + k];
  }
}

/**
 * {@linkcode leakyReluGradAndSumRange} in WebAssembly with SIMD (`leakyReluGradSum` of
 * `./wasm/conv.as.ts`), block by block through this thread's module memory, with the same bytes:
 * dz is the same float32 product, and each channel's float64 sum adds the same values in the same
 * order. About twice as fast on the paper's 8-channel layers (2.0–2.2 against 3.9–4.0 ms a call
 * of 2.46 M values, one thread); 1.4 against 1.9 ms on its 1-channel output, whose one sum is
 * bound by the latency of its adds either way. A range with a non-finite x (whose gradient must
 * be NaN) is redone by the JavaScript loops.
 */
export const leakyReluGradAndSumRangeWasm: RangeSumKernel = (dy, x, dz, alpha, lo, hi, sums) => {
  const K = sums.length;
  const { a, s } = gradSlopes(alpha);
  const k = kernels();
  const block = Math.max(K, ELEMENTWISE_BLOCK - (ELEMENTWISE_BLOCK % K));
  const [dyA, xA, dzA, sumsA] = layout(k, [block * 4, block * 4, block * 4, K * 8]);
  const memory = k.memory.buffer;
  const running = new Float64Array(memory, sumsA, K).fill(0);
  let finite = 1;
  for (let b = lo; b < hi; b += block) {
    const e = Math.min(hi, b + block), m = e - b;
    put(k, dyA, dy.subarray(b, e));
    put(k, xA, x.subarray(b, e));
    finite &= k.leakyReluGradSum(dyA, xA, dzA, m, K, a, s, sumsA);
    take(k, dzA, m, dz, b);
  }
  if (finite === 1) sums.set(running);
  else leakyReluGradAndSumRange(dy, x, dz, alpha, lo, hi, sums);
};

/**
 * A one-pass loop of leakyReluGradAndSumRange for 1, 4 or 8 channels (the paper's widest layer
 * has 8), each channel's sum in a local: a loop over an accumulator array was slower than the two
 * passes. It fills `sums` and returns true, or returns false when the sum of x is not finite.
 */
type GradSumLoop = (
  dy: Float32Array,
  x: Float32Array,
  dz: Float32Array,
  a: number,
  d: number,
  lo: number,
  hi: number,
  sums: Float64Array,
) => boolean;

const gradSum1: GradSumLoop = (dy, x, dz, a, d, lo, hi, sums) => {
  // Over views from 0, as squaredErrorSumRange and for the same reason: over [lo, hi) of the
  // whole arrays a worker's code ran at 0.6 of the caller's speed (169 against 100 µs a chunk).
  const xs = x.subarray(lo, hi), dys = dy.subarray(lo, hi), dzs = dz.subarray(lo, hi);
  let xSum = 0, s0 = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    xSum += v;
    s0 += dzs[i] = Math.fround(dys[i] * (a + d * +(v > 0)));
  }
  sums[0] = s0;
  return Number.isFinite(xSum);
};

const gradSum4: GradSumLoop = (dy, x, dz, a, d, lo, hi, sums) => {
  let xSum = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = lo; i < hi; i += 4) {
    const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
    xSum += v0;
    xSum += v1;
    xSum += v2;
    xSum += v3;
    s0 += dz[i] = Math.fround(dy[i] * (a + d * +(v0 > 0)));
    s1 += dz[i + 1] = Math.fround(dy[i + 1] * (a + d * +(v1 > 0)));
    s2 += dz[i + 2] = Math.fround(dy[i + 2] * (a + d * +(v2 > 0)));
    s3 += dz[i + 3] = Math.fround(dy[i + 3] * (a + d * +(v3 > 0)));
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
  return Number.isFinite(xSum);
};

const gradSum8: GradSumLoop = (dy, x, dz, a, d, lo, hi, sums) => {
  let xSum = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  for (let i = lo; i < hi; i += 8) {
    const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
    const v4 = x[i + 4], v5 = x[i + 5], v6 = x[i + 6], v7 = x[i + 7];
    xSum += v0;
    xSum += v1;
    xSum += v2;
    xSum += v3;
    xSum += v4;
    xSum += v5;
    xSum += v6;
    xSum += v7;
    s0 += dz[i] = Math.fround(dy[i] * (a + d * +(v0 > 0)));
    s1 += dz[i + 1] = Math.fround(dy[i + 1] * (a + d * +(v1 > 0)));
    s2 += dz[i + 2] = Math.fround(dy[i + 2] * (a + d * +(v2 > 0)));
    s3 += dz[i + 3] = Math.fround(dy[i + 3] * (a + d * +(v3 > 0)));
    s4 += dz[i + 4] = Math.fround(dy[i + 4] * (a + d * +(v4 > 0)));
    s5 += dz[i + 5] = Math.fround(dy[i + 5] * (a + d * +(v5 > 0)));
    s6 += dz[i + 6] = Math.fround(dy[i + 6] * (a + d * +(v6 > 0)));
    s7 += dz[i + 7] = Math.fround(dy[i + 7] * (a + d * +(v7 > 0)));
  }
  sums.set([s0, s1, s2, s3, s4, s5, s6, s7]);
  return Number.isFinite(xSum);
};

/** Builds the `LeakyRelu` kernel function for the cpu backend; non-float32 goes to `fallback`. */
export function makeLeakyReluCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    if (x === undefined || x.dtype !== "float32") return fallback(args);
    const backend = args.backend as tf.MathBackendCPU;
    const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0.2;
    return backend.makeTensorInfo(
      x.shape,
      "float32",
      leakyReluValues(cpuValues(backend, x), alpha),
    );
  };
}

/**
 * The checked inputs (dy, x: float32, one shape; at least 1-D where the last axis holds
 * `channels`) and `alpha` of a gradient kernel.
 */
function gradArgs(name: string, args: Parameters<tf.KernelFunc>[0], channels: boolean) {
  const { dy, x } = args.inputs as { dy?: tf.TensorInfo; x?: tf.TensorInfo };
  if (dy === undefined || x === undefined) {
    throw new Error(`Cannot run ${name}: inputs dy and x are required; pass both`);
  }
  if (
    dy.dtype !== "float32" || x.dtype !== "float32" || !tf.util.arraysEqual(dy.shape, x.shape) ||
    (channels && x.shape.length === 0)
  ) {
    throw new Error(
      `Cannot run ${name}: dy and x must be float32 of one shape${
        channels ? ", at least 1-D" : ""
      } (got ${dy.dtype} ${JSON.stringify(dy.shape)}, ${x.dtype} ${JSON.stringify(x.shape)})`,
    );
  }
  const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha;
  if (typeof alpha !== "number") throw new Error(`Cannot run ${name}: attribute alpha is required`);
  const backend = args.backend as tf.MathBackendCPU;
  return { dy: cpuValues(backend, dy), x: cpuValues(backend, x), shape: x.shape, alpha, backend };
}

/** The {@linkcode LEAKY_RELU_GRAD} kernel function of the cpu backend (float32 only). */
export const leakyReluGradCpu: tf.KernelFunc = (args) => {
  const { dy, x, shape, alpha, backend } = gradArgs(LEAKY_RELU_GRAD, args, false);
  return backend.makeTensorInfo(shape, "float32", leakyReluGradValues(dy, x, alpha));
};

/** The {@linkcode LEAKY_RELU_GRAD_AND_BIAS_GRAD} kernel function of the cpu backend (float32). */
export const leakyReluGradAndBiasGradCpu: tf.KernelFunc = (args) => {
  const { dy, x, shape, alpha, backend } = gradArgs(LEAKY_RELU_GRAD_AND_BIAS_GRAD, args, true);
  const K = shape[shape.length - 1];
  const { dz, bias } = leakyReluGradAndBiasGradValues(dy, x, alpha, K);
  return [
    backend.makeTensorInfo(shape, "float32", dz),
    backend.makeTensorInfo([K], "float32", bias),
  ];
};

/**
 * dy·(α + (1 − α)·step(x)): one kernel where the active backend has {@linkcode LEAKY_RELU_GRAD},
 * else `composite()`, the same expression in tfjs ops (the caller's, with its constants).
 */
export function leakyReluGrad(
  dy: tf.Tensor,
  x: tf.Tensor,
  alpha: number,
  composite: () => tf.Tensor,
): tf.Tensor {
  if (
    dy.dtype === "float32" && x.dtype === "float32" &&
    tf.util.arraysEqual(dy.shape, x.shape) &&
    tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) !== undefined
  ) {
    return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
  }
  return composite();
}

// The kernels with code after their loops run through to their ends before any long call (see
// ./prime_kernel.ts); K = 3 takes the two-pass path of the summing kernel.
primeRangeKernel(leakyReluGradRange);
primeRangeSumKernel(leakyReluGradAndSumRange, [1, 3, 4, 8]);
