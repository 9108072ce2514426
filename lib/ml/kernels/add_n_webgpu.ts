/**
 * `AddN` on WebGPU for any number of inputs.
 *
 * tfjs's WebGPU program binds every input, and the output, as a storage buffer of one shader.
 * A device allows `maxStorageBuffersPerShaderStage` of them (8 unless asked for more, and tfjs
 * asks for no more), so from 8 inputs on the pipeline is invalid. WebGPU reports that only as
 * an uncaptured error event, tfjs does not listen, and the sum comes out as whatever its
 * buffer held before. It also spoils the gradients computed beside it: measured here (llvmpipe),
 * the gradient of Σᵢ xᵢ² over 12 variables came out 0 for some of them. ψ2 sums the squared
 * norms of the 12 kernels of the disk autoencoder this way.
 *
 * This kernel sums at most `limit − 1` inputs per dispatch, then the partial sums, in a tree:
 * the stock program is used for every dispatch, and a call within the limit is the stock call.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** The backend as this kernel sees it: the device (for its limit) and buffer disposal. */
interface WebgpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): boolean;
}

/** Inputs one dispatch may read on `backend`: every storage binding but the output's. */
export function addNInputLimit(backend: unknown): number {
  const limit = (backend as WebgpuBackendLike).device.limits.maxStorageBuffersPerShaderStage;
  return Math.max(2, limit - 1);
}

/** Makes the kernel from the stock one, which it calls with `addNInputLimit` inputs at most. */
export function makeAddNWebgpu(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    // AddN's inputs are a list, not named.
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const backend = args.backend as unknown as WebgpuBackendLike;
    const max = addNInputLimit(backend);
    if (inputs.length <= max) return stock(args);
    const partials: tf.TensorInfo[] = [];
    let level = inputs;
    while (level.length > max) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += max) {
        const chunk = level.slice(i, i + max);
        if (chunk.length === 1) {
          next.push(chunk[0]);
          continue;
        }
        const sum = stock({
          ...args,
          inputs: chunk as unknown as tf.NamedTensorInfoMap,
        }) as tf.TensorInfo;
        partials.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const out = stock({
      ...args,
      inputs: level as unknown as tf.NamedTensorInfoMap,
    }) as tf.TensorInfo;
    // The backend frees a buffer only once the work queued on it has been submitted.
    for (const p of partials) backend.disposeData(p.dataId);
    return out;
  };
}
