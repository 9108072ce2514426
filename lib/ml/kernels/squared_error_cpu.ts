/**
 * The training loss's squared error s·Σ(y − t)² in one kernel on the tfjs `cpu` backend, and its
 * gradient in another.
 *
 * As tfjs ops (`../fused_losses.ts`) the value is four passes over the batch (Sub, Square, Sum,
 * then the scale) and the gradient two more (the product for y and its negation for t, which is
 * data and never needs it: a custom gradient computes every input's). Here the value is one pass
 * and the gradient one pass, computed only for the inputs a backward pass asks for, both on all
 * cpu threads. The values are those of the ops, rounding for rounding, except that the sum goes
 * chunk by chunk (the ops' one sum in order differs only in the float64 sum's rounding):
 *
 *     d = float32(y − t),   value = float32(float32(Σ float32(d²)) · float32(s)),
 *     the sum in float64 in chunks (see {@linkcode squaredErrorSum});
 *     ∂/∂y = float32(d · float32(dy · float32(2s))),   ∂/∂t = −∂/∂y.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { cpuValues } from "./cpu_data.ts";
import {
  imageKernelImpl,
  newValuesToOverwrite,
  type RangeKernel,
  type RangeSumKernel,
  runRanges,
  runRangeSums,
} from "./cpu_threads.ts";
import { ELEMENTWISE_BLOCK, kernels, layout, put, take } from "./conv_wasm.ts";
import { primeRangeSumKernel } from "./prime_kernel.ts";

/** s·Σ(y − t)²: inputs `y`, `t` (float32, one shape); attribute `scale` (s); a scalar. */
export const SQUARED_ERROR = "SquaredErrorOfModel";
/** Its gradient for y: inputs `y`, `t`, `dy` (the scalar upstream gradient); attribute `scale`. */
export const SQUARED_ERROR_GRAD = "SquaredErrorGradOfModel";

/** Attributes of both kernels. */
export interface SquaredErrorAttrs {
  /** The scale s (a double; used as float32(s), as a float32 scalar tensor would hold it). */
  scale: number;
}

/**
 * float32(Σ float32(float32(y − t)²)): the values in chunks of about 65,536 (`sumChunkValues`),
 * each chunk summed in order in float64, the chunks' sums added in chunk order, on all threads.
 */
export function squaredErrorSum(y: Float32Array, t: Float32Array): number {
  // The output is not written: y stands in for it.
  const sums = imageKernelImpl() === "wasm"
    ? runRangeSums(squaredErrorSumRangeWasm, "squaredErrorSumWasm", y, t, y, 0, y.length, 1)
    : runRangeSums(squaredErrorSumRange, "squaredErrorSum", y, t, y, 0, y.length, 1);
  return Math.fround(sums[0]);
}

/** One chunk of {@linkcode squaredErrorSum}: the sum over values [lo, hi) into `sums[0]`. */
export function squaredErrorSumRange(
  y: Float32Array,
  t: Float32Array,
  _out: Float32Array,
  _s: number,
  lo: number,
  hi: number,
  sums: Float64Array,
): void {
  // Views from 0: with the loop over [lo, hi) of the whole arrays, a worker's code for this
  // loop (one float64 sum, so bound by the latency of its adds) ran at half the caller's speed
  // in each of three timed trainings (155 against 80 µs a chunk); over the views it did not.
  const ys = y.subarray(lo, hi), ts = t.subarray(lo, hi);
  let s = 0;
  for (let i = 0; i < ys.length; i++) {
    const d = Math.fround(ys[i] - ts[i]);
    s += Math.fround(d * d);
  }
  sums[0] = s;
}

/**
 * {@linkcode squaredErrorSumRange} in WebAssembly with SIMD (`squaredErrorSum` of
 * `./wasm/conv.as.ts`), block by block through this thread's module memory: the same terms added
 * in the same order (float64), so the same bytes.
 */
export const squaredErrorSumRangeWasm: RangeSumKernel = (y, t, _out, _s, lo, hi, sums) => {
  const k = kernels();
  const [yA, tA, sumA] = layout(k, [ELEMENTWISE_BLOCK * 4, ELEMENTWISE_BLOCK * 4, 8]);
  const memory = k.memory.buffer;
  const running = new Float64Array(memory, sumA, 1);
  running[0] = 0;
  for (let b = lo; b < hi; b += ELEMENTWISE_BLOCK) {
    const e = Math.min(hi, b + ELEMENTWISE_BLOCK);
    put(k, yA, y.subarray(b, e));
    put(k, tA, t.subarray(b, e));
    k.squaredErrorSum(yA, tA, e - b, sumA);
  }
  sums[0] = running[0];
};

/**
 * {@linkcode squaredErrorGradRange} in WebAssembly with SIMD (`squaredErrorGrad` of
 * `./wasm/conv.as.ts`), block by block: the same float32 products, so the same bytes.
 */
export const squaredErrorGradRangeWasm: RangeKernel = (y, t, g, c, lo, hi) => {
  const k = kernels();
  const B = ELEMENTWISE_BLOCK;
  const [yA, tA, gA] = layout(k, [B * 4, B * 4, B * 4]);
  for (let b = lo; b < hi; b += B) {
    const e = Math.min(hi, b + B), m = e - b;
    put(k, yA, y.subarray(b, e));
    put(k, tA, t.subarray(b, e));
    k.squaredErrorGrad(yA, tA, gA, m, c);
    take(k, gA, m, g, b);
  }
};

/** Values [lo, hi) of the gradient for y: float32(float32(y − t) · c). */
export function squaredErrorGradRange(
  y: Float32Array,
  t: Float32Array,
  g: Float32Array,
  c: number,
  lo: number,
  hi: number,
): void {
  // Over views from 0, as squaredErrorSumRange: over [lo, hi) of the whole arrays the worker's
  // code for this loop was the slower, and on two threads the caller ran 0.70–0.74 of each
  // call's chunks (paper's batch, four chunks); over the views it ran 0.51–0.54.
  const ys = y.subarray(lo, hi), ts = t.subarray(lo, hi), gs = g.subarray(lo, hi);
  for (let i = 0; i < ys.length; i++) gs[i] = Math.fround(ys[i] - ts[i]) * c;
}

/** The checked inputs of either kernel. */
function inputsOf(name: string, args: Parameters<tf.KernelFunc>[0]) {
  const { y, t, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  if (y === undefined || t === undefined) {
    throw new Error(`Cannot run ${name}: inputs y and t are required; pass both`);
  }
  if (y.dtype !== "float32" || t.dtype !== "float32" || !tf.util.arraysEqual(y.shape, t.shape)) {
    throw new Error(
      `Cannot run ${name}: y and t must be float32 of one shape (got ${y.dtype} ${
        JSON.stringify(y.shape)
      }, ${t.dtype} ${JSON.stringify(t.shape)})`,
    );
  }
  const scale = (args.attrs as Partial<SquaredErrorAttrs> | undefined)?.scale;
  if (typeof scale !== "number") throw new Error(`Cannot run ${name}: attribute scale is required`);
  return { y, t, dy, scale, backend: args.backend as tf.MathBackendCPU };
}

/** The {@linkcode SQUARED_ERROR} kernel function of the cpu backend. */
export const squaredErrorCpu: tf.KernelFunc = (args) => {
  const { y, t, scale, backend } = inputsOf(SQUARED_ERROR, args);
  const value = squaredErrorValue(cpuValues(backend, y), cpuValues(backend, t), scale);
  return backend.makeTensorInfo([], "float32", Float32Array.of(value));
};

/** The kernel's value: float32(float32(Σ (y − t)²) · float32(scale)). */
export function squaredErrorValue(y: Float32Array, t: Float32Array, scale: number): number {
  return squaredErrorOfSum(squaredErrorSum(y, t), scale);
}

/** The kernel's value from the float64 sum of float32(d²) (rounded here to float32 first). */
export function squaredErrorOfSum(sum: number, scale: number): number {
  return Math.fround(Math.fround(sum) * Math.fround(scale));
}

/** The factor c of the gradient float32(float32(y − t) · c) for the loss's gradient `dy`. */
export function squaredErrorGradFactor(dy: number, scale: number): number {
  return Math.fround(dy * Math.fround(2 * scale));
}

/** The {@linkcode SQUARED_ERROR_GRAD} kernel function of the cpu backend. */
export const squaredErrorGradCpu: tf.KernelFunc = (args) => {
  const { y, t, dy, scale, backend } = inputsOf(SQUARED_ERROR_GRAD, args);
  if (dy === undefined || dy.dtype !== "float32" || tf.util.sizeFromShape(dy.shape) !== 1) {
    throw new Error(`Cannot run ${SQUARED_ERROR_GRAD}: input dy must be one float32 value`);
  }
  const g = squaredErrorGrad(
    cpuValues(backend, y),
    cpuValues(backend, t),
    cpuValues(backend, dy)[0],
    scale,
  );
  return backend.makeTensorInfo(y.shape, "float32", g);
};

/**
 * The kernel's gradient for y given the loss's gradient `dy`: float32(float32(y − t) · c) value
 * by value, c = float32(dy · float32(2·scale)), on all threads.
 */
export function squaredErrorGrad(
  y: Float32Array,
  t: Float32Array,
  dy: number,
  scale: number,
): Float32Array {
  const c = squaredErrorGradFactor(dy, scale);
  const g = newValuesToOverwrite(y.length);
  const wasm = imageKernelImpl() === "wasm";
  runRanges(
    wasm ? squaredErrorGradRangeWasm : squaredErrorGradRange,
    wasm ? "squaredErrorGradWasm" : "squaredErrorGrad",
    y,
    t,
    g,
    c,
    y.length,
  );
  return g;
}

/** The gradient of {@linkcode SQUARED_ERROR} (saved: y, t). */
export const SQUARED_ERROR_GRADIENTS: tf.GradConfig[] = [{
  kernelName: SQUARED_ERROR,
  inputsToSave: ["y", "t"],
  gradFunc: (dy, saved, attrs) => {
    const [y, t] = saved;
    // Computed once, whether one or both inputs ask for it (t's is its negation).
    let g: tf.Tensor | undefined;
    const gy = () =>
      g ??= tf.engine().runKernel(SQUARED_ERROR_GRAD, { y, t, dy: dy as tf.Tensor }, {
        scale: (attrs as unknown as SquaredErrorAttrs).scale,
      }) as tf.Tensor;
    return { y: gy, t: () => tf.neg(gy()) };
  },
}];

/**
 * s·Σ(y − t)² in one kernel where the active backend has it; `null` where it has not (the
 * caller then runs its ops).
 */
export function squaredError(y: tf.Tensor, t: tf.Tensor, scale: number): tf.Scalar | null {
  if (
    y.dtype !== "float32" || t.dtype !== "float32" || !tf.util.arraysEqual(y.shape, t.shape) ||
    tf.getKernel(SQUARED_ERROR, tf.getBackend()) === undefined
  ) {
    return null;
  }
  return tf.engine().runKernel(SQUARED_ERROR, { y, t }, { scale }) as tf.Scalar;
}

// The sum runs through to its end before any long call (see ./prime_kernel.ts); the gradient
// has nothing after its loop.
primeRangeSumKernel(squaredErrorSumRange, [1]);
