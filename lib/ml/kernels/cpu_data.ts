/**
 * Direct access to the values the tfjs `cpu` backend holds for a tensor, for the fast kernels.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** The cpu backend's per-tensor storage, as far as the fast kernels read it. */
interface CpuData {
  values: unknown;
}

/** Values of a float32 tensor held by the cpu backend. */
export function cpuValues(backend: tf.MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const values = (backend.data.get(t.dataId) as CpuData).values;
  if (!(values instanceof Float32Array)) {
    throw new Error(
      `Cannot read tensor of dtype "${t.dtype}" as float32: the fast kernels take float32 only; cast first`,
    );
  }
  return values;
}
