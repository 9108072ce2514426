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
 * shared ones, and WebAssembly's `memory.copy` inside one shared `WebAssembly.Memory` (where
 * tensors and every thread's scratch would all live if the kernels imported one memory).
 *
 * @module
 */

import { median } from "./bench_step.ts";

/** Values of one activation: the paper's 32×32×8 layer at batch 300. */
const ACTIVATION_VALUES = 300 * 32 * 32 * 8;

/** Values of one chunk copy: ten images of that layer (what a 10-image chunk copies). */
const CHUNK_VALUES = 10 * 32 * 32 * 8;

/**
 * A module importing a shared memory `env.memory` (1 to 65,536 pages) and exporting
 * `copy(dst, src, bytes)`: `memory.copy` (bulk memory) within it.
 */
// deno-fmt-ignore
const COPY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32, i32, i32) -> ()
  0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // "env" "memory"
  0x02, 0x03, 0x01, 0x80, 0x80, 0x04, // memory, shared with a maximum: 1 to 65,536 pages
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x07, 0x08, 0x01, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x00, // export "copy" = function 0
  0x0a, 0x0e, 0x01, 0x0c, 0x00, // code: one body, no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, 1, 2
  0xfc, 0x0a, 0x00, 0x00, // memory.copy 0 0
  0x0b, // end
]);

/** Milliseconds per pass (every chunk in, then out) of each way, medians over the rounds. */
export interface CopyTimes {
  /** Bytes of the activation a pass copies in and out once. */
  bytes: number;
  /** `TypedArray.set` from and to plain `ArrayBuffer`s (one thread's tensors). */
  plainMs: number;
  /** The same from and to `SharedArrayBuffer`s (tensors when kernel threads run). */
  sharedMs: number;
  /** `memory.copy` inside one shared `WebAssembly.Memory`. */
  wasmMs: number;
}

/** Times `rounds` rounds of `passes` passes each way, in turn (after one untimed round). */
export function copyTimes(rounds = 7, passes = 10): CopyTimes {
  const n = ACTIVATION_VALUES, c = CHUNK_VALUES;
  const scratch = new Float32Array(new WebAssembly.Memory({ initial: 1 + (c * 4 >> 16) }).buffer);
  const plainIn = new Float32Array(n), plainOut = new Float32Array(n);
  const sharedIn = new Float32Array(new SharedArrayBuffer(n * 4));
  const sharedOut = new Float32Array(new SharedArrayBuffer(n * 4));
  // The shared module memory: the activation, its copy, and a chunk's scratch, page-aligned.
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const inAt = 65536, outAt = inAt + n * 4, scratchAt = outAt + n * 4;
  memory.grow(Math.ceil((scratchAt + c * 4) / 65536));
  const copy = new WebAssembly.Instance(new WebAssembly.Module(COPY_MODULE), { env: { memory } })
    .exports.copy as (dst: number, src: number, bytes: number) => void;
  const wasmIn = new Float32Array(memory.buffer, inAt, n);
  for (let i = 0; i < n; i++) plainIn[i] = sharedIn[i] = wasmIn[i] = i % 1000;
  const viaSet = (src: Float32Array, dst: Float32Array) => () => {
    for (let i = 0; i < n; i += c) {
      scratch.set(src.subarray(i, i + c));
      dst.set(scratch.subarray(0, c), i);
    }
  };
  const viaWasm = () => {
    for (let i = 0; i < n; i += c) {
      copy(scratchAt, inAt + i * 4, c * 4);
      copy(outAt + i * 4, scratchAt, c * 4);
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
  const wasmOut = new Float32Array(memory.buffer, outAt, n);
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
    }× plain); memory.copy in one shared WebAssembly.Memory ${t.wasmMs.toFixed(2)} (${
      (t.wasmMs / t.plainMs).toFixed(2)
    }× plain)`;
}
