/**
 * The plain autoencoder's training update on the cpu's fast kernels, called straight instead of
 * through tfjs's ops: the batch gather, the whole model forward as one stack, the squared error's
 * gradient and the stack backward as one call on the cpu threads (`./kernels/train_step_cpu.ts`),
 * then Adam, each running the very kernel functions the ops run, on the same arrays, so the bytes
 * are the ops' (a test trains both ways).
 *
 * Why: through tfjs, each op of a step costs the calling thread its bookkeeping (the tape, the
 * tensors it saves, the outputs it wraps, the variables' assignments), about 1.5 ms of a two-thread
 * step in which the other threads wait; and each op is a call at whose end the threads wait for
 * the last one's chunk. This path keeps only the kernels, in one call, and skips the loss's sum on
 * the steps whose loss is not recorded.
 *
 * It serves the data term alone (no regulariser), in autoencoder mode, with the cpu backend's fast
 * kernels installed and a model that runs as one stack; training takes the ops everywhere else.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Adam } from "./adam.ts";
import type { Autoencoder } from "./model.ts";
import { stackSpecs } from "./kernels/conv_stack.ts";
import { cpuValues } from "./kernels/cpu_data.ts";
import {
  SQUARED_ERROR,
  squaredErrorGradFactor,
  squaredErrorOfSum,
} from "./kernels/squared_error_cpu.ts";
import { autoencoderStepOnCpu } from "./kernels/train_step_cpu.ts";
import { giveBackValues } from "./kernels/value_pool.ts";

let enabled = true;

/**
 * Turns the direct path on (the default) or off, for the tests and the bench that compare it with
 * the ops; returns the previous setting.
 */
export function useDirectSteps(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/**
 * One update on the batch of rows `order[start, start + batch)` of the images (`order` an int32
 * tensor); returns the loss as a float32 scalar when `logging`, else null; undefined, with nothing
 * changed, where this path cannot run now (the caller then takes the ops).
 */
export type DirectStep = (
  order: tf.Tensor1D,
  start: number,
  logging: boolean,
) => tf.Scalar | null | undefined;

/**
 * The direct update of `model` trained by `adam` on `images` (a float32 tensor of n images, kept
 * for the whole training) in batches of `batch`, the squared error scaled by `scale`; null where
 * the model does not run as one stack.
 */
export function directAutoencoderStep(
  model: Autoencoder,
  adam: Adam,
  images: tf.Tensor4D,
  batch: number,
  scale: number,
): DirectStep | null {
  const stack = model.wholeStack?.(batch) ?? null;
  if (stack === null) return null;
  const [n, H, W, C] = images.shape;
  return (order, start, logging) => {
    if (
      !enabled || tf.getBackend() !== "cpu" || tf.getKernel(SQUARED_ERROR, "cpu") === undefined ||
      !adam.appliesOnCpu() || order.dtype !== "int32" || start + batch > order.size
    ) {
      return undefined;
    }
    const specs = stackSpecs([batch, H, W, C], stack.layers, stack.attrs);
    if (specs === null) return undefined;
    const backend = tf.backend() as tf.MathBackendCPU;
    const indices = (order.dataSync() as Int32Array).subarray(start, start + batch);
    const r = autoencoderStepOnCpu(
      cpuValues(backend, images),
      n,
      indices,
      specs,
      squaredErrorGradFactor(1, scale),
      logging,
    );
    if (r === null) return undefined;
    const grads = new Map<tf.Tensor, Float32Array>();
    stack.layers.forEach((l, i) => {
      grads.set(l.filter, r.dw[i]);
      grads.set(l.bias, r.db[i]);
    });
    adam.applyOnCpu((v) => {
      const gv = grads.get(v);
      if (gv === undefined) {
        throw new Error(`Cannot apply Adam: no gradient for "${v.name}"; is it in the model?`);
      }
      return gv;
    });
    // Never seen by a tensor: back to the pool.
    for (const a of [r.x, r.dy, ...r.ys]) giveBackValues(a);
    // As a kernel makes its output (tf.scalar would count as an upload of data).
    return logging
      ? tf.engine().makeTensorFromTensorInfo(
        backend.makeTensorInfo(
          [],
          "float32",
          Float32Array.of(squaredErrorOfSum(r.lossSum!, scale)),
        ),
      ) as tf.Scalar
      : null;
  };
}
