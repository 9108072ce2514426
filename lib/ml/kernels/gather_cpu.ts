/**
 * A fast `GatherV2` along the leading axis for the tfjs `cpu` backend: picking a training batch
 * out of the dataset (300 images of 64×64 out of thousands, at every step).
 *
 * The stock kernel converts every output index to coordinates and back through `TensorBuffer`
 * accessors, one value at a time (about 50 ms per batch of the paper's autoencoder). Along the
 * leading axis a gather is a copy of whole rows, which `TypedArray.set` does at memory speed.
 * Other axes, `batchDims` and dtypes go to the stock kernel. The output is bitwise the stock one
 * (a copy).
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { newValuesToOverwrite } from "./cpu_threads.ts";

/** Rows `indices` of `x` (rows of `row` values), as one array. */
export function gatherRows(
  x: Float32Array,
  row: number,
  rows: number,
  indices: ArrayLike<number>,
): Float32Array {
  // Every row is copied in below (or the call throws): the array need not be zeroed first.
  const out = newValuesToOverwrite(indices.length * row);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!(r >= 0 && r < rows && Number.isInteger(r))) {
      // The stock kernel's message, so that callers see the same error either way.
      throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
    }
    out.set(x.subarray(r * row, (r + 1) * row), i * row);
  }
  return out;
}

/** Builds the `GatherV2` kernel function for the cpu backend; other cases go to `fallback`. */
export function makeGatherCpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x?: tf.TensorInfo; indices?: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as { axis?: number; batchDims?: number };
    if (
      x === undefined || indices === undefined || x.dtype !== "float32" ||
      (axis ?? 0) !== 0 && axis !== -x.shape.length || (batchDims ?? 0) !== 0 ||
      x.shape.length === 0
    ) {
      return fallback(args);
    }
    const backend = args.backend as tf.MathBackendCPU;
    const values = backend.data.get(x.dataId).values;
    const idx = backend.data.get(indices.dataId).values;
    if (!(values instanceof Float32Array) || !(idx instanceof Int32Array)) return fallback(args);
    const rows = x.shape[0];
    const row = rows === 0 ? 0 : values.length / rows;
    const out = gatherRows(values, row, rows, idx);
    return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], "float32", out);
  };
}
