/**
 * What a kernel's chunk copies cost, by where the tensor's values live: the bench's `--copies`
 * mode.
 *
 * Why: the WebAssembly kernels copy each chunk of their inputs into their thread's module memory
 * and their output back out (`../lib/ml/kernels/conv_wasm.ts`). On one thread the tensors are
 * plain `ArrayBuffer`s; with kernel threads they are `SharedArrayBuffer`s, and V8 copies out of
 * or into shared memory with relaxed atomic word copies instead of `memmove`. This times the
 * same copies three ways, a chunk of the paper's 8-channel layer at a time over one activation
 * of batch 300 (in, then out): `TypedArray.set` from and to plain arrays, the same from and to
 * shared ones, and `memory.copy` from and to tensor memories (`tensor_memory.ts`: the kernels'
 * own copies of large tensors on several threads).
 *
 * @module
 */

import { median } from "./bench_step.ts";
import {
  copyIntoKernel,
  copyOutOfKernel,
  newTensorMemoryValues,
} from "../lib/ml/kernels/tensor_memory.ts";

/** Values of one activation: the paper's 32×32×8 layer at batch 300. */
const ACTIVATION_VALUES = 300 * 32 * 32 * 8;

/** Values of one chunk copy: ten images of that layer (what a 10-image chunk copies). */
const CHUNK_VALUES = 10 * 32 * 32 * 8;

/** Milliseconds per pass (every chunk in, then out) of each way, medians over the rounds. */
export interface CopyTimes {
  /** Bytes of the activation a pass copies in and out once. */
  bytes: number;
  /** `TypedArray.set` from and to plain `ArrayBuffer`s (one thread's tensors). */
  plainMs: number;
  /** The same from and to `SharedArrayBuffer`s (tensors when kernel threads run). */
  sharedMs: number;
  /** `memory.copy` from and to tensor memories, as the kernels copy them on several threads. */
  wasmMs: number;
}

/** Times `rounds` rounds of `passes` passes each way, in turn (after one untimed round). */
export function copyTimes(rounds = 7, passes = 10): CopyTimes {
  const n = ACTIVATION_VALUES, c = CHUNK_VALUES;
  // A kernel instance's memory, with room for one chunk at address 0.
  const kernel = new WebAssembly.Memory({ initial: 1 + (c * 4 >> 16) });
  const scratch = new Float32Array(kernel.buffer, 0, c);
  const plainIn = new Float32Array(n), plainOut = new Float32Array(n);
  const sharedIn = new Float32Array(new SharedArrayBuffer(n * 4));
  const sharedOut = new Float32Array(new SharedArrayBuffer(n * 4));
  const wasmIn = newTensorMemoryValues(n), wasmOut = newTensorMemoryValues(n);
  for (let i = 0; i < n; i++) plainIn[i] = sharedIn[i] = wasmIn[i] = i % 1000;
  const viaSet = (src: Float32Array, dst: Float32Array) => () => {
    for (let i = 0; i < n; i += c) {
      scratch.set(src.subarray(i, i + c));
      dst.set(scratch, i);
    }
  };
  const viaWasm = () => {
    for (let i = 0; i < n; i += c) {
      copyIntoKernel(kernel, 0, wasmIn.subarray(i, i + c));
      copyOutOfKernel(kernel, 0, c, wasmOut, i);
    }
  };
  const ways = [viaSet(plainIn, plainOut), viaSet(sharedIn, sharedOut), viaWasm];
  const times: number[][] = [[], [], []];
  for (let r = 0; r <= rounds; r++) {
    ways.forEach((pass, w) => {
      const t0 = performance.now();
      for (let p = 0; p < passes; p++) pass();
      if (r > 0) times[w].push((performance.now() - t0) / passes);
    });
  }
  for (const [name, out] of [["plain", plainOut], ["shared", sharedOut], ["wasm", wasmOut]]) {
    const o = out as Float32Array;
    if (o[n - 1] !== (n - 1) % 1000 || o[12345] !== 12345 % 1000) {
      throw new Error(`Cannot time the copies: the ${name} copy is wrong`);
    }
  }
  return {
    bytes: n * 4,
    plainMs: median(times[0]),
    sharedMs: median(times[1]),
    wasmMs: median(times[2]),
  };
}

/** The line `--copies` prints. */
export function formatCopyTimes(t: CopyTimes): string {
  const mb = (t.bytes / 1e6).toFixed(1);
  return `copies of a ${mb} MB activation in 10-image chunks, in then out (ms per pass, medians): ` +
    `TypedArray.set plain ${t.plainMs.toFixed(2)}, shared ${t.sharedMs.toFixed(2)} (${
      (t.sharedMs / t.plainMs).toFixed(2)
    }× plain); memory.copy with tensor memories ${t.wasmMs.toFixed(2)} (${
      (t.wasmMs / t.plainMs).toFixed(2)
    }× plain)`;
}
