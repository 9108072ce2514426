/**
 * Fast float32 `Sum` and `Mean` over leading axes for the tfjs `cpu` backend.
 *
 * The gradient of a bias added to an NHWC activation is the sum of the upstream gradient over
 * axes 0, 1, 2. The stock kernel first transposes the whole tensor so that the summed axes come
 * last (a generic transpose that converts every index to coordinates and back), then sums. When
 * the summed axes are the leading ones, the sum is a walk through the array in memory order
 * adding each row of the kept (trailing) axes into float64 accumulators: no transpose, a fixed
 * summation order, and the float64 sum rounded once to float32 (the stock kernel also sums in a
 * JS double). Other axis sets go to the stock kernel.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { cpuValues } from "./cpu_data.ts";

/**
 * Sums `x` viewed as `[outer, inner]` over its first axis, each value first mapped through
 * `float32(v / divisor)` when a divisor is given (the stock `Mean` divides before it sums);
 * returns the `inner` sums. Each sum runs over `o` in order in a float64 accumulator, whichever
 * loop below does it; the loops for one, four and eight kept values hold their accumulators in
 * locals (the bias gradients of the paper's layers keep 1 to 8 channels).
 */
export function sumLeading(
  x: Float32Array,
  outer: number,
  inner: number,
  divisor?: number,
): Float32Array {
  const acc = new Float64Array(inner);
  if (divisor !== undefined) {
    const d = Math.fround(divisor);
    for (let o = 0; o < outer; o++) {
      const off = o * inner;
      for (let j = 0; j < inner; j++) acc[j] += Math.fround(x[off + j] / d);
    }
  } else if (inner === 1) {
    let s = 0;
    for (let o = 0; o < outer; o++) s += x[o];
    acc[0] = s;
  } else if (inner === 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let off = 0; off < outer * 4; off += 4) {
      s0 += x[off];
      s1 += x[off + 1];
      s2 += x[off + 2];
      s3 += x[off + 3];
    }
    acc.set([s0, s1, s2, s3]);
  } else if (inner === 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let off = 0; off < outer * 8; off += 8) {
      s0 += x[off];
      s1 += x[off + 1];
      s2 += x[off + 2];
      s3 += x[off + 3];
      s4 += x[off + 4];
      s5 += x[off + 5];
      s6 += x[off + 6];
      s7 += x[off + 7];
    }
    acc.set([s0, s1, s2, s3, s4, s5, s6, s7]);
  } else {
    for (let o = 0; o < outer; o++) {
      const off = o * inner;
      for (let j = 0; j < inner; j++) acc[j] += x[off + j];
    }
  }
  return Float32Array.from(acc);
}

/**
 * The reduction `x` over a run of leading axes as `[outer, inner]` with its output shape, or
 * null when the axes are not a leading run (or none).
 */
function leadingRun(
  shape: number[],
  axis: number | number[],
  keepDims: boolean,
): { outer: number; inner: number; outShape: number[] } | null {
  const axes = tf.util.parseAxisParam(axis, shape);
  const sorted = [...new Set(axes)].sort((p, q) => p - q);
  if (sorted.length === 0 || !sorted.every((a, i) => a === i)) return null;
  const k = sorted.length;
  let outer = 1, inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < k) outer *= shape[i];
    else inner *= shape[i];
  }
  const outShape = keepDims ? shape.map((d, i) => (i < k ? 1 : d)) : shape.slice(k);
  return { outer, inner, outShape };
}

/**
 * Builds the `Mean` kernel function for the cpu backend over a run of leading axes: the stock
 * kernel's values (each value divided by the count in float32, then summed in a double), without
 * its cast and elementwise division through temporary tensors. Other cases go to `fallback`.
 */
export function makeMeanCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.MeanAttrs;
    if (x === undefined || x.dtype !== "float32") return fallback(args);
    const run = leadingRun(x.shape, attrs.axis, attrs.keepDims);
    if (run === null) return fallback(args);
    const backend = args.backend as tf.MathBackendCPU;
    const means = sumLeading(cpuValues(backend, x), run.outer, run.inner, run.outer);
    return backend.makeTensorInfo(run.outShape, "float32", means);
  };
}

/**
 * Builds the `Sum` kernel function for the cpu backend; inputs other than float32 and axis sets
 * other than a run of leading axes go to `fallback`, the stock kernel function.
 */
export function makeSumCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.SumAttrs;
    if (x === undefined || x.dtype !== "float32") return fallback(args);
    const run = leadingRun(x.shape, attrs.axis, attrs.keepDims);
    if (run === null) return fallback(args);
    const backend = args.backend as tf.MathBackendCPU;
    const sums = sumLeading(cpuValues(backend, x), run.outer, run.inner);
    return backend.makeTensorInfo(run.outShape, "float32", sums);
  };
}
