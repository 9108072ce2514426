/**
 * A fast float32 `Sum` over leading axes for the tfjs `cpu` backend.
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

/** Sums `x` viewed as `[outer, inner]` over its first axis; returns the `inner` sums. */
export function sumLeading(x: Float32Array, outer: number, inner: number): Float32Array {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const off = o * inner;
    for (let j = 0; j < inner; j++) acc[j] += x[off + j];
  }
  return Float32Array.from(acc);
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
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
    const sorted = [...new Set(axes)].sort((p, q) => p - q);
    if (sorted.length === 0 || !sorted.every((a, i) => a === i)) return fallback(args);
    const k = sorted.length;
    let outer = 1, inner = 1;
    for (let i = 0; i < x.shape.length; i++) {
      if (i < k) outer *= x.shape[i];
      else inner *= x.shape[i];
    }
    const backend = args.backend as tf.MathBackendCPU;
    const sums = sumLeading(cpuValues(backend, x), outer, inner);
    const kept = x.shape.slice(k);
    const shape = attrs.keepDims ? [...x.shape.map((d, i) => (i < k ? 1 : d))] : kept;
    return backend.makeTensorInfo(shape, "float32", sums);
  };
}
