/**
 * Test helpers for the fast kernels: float64 reference convolutions written directly from the
 * definitions (no tfjs), seeded random data, random convolution geometries, and the relative
 * error ‖out − ref‖ / ‖ref‖.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import type { Rng } from "../../../pipeline/stage.ts";
import { type ConvGeometry, convGeometry, type ConvPad } from "./conv_geometry.ts";
import { installFastKernels, restoreStockKernels } from "./install.ts";
import { wasmSimdSupported } from "./conv_wasm.ts";
import { imageKernelImpl, setImageKernelImpl } from "./cpu_threads.ts";

/** Input pixel of output position `o` and filter tap `t`, or -1 when it falls in the padding. */
function source(o: number, t: number, stride: number, pad: number, size: number): number {
  const i = o * stride + t - pad;
  return i >= 0 && i < size ? i : -1;
}

/**
 * Calls `visit(xIndex, dyIndex, wIndex)` for every product of the convolution sum: input element,
 * output element and filter element (NHWC, NHWC, HWIO flat indices).
 */
function forEachProduct(
  g: ConvGeometry,
  visit: (xi: number, yi: number, wi: number) => void,
): void {
  for (let b = 0; b < g.batch; b++) {
    for (let yR = 0; yR < g.outHeight; yR++) {
      for (let yC = 0; yC < g.outWidth; yC++) {
        for (let wR = 0; wR < g.filterHeight; wR++) {
          const xR = source(yR, wR, g.strideHeight, g.padTop, g.inHeight);
          if (xR < 0) continue;
          for (let wC = 0; wC < g.filterWidth; wC++) {
            const xC = source(yC, wC, g.strideWidth, g.padLeft, g.inWidth);
            if (xC < 0) continue;
            for (let d1 = 0; d1 < g.inChannels; d1++) {
              for (let d2 = 0; d2 < g.outChannels; d2++) {
                visit(
                  ((b * g.inHeight + xR) * g.inWidth + xC) * g.inChannels + d1,
                  ((b * g.outHeight + yR) * g.outWidth + yC) * g.outChannels + d2,
                  ((wR * g.filterWidth + wC) * g.inChannels + d1) * g.outChannels + d2,
                );
              }
            }
          }
        }
      }
    }
  }
}

/** Float64 reference of the forward convolution y = conv(x, w). */
export function refConv2d(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  g: ConvGeometry,
): Float64Array {
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * g.outChannels);
  forEachProduct(g, (xi, yi, wi) => {
    y[yi] += x[xi] * w[wi];
  });
  return y;
}

/** Float64 reference of the input gradient dx = ∂⟨dy, conv(x, w)⟩/∂x. */
export function refConv2dBackpropInput(
  dy: ArrayLike<number>,
  w: ArrayLike<number>,
  g: ConvGeometry,
): Float64Array {
  const dx = new Float64Array(g.batch * g.inHeight * g.inWidth * g.inChannels);
  forEachProduct(g, (xi, yi, wi) => {
    dx[xi] += dy[yi] * w[wi];
  });
  return dx;
}

/** Float64 reference of the filter gradient dW = ∂⟨dy, conv(x, w)⟩/∂w. */
export function refConv2dBackpropFilter(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
): Float64Array {
  const dw = new Float64Array(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels);
  forEachProduct(g, (xi, yi, wi) => {
    dw[wi] += x[xi] * dy[yi];
  });
  return dw;
}

/** `n` float32 values uniform in [-1, 1) from `rng`. */
export function randomValues(rng: Rng, n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * rng.next() - 1;
  return v;
}

/** ‖out − ref‖₂ / ‖ref‖₂ (0 when both are zero). */
export function relativeError(out: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (out.length !== ref.length) {
    throw new Error(
      `Cannot compare arrays of lengths ${out.length} and ${ref.length}: they differ`,
    );
  }
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (out[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** One random convolution case: shapes, stride and padding as tfjs takes them. */
export interface ConvCase {
  /** NHWC input shape. */
  xShape: [number, number, number, number];
  /** HWIO filter shape. */
  filterShape: [number, number, number, number];
  /** Stride (both directions). */
  strides: [number, number];
  /** Padding. */
  pad: ConvPad;
  /** The geometry tfjs derives from the above. */
  geometry: ConvGeometry;
}

/**
 * `count` random convolution cases from `seed`: strides 1 and 2 (and mixed), `same`, `valid` and
 * explicit padding in turn, batch 1–4, channels 1–9, odd and even sizes 1–13, filters 1–4.
 * Cases whose output would be empty are redrawn.
 */
export function randomConvCases(seed: number, count: number): ConvCase[] {
  const rng = createRng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const k = cases.length;
    const strides: [number, number] = k % 5 === 4 ? [1, 2] : [1 + (k % 2), 1 + (k % 2)];
    const pad: ConvPad = k % 3 === 0
      ? "same"
      : k % 3 === 1
      ? "valid"
      : [[0, 0], [int(0, 2), int(0, 2)], [int(0, 2), int(0, 2)], [0, 0]];
    const xShape: [number, number, number, number] = [int(1, 4), int(1, 13), int(1, 13), int(1, 9)];
    const filterShape: [number, number, number, number] = [
      int(1, 4),
      int(1, 4),
      xShape[3],
      int(1, 9),
    ];
    if (pad === "valid" && (filterShape[0] > xShape[1] || filterShape[1] > xShape[2])) continue;
    const geometry = convGeometry(xShape, filterShape, strides, pad);
    if (geometry.outHeight <= 0 || geometry.outWidth <= 0) continue;
    cases.push({ xShape, filterShape, strides, pad, geometry });
  }
  return cases;
}

/** A short description of a case for assertion messages. */
export function describeCase(c: ConvCase): string {
  return `x ${JSON.stringify(c.xShape)} w ${JSON.stringify(c.filterShape)} strides ${
    JSON.stringify(c.strides)
  } pad ${JSON.stringify(c.pad)}`;
}

/** The paper's six encoder convolutions at batch `n` (3×3, stride 2, `same`). */
export function paperEncoderCases(n: number): ConvCase[] {
  const depths = [1, 8, 4, 4, 3, 2, 1];
  const cases: ConvCase[] = [];
  let side = 64;
  for (let i = 0; i < 6; i++) {
    const xShape: [number, number, number, number] = [n, side, side, depths[i]];
    const filterShape: [number, number, number, number] = [3, 3, depths[i], depths[i + 1]];
    cases.push({
      xShape,
      filterShape,
      strides: [2, 2],
      pad: "same",
      geometry: convGeometry(xShape, filterShape, 2, "same"),
    });
    side /= 2;
  }
  return cases;
}

/** Runs tfjs kernel `name` on the active backend and returns its output values. */
export function runKernelValues(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown>,
): Float32Array | Uint8Array | Int32Array {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array | Uint8Array | Int32Array;
  out.dispose();
  return values;
}

/** Runs `f` with the stock kernels of `backend` registered, then puts the fast ones back. */
export function withStockKernels<T>(backend: string, f: () => T): T {
  restoreStockKernels(backend);
  try {
    return f();
  } finally {
    installFastKernels(backend);
  }
}

/** Runs `f` with each kernel implementation this runtime has, then puts back the one in force. */
export function withEachImageKernelImpl(f: () => void): void {
  const impls = wasmSimdSupported() ? ["wasm", "js"] as const : ["js"] as const;
  const before = imageKernelImpl();
  try {
    for (const impl of impls) {
      setImageKernelImpl(impl);
      f();
    }
  } finally {
    setImageKernelImpl(before);
  }
}

/** Whether two float arrays hold the same bytes (NaN payloads included). */
export function sameBytes(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}
