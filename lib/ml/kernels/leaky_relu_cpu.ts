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
import { newValuesToOverwrite, runRanges } from "./cpu_threads.ts";

/** Name of the gradient kernel (inputs `dy`, `x`; attribute `alpha`). */
export const LEAKY_RELU_GRAD = "LeakyReluGradOfModel";

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
 * The gradient values (see the module doc).
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
): Float32Array {
  const dx = newValuesToOverwrite(x.length);
  runRanges(leakyReluGradRange, "leakyReluGrad", dy, x, dx, alpha, x.length);
  return dx;
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
  const a = Math.fround(alpha);
  const s = Math.fround(a + Math.fround(1 - alpha));
  const d = s - a;
  if (a + d === s) {
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

/** The {@linkcode LEAKY_RELU_GRAD} kernel function of the cpu backend (float32 only). */
export const leakyReluGradCpu: tf.KernelFunc = (args) => {
  const { dy, x } = args.inputs as { dy?: tf.TensorInfo; x?: tf.TensorInfo };
  if (dy === undefined || x === undefined) {
    throw new Error(`Cannot run ${LEAKY_RELU_GRAD}: inputs dy and x are required; pass both`);
  }
  if (dy.dtype !== "float32" || x.dtype !== "float32" || !tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(
      `Cannot run ${LEAKY_RELU_GRAD}: dy and x must be float32 of one shape (got ${dy.dtype} ${
        JSON.stringify(dy.shape)
      }, ${x.dtype} ${JSON.stringify(x.shape)})`,
    );
  }
  const backend = args.backend as tf.MathBackendCPU;
  const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha;
  if (typeof alpha !== "number") {
    throw new Error(`Cannot run ${LEAKY_RELU_GRAD}: attribute alpha is required`);
  }
  const dx = leakyReluGradValues(cpuValues(backend, dy), cpuValues(backend, x), alpha);
  return backend.makeTensorInfo(x.shape, "float32", dx);
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
