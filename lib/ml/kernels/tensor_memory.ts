/**
 * Large tensor values in shared WebAssembly memories, so that the WebAssembly kernels copy their
 * chunks in and out with `memory.copy` instead of `TypedArray.set`.
 *
 * Why: with kernel threads every tensor's values are in shared memory, and V8 copies out of and
 * into a `SharedArrayBuffer` with relaxed atomic word copies instead of `memmove`. `deno task
 * bench --copies` (2-core machine, 2026-12-05): a 9.8 MB activation copied into a kernel's memory
 * in 10-image chunks and back out took 0.55–0.60 ms between plain arrays, 0.85–0.88 ms between
 * shared ones, and 0.48–0.55 ms with these copies. A one-thread step with its tensors in shared
 * memory took 3–9 ms more than with plain ones.
 *
 * How: each such array is the whole of a shared `WebAssembly.Memory` of its own (so every
 * array still has a buffer of its own, which the value pool and the mailbox key on), and each
 * thread instantiates, per memory, a small module that imports its kernels' memory and that one
 * and copies between them (multi-memory `memory.copy`). A copy moves the same bytes either way.
 *
 * @module
 */

/** Shared arrays of at least this many values get a memory of their own (64 KB pages). */
export const TENSOR_MEMORY_MIN_VALUES = 1 << 16;

/** The memory whose whole buffer each tensor memory's array views, by that buffer. */
const memories = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

/** A float32 array of `n` values, zeroed, in a shared WebAssembly memory of its own. */
export function newTensorMemoryValues(n: number): Float32Array {
  const pages = Math.max(1, Math.ceil((n * 4) / 65536));
  // Never grown: its buffer, which the pool and the mailbox know it by, stays the same object.
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  memories.set(memory.buffer, memory);
  return new Float32Array(memory.buffer, 0, n);
}

/** The tensor memory `buffer` belongs to, if it is one. */
export function tensorMemoryOf(buffer: ArrayBufferLike): WebAssembly.Memory | undefined {
  return memories.get(buffer);
}

/** Takes a tensor memory posted to this thread as its own; returns the buffer to view it by. */
export function adoptTensorMemory(memory: WebAssembly.Memory): SharedArrayBuffer {
  const buffer = memory.buffer as SharedArrayBuffer;
  memories.set(buffer, memory);
  return buffer;
}

/**
 * The copying module: imports `env.kernel` (a kernel instance's memory, index 0) and
 * `env.tensors` (a shared memory of up to 65,536 pages, index 1); exports `in(dst, src, bytes)`
 * (`memory.copy 0 1`) and `out(dst, src, bytes)` (`memory.copy 1 0`). A copy out of bounds traps.
 */
// deno-fmt-ignore
const COPY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // type 0: (i32, i32, i32) -> ()
  0x02, 0x21, 0x02, // imports: two
  0x03, 0x65, 0x6e, 0x76, 0x06, 0x6b, 0x65, 0x72, 0x6e, 0x65, 0x6c, // "env" "kernel"
  0x02, 0x00, 0x00, // memory, at least 0 pages, no maximum
  0x03, 0x65, 0x6e, 0x76, 0x07, 0x74, 0x65, 0x6e, 0x73, 0x6f, 0x72, 0x73, // "env" "tensors"
  0x02, 0x03, 0x00, 0x80, 0x80, 0x04, // memory, shared, 0 to 65,536 pages
  0x03, 0x03, 0x02, 0x00, 0x00, // two functions of type 0
  0x07, 0x0c, 0x02, 0x02, 0x69, 0x6e, 0x00, 0x00, 0x03, 0x6f, 0x75, 0x74, 0x00, 0x01, // "in", "out"
  0x0a, 0x1b, 0x02, // code: two bodies
  0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x01, 0x0b, // memory.copy 0 1
  0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x01, 0x00, 0x0b, // memory.copy 1 0
]);

type CopyFn = (dst: number, src: number, bytes: number) => void;

interface Copier {
  kernel: WebAssembly.Memory;
  into: CopyFn;
  out: CopyFn;
}

let copyModule: WebAssembly.Module | undefined;
/** This thread's copiers, by tensor memory (each thread has its own kernels' memory). */
const copiers = new WeakMap<WebAssembly.Memory, Copier>();

function copier(kernel: WebAssembly.Memory, tensors: WebAssembly.Memory): Copier {
  let c = copiers.get(tensors);
  if (c === undefined || c.kernel !== kernel) {
    copyModule ??= new WebAssembly.Module(COPY_MODULE);
    const e = new WebAssembly.Instance(copyModule, { env: { kernel, tensors } }).exports;
    c = { kernel, into: e.in as CopyFn, out: e.out as CopyFn };
    copiers.set(tensors, c);
  }
  return c;
}

/**
 * Copies `src` to byte address `at` of `kernel` (a kernel instance's memory) with `memory.copy`
 * when `src` lives in a tensor memory; returns false, copying nothing, when it does not.
 */
export function copyIntoKernel(
  kernel: WebAssembly.Memory,
  at: number,
  src: Float32Array | Float64Array,
): boolean {
  const tensors = memories.get(src.buffer);
  if (tensors === undefined) return false;
  copier(kernel, tensors).into(at, src.byteOffset, src.byteLength);
  return true;
}

/**
 * Copies `n` float32 values from byte address `at` of `kernel` to `dst` from index `offset`
 * with `memory.copy` when `dst` lives in a tensor memory; returns false, copying nothing, when it
 * does not.
 */
export function copyOutOfKernel(
  kernel: WebAssembly.Memory,
  at: number,
  n: number,
  dst: Float32Array,
  offset: number,
): boolean {
  const tensors = memories.get(dst.buffer);
  if (tensors === undefined) return false;
  if (offset < 0 || n < 0 || offset + n > dst.length) {
    throw new RangeError(`Cannot copy ${n} values to index ${offset} of ${dst.length}`);
  }
  copier(kernel, tensors).out(dst.byteOffset + offset * 4, at, n * 4);
  return true;
}
