/**
 * Recycles the value arrays of disposed tensors of the tfjs `cpu` backend, for the fast kernels'
 * outputs.
 *
 * Why: a training step of the paper's autoencoder makes about forty arrays of up to 10 MB
 * (2.4 M activations), and each fresh one is zeroed page by page by the operating system on
 * first touch. Measured on the 2-core development machine, a leaky ReLU over 2.4 M values took
 * 1.7 ms into a reused array and 2.4 ms, but usually 35 to 120 ms, into a fresh one (page faults
 * in the virtual machine); a fresh `SharedArrayBuffer` (used when kernel threads run) 30 to
 * 50 ms. Reusing the arrays of tensors already disposed costs one `fill(0)`.
 *
 * Safety: an array is reused only when nothing can still see it.
 * - Only buffers this pool handed out are ever recycled (`newValues` of `./cpu_threads.ts`).
 * - Every tensor entry the backend creates on such a buffer counts as a holder (`write`,
 *   `move`; a slice may be a view on another tensor's buffer), and the buffer is recycled when
 *   the last holder is disposed.
 * - A buffer whose values were ever read out (`readSync`: `dataSync()`, `data()`, `buffer()` and
 *   the stock kernels' `bufferSync` all go through it) has escaped to code that may keep it and
 *   is never recycled.
 * Recycled arrays are zeroed before reuse, so results are the bytes of fresh arrays; a kernel
 * that writes every value of its output asks for one as it is (`zeroed` false), saving a pass
 * over memory that, made on the calling thread alone, cost about as much as the kernel's own
 * pass spread over the threads.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { newTensorMemoryValues, TENSOR_MEMORY_MIN_VALUES } from "./tensor_memory.ts";

/** Arrays below this many values are cheap to allocate: not pooled. */
const MIN_POOLED_VALUES = 1 << 16;
/**
 * The same for shared memory (more than one kernel thread), where the garbage collector frees
 * buffers late: a training of the paper's model on two threads grew by 1.2 GB in 750 updates
 * when small shared arrays were left to it.
 */
const MIN_POOLED_SHARED_VALUES = 1 << 8;

function pooled(n: number, shared: boolean): boolean {
  return n >= (shared ? MIN_POOLED_SHARED_VALUES : MIN_POOLED_VALUES);
}

/**
 * At most this many bytes wait in the pool; beyond, disposed arrays are left to the GC. A group
 * of K models (`../group/`) frees K times the arrays of one model per step: with a cap of
 * 512 MB, five paper-scale models per step cost 1.55× one per model (fresh arrays' page faults),
 * with 3 GB 0.95× (2-core machine, 2026-12-04, README). An eighth of the machine's memory, at
 * most 3 GB, and 512 MB where the memory cannot be read.
 */
const MAX_POOLED_BYTES = (() => {
  const GB = 1024 * 1024 * 1024;
  try {
    return Math.max(GB / 2, Math.min(3 * GB, Deno.systemMemoryInfo().total / 8));
  } catch {
    return GB / 2;
  }
})();

/** Buffers handed out by this pool, mapped to the array over the whole buffer. */
let ours = new WeakMap<ArrayBufferLike, Float32Array>();
/** Buffers whose values were read out: never recycled. */
let escaped = new WeakSet<ArrayBufferLike>();
/** Live tensor entries per pooled buffer. */
const holders = new Map<ArrayBufferLike, number>();
/** Free arrays by `shared:length`, last in first out. */
const free = new Map<string, Float32Array[]>();
let freeBytes = 0;
/** Whether a backend is attached (else the pool hands out fresh arrays only). */
let attached = 0;

function key(shared: boolean, n: number): string {
  return `${shared ? "s" : "p"}:${n}`;
}

/**
 * A float32 array of `n` values (in a `SharedArrayBuffer` when `shared`): a recycled one when the
 * pool holds one of that size, else a fresh one. Zeroed, unless `zeroed` is false: then a
 * recycled array keeps the values of its last use, for a caller that writes every value.
 */
export function takeValues(n: number, shared: boolean, zeroed = true): Float32Array {
  if (attached > 0 && pooled(n, shared)) {
    const list = free.get(key(shared, n));
    const reused = list?.pop();
    if (reused !== undefined) {
      freeBytes -= reused.byteLength;
      if (zeroed) reused.fill(0);
      return reused;
    }
  }
  const inPool = attached > 0 && pooled(n, shared);
  const fresh = freshValues(n, shared, inPool);
  if (inPool) ours.set(fresh.buffer, fresh);
  return fresh;
}

/**
 * A new zeroed array of `n` values. A shared one of {@linkcode TENSOR_MEMORY_MIN_VALUES} or more
 * that the pool will recycle (`inPool`) is a WebAssembly memory of its own, which the WebAssembly
 * kernels copy faster. Only the pool's: training's tensors, where this was measured (see
 * `./tensor_memory.ts`); arrays outside the pool stay plain shared buffers.
 */
function freshValues(n: number, shared: boolean, inPool: boolean): Float32Array {
  if (!shared) return new Float32Array(n);
  if (inPool && n >= TENSOR_MEMORY_MIN_VALUES) return newTensorMemoryValues(n);
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/**
 * Gives back an array from {@linkcode takeValues} that no tensor ever held and nothing read out:
 * a kernel's scratch, which it has copied where it belongs (the grouped kernels run the
 * single-model kernels per model, then lay the K results end to end). Reused like a disposed
 * tensor's. Left to the garbage collector that would cost more than it seems: in shared memory
 * (more than one kernel thread) the collector frees such buffers late, and a group of five
 * paper-scale models then grew to 24 GB in 9 minutes.
 */
export function giveBackValues(v: Float32Array): void {
  const buf = v.buffer;
  if (ours.get(buf) !== v || holders.has(buf)) return;
  // Given back twice, it would be handed out twice.
  if (free.get(key(buf instanceof SharedArrayBuffer, v.length))?.includes(v)) return;
  recycle(v);
}

/** Counts of the pool's state, for tests and the bench. */
export function valuePoolStats(): { freeArrays: number; freeBytes: number; held: number } {
  let freeArrays = 0;
  for (const l of free.values()) freeArrays += l.length;
  return { freeArrays, freeBytes, held: holders.size };
}

/** Empties the pool and forgets every buffer (they are left to the garbage collector). */
export function clearValuePool(): void {
  free.clear();
  holders.clear();
  freeBytes = 0;
  ours = new WeakMap();
  escaped = new WeakSet();
}

function hold(values: unknown): void {
  const buf = (values as { buffer?: ArrayBufferLike } | null)?.buffer;
  if (buf === undefined || !ours.has(buf)) return;
  holders.set(buf, (holders.get(buf) ?? 0) + 1);
}

function release(values: unknown): void {
  const buf = (values as { buffer?: ArrayBufferLike } | null)?.buffer;
  if (buf === undefined || !ours.has(buf)) return;
  const left = (holders.get(buf) ?? 1) - 1;
  if (left > 0) {
    holders.set(buf, left);
    return;
  }
  holders.delete(buf);
  recycle(ours.get(buf)!);
}

/** Puts a whole pooled array on its free list, unless it escaped or the pool is full. */
function recycle(whole: Float32Array): void {
  const buf = whole.buffer;
  if (escaped.has(buf) || freeBytes + whole.byteLength > MAX_POOLED_BYTES) return;
  const k = key(buf instanceof SharedArrayBuffer, whole.length);
  const list = free.get(k) ?? [];
  list.push(whole);
  free.set(k, list);
  freeBytes += whole.byteLength;
}

function markEscaped(values: unknown): void {
  const buf = (values as { buffer?: ArrayBufferLike } | null)?.buffer;
  if (buf !== undefined && ours.has(buf)) escaped.add(buf);
}

/** The parts of the cpu backend the pool watches. */
interface WatchedBackend {
  data: { get(id: object): { values: unknown } | undefined; has(id: object): boolean };
  write(values: unknown, shape: number[], dtype: string): object;
  move(id: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
  readSync(id: object): unknown;
  disposeData(id: object, force?: boolean): boolean;
}

/**
 * Starts recycling on `backend` (the tfjs cpu backend instance) by wrapping the methods through
 * which its tensors' values are created, read out and freed. Returns the function that puts the
 * original methods back and empties the pool.
 */
export function attachValuePool(backend: tf.KernelBackend): () => void {
  const b = backend as unknown as WatchedBackend;
  const { write, move, readSync, disposeData } = b;
  b.write = function (values, shape, dtype) {
    const id = write.call(this, values, shape, dtype);
    hold(values);
    return id;
  };
  b.move = function (id, values, shape, dtype, refCount) {
    // A move onto an existing entry replaces its values without a dispose: the old array may
    // still be seen elsewhere, so it is never recycled.
    const old = b.data.has(id) ? b.data.get(id)?.values : undefined;
    if (old !== undefined) markEscaped(old);
    move.call(this, id, values, shape, dtype, refCount);
    hold(values);
  };
  b.readSync = function (id) {
    markEscaped(b.data.get(id)?.values);
    return readSync.call(this, id);
  };
  b.disposeData = function (id, force) {
    const values = b.data.has(id) ? b.data.get(id)?.values : undefined;
    const gone = disposeData.call(this, id, force);
    if (gone && values !== undefined && !b.data.has(id)) release(values);
    return gone;
  };
  attached++;
  return () => {
    b.write = write;
    b.move = move;
    b.readSync = readSync;
    b.disposeData = disposeData;
    attached--;
    clearValuePool();
  };
}
