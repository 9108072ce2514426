/**
 * Fast float32 `Add`, `Sub`, `Multiply`, `RealDiv`, `Greater` and `SquaredDifference` for the
 * tfjs `cpu` backend.
 *
 * The stock kernels share one loop that calls the operation through a closure (the call site
 * sees every binary op of the program, so V8 cannot inline it) and, whenever an operand has a
 * size-1 axis to broadcast (a `[1, 1, 1, 1]` tensor times a batch), converts every flat index to
 * coordinates and back with fresh arrays. In a training step of the paper's autoencoder these
 * ops run on tensors of up to 2.4 M values (bias additions, leaky-ReLU gradients, the loss
 * gradient). Here each operation has its own loops for the three shapes a training step uses:
 * same shape, one operand a single value, and one operand repeating along the leading axes
 * (a bias of shape `[C]` or `[1, 1, 1, C]` against `[N, H, W, C]`). Every other case goes to the
 * stock kernel. Results are bitwise those of the stock kernels (the same float32 operations).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { cpuValues } from "./cpu_data.ts";
import { newValuesToOverwrite, runRanges } from "./cpu_threads.ts";

/**
 * The loops of one operation: `full` (same shape), `scalarB`/`scalarA` (that operand is one
 * value), `periodicB`/`periodicA` (that operand repeats every `p` values of the output).
 */
interface BinaryLoops {
  full(a: Float32Array, b: Float32Array, r: Float32Array | Uint8Array): void;
  scalarB(a: Float32Array, s: number, r: Float32Array | Uint8Array): void;
  scalarA(s: number, b: Float32Array, r: Float32Array | Uint8Array): void;
  periodicB(a: Float32Array, b: Float32Array, r: Float32Array | Uint8Array): void;
  periodicA(a: Float32Array, b: Float32Array, r: Float32Array | Uint8Array): void;
}

// Each operation's loops are written out (not built from one template with the operation passed
// in) so that each loop has its own type feedback and V8 compiles the arithmetic inline.
const ADD: BinaryLoops = {
  full(a, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] + b[i];
  },
  scalarB(a, s, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] + s;
  },
  scalarA(s, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = s + b[i];
  },
  periodicB(a, b, r) {
    // The bias addition of every layer (up to 2.4 M values): shared out over the threads.
    runRanges(addPeriodicRange, "addPeriodic", a, b, r as Float32Array, 0, r.length);
  },
  periodicA(a, b, r) {
    const p = a.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[j] + b[o + j];
  },
};

const SUB: BinaryLoops = {
  full(a, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] - b[i];
  },
  scalarB(a, s, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] - s;
  },
  scalarA(s, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = s - b[i];
  },
  periodicB(a, b, r) {
    const p = b.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[o + j] - b[j];
  },
  periodicA(a, b, r) {
    const p = a.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[j] - b[o + j];
  },
};

const MUL: BinaryLoops = {
  full(a, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] * b[i];
  },
  scalarB(a, s, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] * s;
  },
  scalarA(s, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = s * b[i];
  },
  periodicB(a, b, r) {
    const p = b.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[o + j] * b[j];
  },
  periodicA(a, b, r) {
    const p = a.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[j] * b[o + j];
  },
};

const DIV: BinaryLoops = {
  full(a, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] / b[i];
  },
  scalarB(a, s, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] / s;
  },
  scalarA(s, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = s / b[i];
  },
  periodicB(a, b, r) {
    const p = b.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[o + j] / b[j];
  },
  periodicA(a, b, r) {
    const p = a.length;
    for (let o = 0; o < r.length; o += p) for (let j = 0; j < p; j++) r[o + j] = a[j] / b[o + j];
  },
};

const GREATER: BinaryLoops = {
  full(a, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] > b[i] ? 1 : 0;
  },
  scalarB(a, s, r) {
    for (let i = 0; i < r.length; i++) r[i] = a[i] > s ? 1 : 0;
  },
  scalarA(s, b, r) {
    for (let i = 0; i < r.length; i++) r[i] = s > b[i] ? 1 : 0;
  },
  periodicB(a, b, r) {
    const p = b.length;
    for (let o = 0; o < r.length; o += p) {
      for (let j = 0; j < p; j++) r[o + j] = a[o + j] > b[j] ? 1 : 0;
    }
  },
  periodicA(a, b, r) {
    const p = a.length;
    for (let o = 0; o < r.length; o += p) {
      for (let j = 0; j < p; j++) r[o + j] = a[j] > b[o + j] ? 1 : 0;
    }
  },
};

const SQUARED_DIFFERENCE: BinaryLoops = {
  full(a, b, r) {
    for (let i = 0; i < r.length; i++) {
      const d = a[i] - b[i];
      r[i] = d * d;
    }
  },
  scalarB(a, s, r) {
    for (let i = 0; i < r.length; i++) {
      const d = a[i] - s;
      r[i] = d * d;
    }
  },
  scalarA(s, b, r) {
    for (let i = 0; i < r.length; i++) {
      const d = s - b[i];
      r[i] = d * d;
    }
  },
  periodicB(a, b, r) {
    const p = b.length;
    for (let o = 0; o < r.length; o += p) {
      for (let j = 0; j < p; j++) {
        const d = a[o + j] - b[j];
        r[o + j] = d * d;
      }
    }
  },
  periodicA(a, b, r) {
    const p = a.length;
    for (let o = 0; o < r.length; o += p) {
      for (let j = 0; j < p; j++) {
        const d = a[j] - b[o + j];
        r[o + j] = d * d;
      }
    }
  },
};

/** Values [lo, hi) of a + b with b repeating every b.length values (the third operand unused). */
export function addPeriodicRange(
  a: Float32Array,
  b: Float32Array,
  r: Float32Array,
  _unused: number,
  lo: number,
  hi: number,
): void {
  const p = b.length;
  let j = lo % p;
  for (let i = lo; i < hi; i++) {
    r[i] = a[i] + b[j];
    if (++j === p) j = 0;
  }
}

/** Size of a shape (1 for a scalar). */
function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Whether `small`, broadcast against `out`, only repeats along leading axes: with its leading 1s
 * dropped, its shape is the tail of `out`. Then element i of the output reads element
 * `i mod size(small)` of it.
 */
export function repeatsAlongLeadingAxes(small: readonly number[], out: readonly number[]): boolean {
  let k = 0;
  while (k < small.length && small[k] === 1) k++;
  const tail = small.slice(k);
  if (tail.length > out.length) return false;
  const offset = out.length - tail.length;
  return tail.every((d, i) => d === out[offset + i]);
}

/** The loops of each kernel this module replaces, and the dtype of its result. */
const OPS: Readonly<Record<string, { loops: BinaryLoops; dtype: "float32" | "bool" }>> = {
  [tf.Add]: { loops: ADD, dtype: "float32" },
  [tf.Sub]: { loops: SUB, dtype: "float32" },
  [tf.Multiply]: { loops: MUL, dtype: "float32" },
  [tf.RealDiv]: { loops: DIV, dtype: "float32" },
  [tf.Greater]: { loops: GREATER, dtype: "bool" },
  [tf.SquaredDifference]: { loops: SQUARED_DIFFERENCE, dtype: "float32" },
};

/** Kernel names that {@linkcode makeBinaryCpu} knows. */
export const BINARY_CPU_KERNELS: readonly string[] = Object.keys(OPS);

/**
 * Builds the cpu kernel function of the binary op `kernelName` (one of
 * {@linkcode BINARY_CPU_KERNELS}); shapes and dtypes it does not cover go to `fallback`.
 */
export function makeBinaryCpu(kernelName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  const op = OPS[kernelName];
  if (op === undefined) {
    throw new Error(
      `Cannot build fast binary kernel "${kernelName}": unknown; use one of ${
        BINARY_CPU_KERNELS.join(", ")
      }`,
    );
  }
  const { loops, dtype } = op;
  return (args) => {
    const { a, b } = args.inputs as { a?: tf.TensorInfo; b?: tf.TensorInfo };
    if (a === undefined || b === undefined || a.dtype !== "float32" || b.dtype !== "float32") {
      return fallback(args);
    }
    const backend = args.backend as tf.MathBackendCPU;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = sizeOf(outShape);
    const aSize = sizeOf(a.shape), bSize = sizeOf(b.shape);
    const av = cpuValues(backend, a), bv = cpuValues(backend, b);
    const r = dtype === "bool" ? new Uint8Array(n) : newValuesToOverwrite(n);
    if (aSize === n && bSize === n) {
      loops.full(av, bv, r);
    } else if (aSize === n && bSize === 1) {
      loops.scalarB(av, bv[0], r);
    } else if (bSize === n && aSize === 1) {
      loops.scalarA(av[0], bv, r);
    } else if (aSize === n && repeatsAlongLeadingAxes(b.shape, outShape)) {
      loops.periodicB(av, bv, r);
    } else if (bSize === n && repeatsAlongLeadingAxes(a.shape, outShape)) {
      loops.periodicA(av, bv, r);
    } else {
      return fallback(args);
    }
    return backend.makeTensorInfo(outShape, dtype, r);
  };
}
