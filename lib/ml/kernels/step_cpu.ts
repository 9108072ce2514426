/**
 * A fast float32 `Step` for the tfjs `cpu` backend: `step(x) = 1` for x > 0, `alpha` otherwise,
 * NaN for NaN, as the stock kernel defines it.
 *
 * The model's leaky-ReLU gradient is `α + (1 − α)·step(x)` over every activation (up to 2.4 M
 * values per layer at batch 300). The stock kernel calls the operation through a closure per
 * element (a call site shared by every unary op, so V8 cannot inline it); this one is a plain
 * loop. Other dtypes go to the stock kernel.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { cpuValues } from "./cpu_data.ts";
import { newValuesToOverwrite } from "./cpu_threads.ts";

/** `step` of every value of `x` with the given value for x ≤ 0. */
export function stepValues(x: Float32Array, alpha: number): Float32Array {
  const r = newValuesToOverwrite(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    r[i] = v > 0 ? 1 : v !== v ? NaN : alpha;
  }
  return r;
}

/** Builds the `Step` kernel function for the cpu backend; non-float32 inputs go to `fallback`. */
export function makeStepCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    if (x === undefined || x.dtype !== "float32") return fallback(args);
    const backend = args.backend as tf.MathBackendCPU;
    const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0;
    return backend.makeTensorInfo(x.shape, "float32", stepValues(cpuValues(backend, x), alpha));
  };
}
