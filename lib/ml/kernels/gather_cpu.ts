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
 * A batch of the paper's autoencoder is 1.2 M values (0.5 ms on one core), made by the calling
 * thread while the others wait; where the dataset is in shared memory (see
 * `valuesForThreads` of `./cpu_threads.ts`, as training uploads it) the copy is shared out over the threads.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { newValuesToOverwrite, runRanges } from "./cpu_threads.ts";

/**
 * Values [lo, hi) of the rows `rows` of `x`, each of `row` values, into `out`: a range kernel of
 * `./cpu_threads.ts` (which hands it the row indices as float32 numbers), any cut of [0, n) giving
 * the same bytes.
 */
export function gatherRowsRange(
  x: Float32Array,
  rows: ArrayLike<number>,
  out: Float32Array,
  row: number,
  lo: number,
  hi: number,
): void {
  for (let v = lo; v < hi;) {
    const i = Math.floor(v / row), end = Math.min(hi, (i + 1) * row);
    const from = rows[i] * row + (v - i * row);
    out.set(x.subarray(from, from + end - v), v);
    v = end;
  }
}

/** Every integer up to this one is a float32 exactly. */
const FLOAT32_EXACT_INTEGERS = 2 ** 24;

/** Throws unless every one of `indices` is a row of a tensor of `rows` rows. */
export function checkRows(indices: ArrayLike<number>, rows: number): void {
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!(r >= 0 && r < rows && Number.isInteger(r))) {
      // The stock kernel's message, so that callers see the same error either way.
      throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
    }
  }
}

/** Rows `indices` of `x` (rows of `row` values), as one array. */
export function gatherRows(
  x: Float32Array,
  row: number,
  rows: number,
  indices: ArrayLike<number>,
): Float32Array {
  checkRows(indices, rows);
  // Every row is copied in below: the array need not be zeroed first.
  const n = indices.length * row;
  const out = newValuesToOverwrite(n);
  // The other threads read x where it is: only a dataset in shared memory can be shared out.
  // They take the indices as float32, exact below 2²⁴ rows.
  if (x.buffer instanceof SharedArrayBuffer && rows <= FLOAT32_EXACT_INTEGERS) {
    runRanges(gatherRowsRange, "gatherRows", x, Float32Array.from(indices), out, row, n);
  } else gatherRowsRange(x, indices, out, row, 0, n);
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
