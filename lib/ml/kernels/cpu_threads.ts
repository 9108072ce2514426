/**
 * Runs the fast cpu convolution kernels on several threads: the calling thread plus a pool of
 * Web Workers sharing memory with it (`SharedArrayBuffer`).
 *
 * tfjs calls a kernel synchronously, so the calling thread cannot await a worker. Instead a
 * kernel call is written into shared memory for every worker (`./cpu_mailbox.ts`), and the
 * caller works on it too; all threads take chunks of the batch from a shared counter
 * (`Atomics.add`), and the caller waits until every worker has said it is done. No data is
 * copied for tensors that already live in shared memory, which is why the kernels allocate their
 * outputs with {@linkcode newValues}.
 *
 * Results do not depend on the thread count: the batch is cut into chunks of
 * {@linkcode IMAGE_CHUNK} images whatever the number of threads, each chunk is computed by the
 * same code on whichever thread takes it, and reductions over the batch keep one partial sum per
 * chunk, added afterwards in chunk order. A test checks one thread against two, byte for byte.
 *
 * @module
 */

import type { ConvGeometry } from "./conv_geometry.ts";
import type { Epilogue } from "./epilogue.ts";
import { wasmSimdSupported } from "./conv_wasm.ts";
import { takeValues } from "./value_pool.ts";
import {
  MailboxWriter,
  type MailLayer,
  type MailTask,
  serveMailbox,
  type StackLayerFields,
  waitForChange,
} from "./cpu_mailbox.ts";

/** Images per chunk: 30 chunks for the paper's batch of 300, enough to balance two to eight threads. */
export const IMAGE_CHUNK = 10;

/**
 * Below this many multiply-adds a call whose chunks may be cut anyhow runs on the calling thread
 * alone, in as few chunks as fit in cache (see {@linkcode aloneChunkImages}): waking a worker
 * costs tens of microseconds, more than the small layers (4×4 and below) take in one chunk.
 */
const MIN_PARALLEL_WORK = 1 << 18;

/**
 * The same for a call whose chunks are fixed at {@linkcode IMAGE_CHUNK} images (a layer's
 * backward, a filter gradient: their chunks fix the order of their sums). Each chunk costs a few
 * microseconds of calls and copies whatever the layer's size, so the paper's small layers are
 * worth sharing out after all. On two threads (2-core machine, 2026-12-05), the backward calls
 * with 4×4×3 and 2×2×2 outputs took 0.50 and 0.24 ms a step with a floor of 2^18 (all but one
 * of them alone), 0.41 and 0.20 with this one; the 1×1×1 one 0.10 either way. Two two-thread
 * processes, one with this floor and one with 2^18, taking turns for 60 rounds of 10 steps,
 * twice: 30.81 against 31.11 ms and 37.48 against 37.66 ms a step (medians), the rounds'
 * differences' medians −0.31 and −0.39 ms. Below this floor (the paper's 1×1 layer below a
 * batch of 228) a call gains nothing from a worker.
 */
const MIN_PARALLEL_FIXED_WORK = 1 << 12;

/**
 * A kernel's work on images [b0, b1), written into `out`, with the layer's epilogue applied to
 * them when one is given (the forward kernels only).
 */
export type ImageKernel = (
  a: Float32Array,
  b: Float32Array,
  out: Float32Array | Float64Array,
  g: ConvGeometry,
  b0: number,
  b1: number,
  epilogue?: Epilogue,
) => void;

/** The kernels a worker can run, by name (the worker module holds the same table). */
export const IMAGE_KERNEL_NAMES = [
  "conv2d",
  "conv2dBackpropInput",
  "conv2dBackpropFilter",
] as const;
/** One of {@linkcode IMAGE_KERNEL_NAMES}. */
export type ImageKernelName = typeof IMAGE_KERNEL_NAMES[number];

/**
 * Which implementation of the image kernels runs (and of the elementwise kernels that have a
 * WebAssembly twin: the leaky ReLU's gradient with the bias gradient, the squared error's sum and
 * gradient, which give the same bytes either way): WebAssembly with 128-bit SIMD where the
 * runtime has it, else the JavaScript loops. Every thread runs the same one (the task names it),
 * so the bytes never depend on the thread count.
 */
export type ImageKernelImpl = "wasm" | "js";

let impl: ImageKernelImpl | undefined;

/**
 * The image kernels for a runtime with or without WebAssembly SIMD, and the line to print when
 * it has none (a fallback, never an error: the JavaScript kernels give the same results within
 * float32 rounding, only slower).
 */
export function chooseImageKernelImpl(simd: boolean): { impl: ImageKernelImpl; warning?: string } {
  return simd ? { impl: "wasm" } : {
    impl: "js",
    warning:
      "WebAssembly SIMD is not available in this runtime: the cpu convolutions fall back to the slower JavaScript kernels (a newer Deno brings it back)",
  };
}

/**
 * The image kernels in force: `wasm` where WebAssembly SIMD is available (the default), else
 * `js`, with one line on stderr the first time saying why.
 */
export function imageKernelImpl(): ImageKernelImpl {
  if (impl === undefined) {
    const choice = chooseImageKernelImpl(wasmSimdSupported());
    if (choice.warning !== undefined) console.warn(choice.warning);
    impl = choice.impl;
  }
  return impl;
}

/**
 * Chooses the image kernels (tests and the bench compare the two). `wasm` without WebAssembly
 * SIMD is an error.
 */
export function setImageKernelImpl(next: ImageKernelImpl): void {
  if (next === "wasm" && !wasmSimdSupported()) {
    throw new Error(
      "Cannot use the WebAssembly cpu kernels: this runtime has no WebAssembly SIMD; use the JavaScript ones",
    );
  }
  impl = next;
}

/** One kernel call as a worker receives it. */
export interface ImageTask {
  kind: "image";
  kernel: ImageKernelName;
  impl: ImageKernelImpl;
  g: ConvGeometry;
  a: Float32Array;
  b: Float32Array;
  out: Float32Array | Float64Array;
  /** Values of `out` per chunk when each chunk has its own slice (a reduction), else 0. */
  outPerChunk: number;
  /** Bias and leaky ReLU applied to each chunk's output (see `./epilogue.ts`), if any. */
  epilogue?: Epilogue;
  chunks: number;
  /** Images per chunk. */
  chunkImages: number;
  control: Int32Array;
}

/**
 * An elementwise kernel's work on output values [lo, hi): `a`, `b` its operands (as the kernel
 * reads them), `s` a number attribute (a slope), written into `out`.
 */
export type RangeKernel = (
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  s: number,
  lo: number,
  hi: number,
) => void;

/** The elementwise kernels a worker can run, by name (the worker module holds the table). */
export const RANGE_KERNEL_NAMES = [
  "leakyRelu",
  "leakyReluGrad",
  "addPeriodic",
  "squaredErrorGrad",
  "squaredErrorGradWasm",
  "gatherRows",
] as const;
/** One of {@linkcode RANGE_KERNEL_NAMES}. */
export type RangeKernelName = typeof RANGE_KERNEL_NAMES[number];

/** One elementwise call as a worker receives it. */
export interface RangeTask {
  kind: "range";
  kernel: RangeKernelName;
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  s: number;
  /** Values of the output. */
  n: number;
  /** Values per chunk (see {@linkcode rangeChunkValues}). */
  chunkValues: number;
  chunks: number;
  control: Int32Array;
}

/**
 * Values per chunk of a summing call (see {@linkcode sumChunkValues}; it fixes the order of the
 * sums) and the least of an elementwise one (see {@linkcode rangeChunkValues}).
 */
export const RANGE_CHUNK = 1 << 16;

/**
 * An elementwise kernel that also sums what it writes per channel: as {@linkcode RangeKernel}
 * on values [lo, hi) (lo a multiple of the channel count K), and `sums`, this chunk's K float64
 * partial sums, to fill (value i has channel i mod K).
 */
export type RangeSumKernel = (...args: [...Parameters<RangeKernel>, sums: Float64Array]) => void;

/** The summing elementwise kernels a worker can run, by name (the worker module holds the table). */
export const RANGE_SUM_KERNEL_NAMES = [
  "leakyReluGradAndSum",
  "leakyReluGradAndSumWasm",
  "squaredErrorSum",
  "squaredErrorSumWasm",
] as const;
/** One of {@linkcode RANGE_SUM_KERNEL_NAMES}. */
export type RangeSumKernelName = typeof RANGE_SUM_KERNEL_NAMES[number];

/** The name a layer's backward call goes by (see {@linkcode runLayerBackward}). */
export const LAYER_BACKWARD_KERNEL_NAME = "layerBackward";

/** The name a stack call goes by (see {@linkcode runConvStack}). */
export const CONV_STACK_KERNEL_NAME = "convStack";

/** The name a training step call goes by (see {@linkcode runTrainStep}). */
export const TRAIN_STEP_KERNEL_NAME = "trainStep";

/** Every kernel a call may name, in the order the mailbox numbers them. */
export const KERNEL_NAMES: readonly string[] = [
  ...IMAGE_KERNEL_NAMES,
  ...RANGE_KERNEL_NAMES,
  ...RANGE_SUM_KERNEL_NAMES,
  LAYER_BACKWARD_KERNEL_NAME,
  CONV_STACK_KERNEL_NAME,
  TRAIN_STEP_KERNEL_NAME,
];

/**
 * The backward pass of one layer φ(conv(x, w) + bias) (or of a transposed convolution), as
 * `./layer_backward_cpu.ts` runs it chunk by chunk: what every thread needs to run a chunk.
 */
export interface LayerBackwardCall {
  impl: ImageKernelImpl;
  /**
   * The convolution's geometry. For a transposed layer it is the convolution the layer
   * transposes: its input side is the layer's output, its output side the layer's input.
   */
  g: ConvGeometry;
  transposed: boolean;
  /** The leaky ReLU's slope below zero. */
  alpha: number;
  /** Gradient of the layer's output. */
  dy: Float32Array;
  /** The layer's output (after the activation). */
  y: Float32Array;
  /** The layer's input. */
  x: Float32Array;
  /** The filter (HWIO). */
  w: Float32Array;
  /** The input gradient, written image by image; absent when no one asks for it. */
  dx?: Float32Array;
  /** The filter gradient's float64 partial sums, one run of the filter's size per chunk. */
  dw: Float64Array;
  /** The bias gradient's float64 partial sums, one run of the bias's size per chunk. */
  db: Float64Array;
  /** Chunks of {@linkcode IMAGE_CHUNK} images. */
  chunks: number;
}

/**
 * One layer φ(conv(x, w) + bias) of a stack (see {@linkcode ConvStackCall}), its input the
 * previous layer's output.
 */
export type ConvStackLayer = StackLayerFields<boolean>;

/**
 * A run of layers passed chunk by chunk of the batch, all layers on one chunk before the next
 * chunk: forward, each chunk's images through every layer while they are in cache; backward, each
 * chunk's gradient back through every layer. The threads meet once per pass instead of once per
 * layer, and each chunk computes what the layers' own calls compute on its images, so the bytes
 * are theirs (see `./conv_stack_cpu.ts`).
 */
export interface ConvStackCall {
  impl: ImageKernelImpl;
  /** The first layer's input. */
  x: Float32Array;
  /** Backward: the gradient of the last layer's output; absent for the forward pass. */
  dy?: Float32Array;
  layers: ConvStackLayer[];
  /** Chunks of `chunkImages` images (the backward pass's are {@linkcode IMAGE_CHUNK}). */
  chunks: number;
  chunkImages: number;
}

/** Runs chunk `c` of a stack call on this thread (forward or backward, as the call says). */
export type ConvStackChunk = (call: ConvStackCall, c: number) => void;

/**
 * A stack's whole training step under the squared error, as one call (see
 * `./train_step_cpu.ts`): each chunk of {@linkcode IMAGE_CHUNK} images is gathered from the
 * dataset and passed forward, its loss gradient computed and passed backward, and the loss's
 * partial sums taken where it is recorded, as tasks handed out in the order of
 * {@linkcode stepTaskOrder}; a backward or loss task waits for the forward chunks it reads.
 */
export interface TrainStepCall extends ConvStackCall {
  /** The dataset, row (image) after row; in shared memory when workers run. */
  data: Float32Array;
  /** The batch's rows of `data`, as float32 numbers (exact below 2²⁴). */
  rows: Float32Array;
  /** Written: the loss's gradient for the last layer's output. */
  dy: Float32Array;
  /** The gradient's factor c: float32(float32(y − x) · c) value by value. */
  factor: number;
  /** Written where the loss is recorded: its float64 partial sums, one per loss chunk. */
  lossPartials?: Float64Array;
  /** Values per loss chunk (`sumChunkValues(1)`, as the squared error's own kernel). */
  lossChunkValues: number;
  /** The tasks in hand-out order (see {@linkcode stepTaskOrder}). */
  order: Int32Array;
  /** The control words, whose step flags say which forward chunks are done. */
  flags: Int32Array;
}

/** Runs task `i` (in hand-out order) of a training step call on this thread. */
export type TrainStepTask = (call: TrainStepCall, i: number) => void;

/** Runs chunk `c` (images [c·IMAGE_CHUNK, …)) of a layer's backward call on this thread. */
export type LayerBackwardChunk = (call: LayerBackwardCall, c: number) => void;

/** One summing elementwise call as a worker receives it. */
export interface RangeSumTask {
  kind: "rangeSum";
  kernel: RangeSumKernelName;
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  s: number;
  /** Values of the output. */
  n: number;
  /** Values per chunk: a multiple of K (see {@linkcode sumChunkValues}). */
  chunkValues: number;
  /** K partial sums per chunk, chunk after chunk. */
  partials: Float64Array;
  chunks: number;
  control: Int32Array;
}

/**
 * Values per chunk of a summing call over K channels: whole rows of K, about
 * {@linkcode RANGE_CHUNK} of them. The chunks, and so the order of the sums, depend on the
 * shape only, never on the thread count.
 */
export function sumChunkValues(K: number): number {
  return K * Math.max(1, Math.floor(RANGE_CHUNK / K));
}

/** Chunks of a summing call over `n` values in K channels (see {@linkcode sumChunkValues}). */
export function sumChunkCount(n: number, K: number): number {
  return Math.max(1, Math.ceil(n / sumChunkValues(K)));
}

/** Below this many values an elementwise call runs on the calling thread alone. */
const MIN_PARALLEL_VALUES = 1 << 18;

/** How long the caller watches for its workers to finish before it sleeps, in ms. */
const WAIT_SPIN_MS = 0.5;

/**
 * Control words: next chunk to take, workers still busy, an error flag, then one flag per image
 * chunk of a training step call, set once its forward task is done.
 */
const NEXT = 0, BUSY = 1, FAILED = 2, STEP_FLAGS = 3;

/** Image chunks a training step call can flag: batches of up to 10,240 images. */
export const MAX_STEP_CHUNKS = 1024;

/** The control block's words. */
const CONTROL_WORDS = STEP_FLAGS + MAX_STEP_CHUNKS;

/** The worker module. */
const WORKER_URL = new URL("./cpu_thread_worker.ts", import.meta.url).href;

/** The worker pool: empty means one thread (the caller). */
let workers: Worker[] = [];
let control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
/** Where calls are written for the workers (see `./cpu_mailbox.ts`), while they run. */
let mailbox: MailboxWriter | undefined;

/** What a worker is sent once it has loaded: where to find its calls. */
export interface WorkerStart {
  start: import("./cpu_mailbox.ts").MailboxStart;
  control: Int32Array;
}

/** Number of threads the cpu kernels use now (the caller plus its workers). */
export function cpuThreads(): number {
  return workers.length + 1;
}

/**
 * Sets the number of threads of the cpu kernels: 1 runs everything on the calling thread; n > 1
 * starts n − 1 workers and resolves once each has loaded its kernels. Idempotent. Workers that
 * cannot start leave one thread, with a warning (results do not depend on the count).
 * `workerUrl` is the worker module (tests point it elsewhere).
 */
export async function setCpuThreads(n: number, workerUrl = WORKER_URL): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`Cannot use ${n} cpu threads: expected an integer from 1 to 256`);
  }
  if (n === cpuThreads()) return;
  stopCpuThreads();
  control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const started = Array.from({ length: n - 1 }, () => {
    const w = new Worker(workerUrl, { type: "module" });
    const ready = new Promise<void>((resolve, reject) => {
      w.onmessage = (e: MessageEvent) => {
        if (e.data === "ready") resolve();
        else {reject(
            new Error(`Cannot start a cpu kernel thread: it said ${JSON.stringify(e.data)}`),
          );}
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new Error(`Cannot start a cpu kernel thread: ${e.message}`));
      };
    });
    return { w, ready };
  });
  workers = started.map((s) => s.w);
  try {
    await Promise.all(started.map((s) => s.ready));
    mailbox = new MailboxWriter(KERNEL_NAMES);
    for (const w of workers) {
      const start = mailbox.connect();
      w.postMessage({ start, control } satisfies WorkerStart, [start.port]);
    }
  } catch (e) {
    // One thread gives the same bytes, only slower: say so and go on (a bundled entry, for
    // one, has no worker script beside it).
    stopCpuThreads();
    console.warn(`${(e as Error).message}; the cpu kernels go on with one thread`);
  }
}

/** Terminates the workers; the kernels go on with the calling thread alone. */
export function stopCpuThreads(): void {
  mailbox?.stop();
  mailbox = undefined;
  for (const w of workers) w.terminate();
  workers = [];
}

/** Number of chunks a batch of `batch` images is cut into. */
export function imageChunkCount(batch: number): number {
  return Math.max(1, Math.ceil(batch / IMAGE_CHUNK));
}

/**
 * A zeroed float32 array, in shared memory when workers may write it: recycled from a disposed
 * tensor where possible (see `./value_pool.ts`).
 */
export function newValues(n: number): Float32Array {
  return takeValues(n, workers.length > 0);
}

/**
 * `values` where the kernel threads can read them: a copy in shared memory while more than one
 * thread runs (for data kept as a tensor for a whole training, such as the images a batch is
 * gathered from), else `values` itself.
 */
export function valuesForThreads(values: Float32Array): Float32Array {
  if (workers.length === 0 || values.buffer instanceof SharedArrayBuffer) return values;
  const shared = new Float32Array(new SharedArrayBuffer(values.byteLength));
  shared.set(values);
  return shared;
}

/**
 * An output array for a kernel that writes every one of its `n` values: `out` when the caller
 * gives one (checked to hold n values), else as {@linkcode newValues} but not zeroed first when
 * recycled (its old values are all overwritten).
 */
export function newValuesToOverwrite(n: number, out?: Float32Array): Float32Array {
  if (out === undefined) return takeValues(n, workers.length > 0, false);
  if (out.length !== n) {
    throw new Error(`Cannot write a kernel's ${n} output values into an array of ${out.length}`);
  }
  return out;
}

/**
 * The output array of a convolution kernel's `n` values: `out` when the caller gives one
 * (checked), else a new one, zeroed only where the JavaScript kernels run (the input gradient
 * adds into its output; the WebAssembly kernels copy each chunk's whole output into place).
 */
export function convOutput(n: number, out?: Float32Array): Float32Array {
  return out !== undefined || imageKernelImpl() === "wasm"
    ? newValuesToOverwrite(n, out)
    : newValues(n);
}

/**
 * Shared accumulator arrays given back, by length: a fresh `SharedArrayBuffer` per call cost a
 * system call and page faults on the calling thread, and the garbage collector frees shared
 * memory late (a training grew by about 0.1 MB per update).
 */
const freeAccumulators = new Map<number, Float64Array[]>();
/** At most this many given-back arrays of one length wait (a step uses a handful). */
const MAX_FREE_ACCUMULATORS = 8;

/** A zeroed float64 array, in shared memory when workers may write it. */
export function newAccumulators(n: number): Float64Array {
  if (workers.length === 0) return new Float64Array(n);
  const reused = freeAccumulators.get(n)?.pop();
  if (reused !== undefined) return reused.fill(0);
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

/**
 * Gives back an array from {@linkcode newAccumulators} once the kernel that filled it has read
 * it (the threads are done with it when their task has returned); reused zeroed.
 */
export function giveBackAccumulators(a: Float64Array): void {
  if (!(a.buffer instanceof SharedArrayBuffer)) return;
  const list = freeAccumulators.get(a.length) ?? [];
  if (list.length >= MAX_FREE_ACCUMULATORS || list.includes(a)) return;
  list.push(a);
  freeAccumulators.set(a.length, list);
}

/**
 * The sum of `chunks` runs of `size` values of `partial`, added in chunk order (float64): how
 * every reduction over chunks ends, so its order does not depend on the thread count. A function
 * of its own so that nothing follows its long loop but a return: V8 compiles such a loop while it
 * runs, and calls after it that had never run made that code give up at the end of every call
 * (38 times in a few DCGAN iterations; see `./prime_kernel.ts`).
 */
export function chunkSumsInOrder(
  partial: Float64Array,
  chunks: number,
  size: number,
): Float64Array {
  const acc = new Float64Array(size);
  for (let c = 0; c < chunks; c++) {
    const base = c * size;
    for (let i = 0; i < size; i++) acc[i] += partial[base + i];
  }
  return acc;
}

/**
 * Whether a convolution's call over the batch of `g` goes to the workers: there are some, the
 * batch has more than one chunk of {@linkcode IMAGE_CHUNK} images, and the call has at least
 * {@linkcode MIN_PARALLEL_WORK} multiply-adds, or {@linkcode MIN_PARALLEL_FIXED_WORK} when its
 * chunks are fixed (`fixedChunks`: a layer's backward, a filter gradient).
 */
export function sharesOut(g: ConvGeometry, fixedChunks: boolean): boolean {
  const work = g.batch * Math.max(g.outHeight * g.outWidth * g.outChannels, 1) *
    g.filterHeight * g.filterWidth * g.inChannels;
  return workers.length > 0 && imageChunkCount(g.batch) > 1 &&
    work >= (fixedChunks ? MIN_PARALLEL_FIXED_WORK : MIN_PARALLEL_WORK);
}

/** Runs chunk `c` of a task on this thread. */
function runChunk(
  kernel: ImageKernel,
  t: Omit<ImageTask, "control" | "kernel" | "impl" | "kind">,
  c: number,
) {
  const b0 = c * t.chunkImages;
  const b1 = Math.min(t.g.batch, b0 + t.chunkImages);
  const out = t.outPerChunk > 0
    ? t.out.subarray(c * t.outPerChunk, (c + 1) * t.outPerChunk)
    : t.out;
  kernel(t.a, t.b, out, t.g, b0, b1, t.epilogue);
}

/**
 * Runs `kernel` (registered in the worker module as `name`) over every chunk of the batch of
 * `g`: on the calling thread alone for small calls or one thread, else on all threads. `out`
 * must come from {@linkcode newValues} / {@linkcode newAccumulators}; with `outPerChunk` > 0,
 * chunk c writes `out[c·outPerChunk, (c + 1)·outPerChunk)`. A forward kernel applies `epilogue`
 * to each chunk it writes.
 */
export function runImageChunks(
  kernel: ImageKernel,
  name: ImageKernelName,
  impl: ImageKernelImpl,
  g: ConvGeometry,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array | Float64Array,
  outPerChunk = 0,
  epilogue?: Epilogue,
): void {
  if (!sharesOut(g, outPerChunk > 0)) {
    // On one thread a kernel that writes each image's values alone takes as many images per
    // chunk as fit in cache: each chunk costs a few microseconds of calls and copies, which were
    // most of the time of the small layers (30 chunks of a 2×2 layer: 37 µs, one chunk: 5 µs).
    const chunkImages = outPerChunk > 0 ? IMAGE_CHUNK : aloneChunkImages(g);
    const n = Math.ceil(g.batch / chunkImages);
    const t = { g, a, b, out, outPerChunk, epilogue, chunks: n, chunkImages };
    for (let c = 0; c < n; c++) runChunk(kernel, t, c);
    return;
  }
  // A reduction keeps its chunks, which fix its summation order; any cut of the others gives
  // the same bytes (see sharedChunkImages).
  const chunkImages = outPerChunk > 0 ? IMAGE_CHUNK : sharedChunkImages(g, cpuThreads());
  if (!(out.buffer instanceof SharedArrayBuffer)) {
    throw new Error(
      `Cannot run kernel "${name}" on ${cpuThreads()} threads: its output is not in shared memory; allocate it with newValues()`,
    );
  }
  const task: ImageTask = {
    kind: "image",
    kernel: name,
    impl,
    g,
    a,
    b,
    out,
    outPerChunk,
    epilogue,
    chunks: Math.ceil(g.batch / chunkImages),
    chunkImages,
    control,
  };
  shareOut(task, name, task.chunks, (c) => runChunk(kernel, task, c));
}

/** Values of a chunk's input, output and patch matrix that stay in cache together (512 KB). */
const CHUNK_CACHE_VALUES = 1 << 17;

/**
 * Images per chunk of a call on the calling thread alone whose chunks write disjoint images: at
 * least {@linkcode IMAGE_CHUNK}, more while a chunk's input, output and patches (one row of
 * taps per output pixel) fit in {@linkcode CHUNK_CACHE_VALUES}. Any cut gives the same bytes.
 */
export function aloneChunkImages(g: ConvGeometry): number {
  return Math.min(Math.max(g.batch, 1), Math.max(IMAGE_CHUNK, cacheFitImages(g)));
}

/** Images of `g` whose input, output and patches fit in {@linkcode CHUNK_CACHE_VALUES}. */
function cacheFitImages(g: ConvGeometry): number {
  const pixels = g.outHeight * g.outWidth;
  const perImage = g.inHeight * g.inWidth * g.inChannels + pixels * g.outChannels +
    pixels * g.filterHeight * g.filterWidth * g.inChannels;
  return Math.floor(CHUNK_CACHE_VALUES / Math.max(1, perImage));
}

/**
 * Images per chunk of a call shared out over `threads` threads whose chunks write disjoint
 * images: as many as fit in cache, at least half of {@linkcode IMAGE_CHUNK} (the paper's two
 * big layers take 6 and 5, so that the threads end close together) and at most a quarter of
 * each thread's share. A chunk costs a few microseconds of calls and copies, most of the time of
 * a 5-image chunk of a 16×16 layer: with 36 or 38 images a chunk on two threads, the eight
 * calls a step of the paper's 8×8 and 16×16 layers took 0.03–0.08 ms less each (0.20 → 0.16 ms,
 * 0.44 → 0.39, …; 0.4 ms a step). Any cut gives the same bytes.
 */
export function sharedChunkImages(g: ConvGeometry, threads: number): number {
  const half = Math.ceil(IMAGE_CHUNK / 2);
  const quarterShare = Math.ceil(g.batch / (4 * Math.max(1, threads)));
  return Math.max(half, Math.min(cacheFitImages(g), quarterShare));
}

/**
 * Posts `task` to every worker, takes its chunks on this thread too (`runOne(c)`) until none
 * are left, then waits for the workers and throws if one of them failed.
 */
function shareOut(
  task: MailTask,
  name: string,
  chunks: number,
  runOne: (c: number) => void,
): void {
  Atomics.store(control, NEXT, 0);
  Atomics.store(control, BUSY, workers.length);
  Atomics.store(control, FAILED, 0);
  mailbox!.post(task);
  try {
    for (let c = Atomics.add(control, NEXT, 1); c < chunks; c = Atomics.add(control, NEXT, 1)) {
      runOne(c);
    }
  } finally {
    // Even when this thread's chunk threw: no chunk is left for the workers, and none is still
    // running once this returns, since the next call reuses the control words and the arrays.
    Atomics.store(control, NEXT, chunks);
    waitForWorkers();
  }
  if (Atomics.load(control, FAILED) !== 0) {
    throw new Error(
      `Cannot run kernel "${name}": a cpu kernel thread failed (its error is printed above); rerun with --set threads=1 to run on one thread`,
    );
  }
}

/** Returns once every worker has said it is done with the current call. */
function waitForWorkers(): void {
  // The workers' last chunks end within a chunk's time: watch for that before sleeping.
  for (let busy = Atomics.load(control, BUSY); busy !== 0;) {
    busy = waitForChange(control, BUSY, busy, WAIT_SPIN_MS);
  }
}

/**
 * Runs the elementwise `kernel` (registered in the worker module as `name`) over the `n` output
 * values in chunks of {@linkcode RANGE_CHUNK}: on the calling thread alone for small calls or
 * one thread, else on all threads. Each value depends on its own inputs only, so any split
 * gives the same bytes. `out` must come from {@linkcode newValues}.
 */
export function runRanges(
  kernel: RangeKernel,
  name: RangeKernelName,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  s: number,
  n: number,
): void {
  if (workers.length === 0 || n < MIN_PARALLEL_VALUES) {
    kernel(a, b, out, s, 0, n);
    return;
  }
  if (!(out.buffer instanceof SharedArrayBuffer)) {
    throw new Error(
      `Cannot run kernel "${name}" on ${cpuThreads()} threads: its output is not in shared memory; allocate it with newValues()`,
    );
  }
  const chunkValues = rangeChunkValues(n, cpuThreads());
  const task: RangeTask = {
    kind: "range",
    kernel: name,
    a,
    b,
    out,
    s,
    n,
    chunkValues,
    chunks: Math.ceil(n / chunkValues),
    control,
  };
  shareOut(task, name, task.chunks, (c) => runRangeChunk(kernel, task, c));
}

/**
 * Values per chunk of an elementwise call shared out over `threads` threads: two chunks per
 * thread, at least {@linkcode RANGE_CHUNK}, a multiple of 16. Why so few: the same loop ran at
 * half its speed in calls of 65,536 values (the squared error's gradient over the paper's batch,
 * 1.2 M values, on two threads: 1.47 ms in 19 chunks, 0.80 ms in 4; 1.2 ms in one call on one
 * thread), and two per thread still let one thread take the other's second chunk when it starts
 * late. Each value depends on its own inputs only: any cut gives the same bytes.
 */
export function rangeChunkValues(n: number, threads: number): number {
  const perChunk = Math.ceil(n / (2 * Math.max(1, threads)));
  return Math.max(RANGE_CHUNK, Math.ceil(perChunk / 16) * 16);
}

/** Runs chunk `c` of an elementwise call on this thread (the caller's and the workers' code). */
function runRangeChunk(
  kernel: RangeKernel,
  t: Pick<RangeTask, "a" | "b" | "out" | "s" | "n" | "chunkValues">,
  c: number,
): void {
  kernel(t.a, t.b, t.out, t.s, c * t.chunkValues, Math.min(t.n, (c + 1) * t.chunkValues));
}

/**
 * Runs chunk `c` of a summing call on this thread (the caller's and the workers' code): its
 * values into `out`, its K sums into its own K partials.
 */
function runRangeSumChunk(
  kernel: RangeSumKernel,
  t: Pick<RangeSumTask, "a" | "b" | "out" | "s" | "n" | "chunkValues" | "partials" | "chunks">,
  c: number,
): void {
  const K = t.partials.length / t.chunks, cv = t.chunkValues;
  const sums = t.partials.subarray(c * K, (c + 1) * K);
  kernel(t.a, t.b, t.out, t.s, c * cv, Math.min(t.n, (c + 1) * cv), sums);
}

/**
 * Runs the summing elementwise `kernel` (registered in the worker module as `name`) over the `n`
 * values of `out` in chunks of {@linkcode sumChunkValues}(K), each chunk filling its own K
 * float64 partial sums; returns the K sums, each the chunks' partial sums added in chunk order
 * (float64). On the calling thread alone for small calls or one thread, else on all threads:
 * the same chunks and the same order either way. `out` must come from {@linkcode newValues} to
 * be written on several threads.
 */
export function runRangeSums(
  kernel: RangeSumKernel,
  name: RangeSumKernelName,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  s: number,
  n: number,
  K: number,
): Float64Array {
  if (!Number.isInteger(K) || K < 1 || n % K !== 0) {
    throw new Error(`Cannot run kernel "${name}": ${n} values do not split into ${K} channels`);
  }
  const chunkValues = sumChunkValues(K);
  const chunks = sumChunkCount(n, K);
  // An output outside shared memory keeps the call on this thread (same chunks, same bytes).
  const parallel = workers.length > 0 && n >= MIN_PARALLEL_VALUES &&
    out.buffer instanceof SharedArrayBuffer;
  const partials = parallel ? newAccumulators(chunks * K) : new Float64Array(chunks * K);
  const task: RangeSumTask = {
    kind: "rangeSum",
    kernel: name,
    a,
    b,
    out,
    s,
    n,
    chunkValues,
    partials,
    chunks,
    control,
  };
  if (!parallel) {
    for (let c = 0; c < chunks; c++) runRangeSumChunk(kernel, task, c);
  } else shareOut(task, name, chunks, (c) => runRangeSumChunk(kernel, task, c));
  const sums = chunkSumsInOrder(partials, chunks, K);
  if (parallel) giveBackAccumulators(partials);
  return sums;
}

/**
 * Runs a layer's backward call (see {@linkcode LayerBackwardCall}) chunk by chunk with `chunk`:
 * on the calling thread alone for small calls or one thread, else on all threads. The chunks are
 * {@linkcode IMAGE_CHUNK} images whatever the thread count, and each writes its own images of dx
 * and its own partial sums, so the bytes never depend on it. Outputs must be in shared memory
 * ({@linkcode newValues}, {@linkcode newAccumulators}) to run on several threads.
 */
export function runLayerBackward(chunk: LayerBackwardChunk, call: LayerBackwardCall): void {
  const g = call.g;
  if (!sharesOut(g, true)) {
    for (let c = 0; c < call.chunks; c++) chunk(call, c);
    return;
  }
  for (const [what, arr] of [["dx", call.dx], ["dw", call.dw], ["db", call.db]] as const) {
    if (arr !== undefined && !(arr.buffer instanceof SharedArrayBuffer)) {
      throw new Error(
        `Cannot run kernel "${LAYER_BACKWARD_KERNEL_NAME}" on ${cpuThreads()} threads: its ${what} array is not in shared memory; allocate it with newValues() or newAccumulators()`,
      );
    }
  }
  const mail: MailTask = {
    kind: "layerBackward",
    kernel: LAYER_BACKWARD_KERNEL_NAME,
    impl: call.impl,
    g,
    a: call.dy,
    b: call.y,
    c: call.x,
    d: call.w,
    out: call.dx,
    partials: call.dw,
    sums: call.db,
    s: call.alpha,
    transposed: call.transposed ? 1 : 0,
    chunks: call.chunks,
  };
  shareOut(mail, LAYER_BACKWARD_KERNEL_NAME, call.chunks, (c) => chunk(call, c));
}

/**
 * Runs a stack call (see {@linkcode ConvStackCall}) chunk by chunk with `chunk`: on the calling
 * thread alone with one thread, else on all threads. Each chunk writes its own images of every
 * output and its own partial sums, so the bytes never depend on the thread count. Outputs must be
 * in shared memory ({@linkcode newValues}, {@linkcode newAccumulators}) to run on several threads.
 */
export function runConvStack(chunk: ConvStackChunk, call: ConvStackCall): void {
  if (workers.length === 0 || call.chunks < 2) {
    for (let c = 0; c < call.chunks; c++) chunk(call, c);
    return;
  }
  const mail: MailTask = {
    kind: "stack",
    kernel: CONV_STACK_KERNEL_NAME,
    impl: call.impl,
    a: call.x,
    b: call.dy ?? call.x,
    s: call.dy === undefined ? 0 : 1,
    chunks: call.chunks,
    chunkImages: call.chunkImages,
    layers: mailLayers(call.layers),
  };
  shareOut(mail, CONV_STACK_KERNEL_NAME, call.chunks, (c) => chunk(call, c));
}

/** A stack call's layers as the mailbox carries them (whether transposed as 1 or 0). */
function mailLayers(layers: ConvStackLayer[]): MailLayer[] {
  return layers.map((l) => ({ ...l, transposed: l.transposed ? 1 : 0 }));
}

/** The layers of the stack call a worker reads from `task` (see {@linkcode mailLayers}). */
function stackLayersOf(task: MailTask): ConvStackLayer[] {
  return (task.layers ?? []).map((l) => ({ ...l, transposed: l.transposed === 1 }));
}

/** The worker side of {@linkcode runConvStack}. */
export function workOnConvStack(task: MailTask, control: Int32Array, chunk: ConvStackChunk): void {
  const call: ConvStackCall = {
    impl: task.impl === "js" ? "js" : "wasm",
    x: task.a,
    dy: task.s === 1 ? task.b : undefined,
    layers: stackLayersOf(task),
    chunks: task.chunks,
    chunkImages: task.chunkImages!,
  };
  workOnChunks(control, call.chunks, (c) => chunk(call, c));
}

/**
 * The order in which a training step's tasks are handed out, as task numbers: 0…C−1 the forward
 * chunks, C…2C−1 the backward ones, 2C… the loss's sums. The first `lag` forward chunks, then
 * backward and forward chunks in turn (backward chunk c after forward chunk c + lag − 1), then
 * the loss. With `lag` at least the thread count, a thread that takes backward chunk c rarely
 * finds its forward chunk still running; the loss's small tasks come last, where they even out
 * the threads' ends. The order changes no byte: each task writes its own images and its own
 * partial sums.
 */
export function stepTaskOrder(chunks: number, lag: number, lossChunks: number): Int32Array {
  const order = new Int32Array(2 * chunks + lossChunks);
  let i = 0, f = 0;
  for (; f < Math.min(Math.max(1, lag), chunks); f++) order[i++] = f;
  for (let b = 0; b < chunks; b++) {
    order[i++] = chunks + b;
    if (f < chunks) order[i++] = f++;
  }
  for (let k = 0; k < lossChunks; k++) order[i++] = 2 * chunks + k;
  return order;
}

/**
 * Forward chunks a training step hands out ahead of the backward ones on `threads` threads: on
 * one, a lag of 1 (each chunk's backward right after its forward, while its activations are in
 * cache); on more, twice the threads, so that a backward chunk's forward is almost always done
 * when it is taken. Paper's autoencoder, 2-core machine, 2026-12-05, one process switching every
 * 10 steps (medians of the rounds' differences): one thread, lag 1 against every forward first
 * −0.43 ms a step (faster in 8 of 12 rounds), against lag 2 −0.82 (7 of 12, a slowed core); two
 * threads, lag 4 against 2 −0.51 and −0.23 (21 of 30, 24 of 40), 8 against 4 −0.40 (18 of 30),
 * every forward first against 2 +0.06 (15 of 30).
 */
export function stepLag(threads: number): number {
  return threads === 1 ? 1 : 2 * threads;
}

/** Says that the forward task of image chunk `c` of a training step call is done. */
export function markStepChunkDone(flags: Int32Array, c: number): void {
  Atomics.store(flags, STEP_FLAGS + c, 1);
  Atomics.notify(flags, STEP_FLAGS + c);
}

/**
 * Returns once the forward task of image chunk `c` of a training step call is done; throws
 * when another thread of the call failed (its chunk will never be done).
 */
export function awaitStepChunk(flags: Int32Array, c: number): void {
  for (let i = 1; Atomics.load(flags, STEP_FLAGS + c) === 0; i++) {
    if (Atomics.load(flags, FAILED) !== 0) {
      throw new Error(
        `Cannot run a training step's chunk ${c}: another cpu kernel thread failed`,
      );
    }
    // A forward chunk takes about a millisecond: watch for a while, then sleep in steps.
    if ((i & 1023) === 0) Atomics.wait(flags, STEP_FLAGS + c, 0, 1);
  }
}

/**
 * Runs a training step call (see {@linkcode TrainStepCall}) with `task`: on the calling thread
 * alone with one thread or one chunk (forward and backward chunks in turn), else on all threads.
 * Each task writes its own images of every output and its own partial sums, so the bytes never
 * depend on the thread count or the order. Outputs must be in shared memory to run on several
 * threads, and so must `data`.
 */
export function runTrainStep(
  task: TrainStepTask,
  step: Omit<TrainStepCall, "flags" | "order">,
): void {
  if (step.chunks > MAX_STEP_CHUNKS) {
    throw new Error(
      `Cannot run a training step of ${step.chunks} chunks: at most ${MAX_STEP_CHUNKS}; use a smaller batch`,
    );
  }
  const lag = stepLag(workers.length + 1);
  const order = stepTaskOrder(step.chunks, lag, step.lossPartials?.length ?? 0);
  const call: TrainStepCall = { ...step, flags: control, order };
  control.fill(0, STEP_FLAGS, STEP_FLAGS + call.chunks);
  const tasks = order.length;
  // One chunk (a batch of 10 images or fewer, as the quick profile's): its backward waits for its
  // forward, so a worker could only wait, at the cost of its wake-up.
  if (workers.length === 0 || call.chunks < 2) {
    for (let i = 0; i < tasks; i++) task(call, i);
    return;
  }
  const mail: MailTask = {
    kind: "step",
    kernel: TRAIN_STEP_KERNEL_NAME,
    impl: call.impl,
    a: call.data,
    b: call.rows,
    out: call.x,
    grad: call.dy,
    partials: call.lossPartials,
    s: call.factor,
    n: lag,
    chunks: call.chunks,
    chunkImages: call.chunkImages,
    chunkValues: call.lossChunkValues,
    layers: mailLayers(call.layers),
  };
  shareOut(mail, TRAIN_STEP_KERNEL_NAME, tasks, (i) => {
    try {
      task(call, i);
    } catch (e) {
      // The workers may be waiting for this thread's forward chunk: tell them it never comes.
      Atomics.store(control, FAILED, 1);
      throw e;
    }
  });
}

/** The worker side of {@linkcode runTrainStep}. */
export function workOnTrainStep(task: MailTask, control: Int32Array, run: TrainStepTask): void {
  const call: TrainStepCall = {
    impl: task.impl === "js" ? "js" : "wasm",
    data: task.a,
    rows: task.b,
    x: task.out as Float32Array,
    dy: task.grad!,
    factor: task.s!,
    lossPartials: task.partials,
    lossChunkValues: task.chunkValues!,
    order: stepTaskOrder(task.chunks, task.n!, task.partials?.length ?? 0),
    flags: control,
    layers: stackLayersOf(task),
    chunks: task.chunks,
    chunkImages: task.chunkImages!,
  };
  workOnChunks(control, call.order.length, (i) => run(call, i));
}

/** The call a worker reads from `task` (see {@linkcode runLayerBackward}, which wrote it). */
function layerBackwardCallOf(task: MailTask): LayerBackwardCall {
  return {
    impl: task.impl === "js" ? "js" : "wasm",
    g: task.g!,
    transposed: task.transposed === 1,
    alpha: task.s!,
    dy: task.a,
    y: task.b,
    x: task.c!,
    w: task.d!,
    dx: task.out as Float32Array | undefined,
    dw: task.partials!,
    db: task.sums!,
    chunks: task.chunks,
  };
}

/** The worker side of {@linkcode runLayerBackward}. */
export function workOnLayerBackward(
  task: MailTask,
  control: Int32Array,
  chunk: LayerBackwardChunk,
): void {
  const call = layerBackwardCallOf(task);
  workOnChunks(control, call.chunks, (c) => chunk(call, c));
}

/**
 * A worker's error during a call: printed and flagged for the caller, who throws (thrown on,
 * it would end the worker and leave the caller waiting).
 */
function flagError(ctl: Int32Array, e: unknown): void {
  console.error(e instanceof Error ? e.stack : String(e));
  Atomics.store(ctl, FAILED, 1);
}

/** Whether this worker has said it is done with its current call (see {@linkcode serveCpuThread}). */
let doneSaid = false;

/** A worker's word that it is done with the call. */
function sayDone(ctl: Int32Array): void {
  doneSaid = true;
  Atomics.sub(ctl, BUSY, 1);
  Atomics.notify(ctl, BUSY);
}

/** The worker side of a call it could not even read: flagged, and done. */
function failCall(ctl: Int32Array, e: unknown): void {
  flagError(ctl, e);
  sayDone(ctl);
}

/**
 * A worker's part of one call, as the worker module reads it from the mailbox: one of the
 * `workOn…` functions, which end in `workOnChunks`.
 */
export type ServeTask = (task: MailTask, control: Int32Array) => void;

/**
 * A cpu kernel thread's loop, for the worker module once it has its {@linkcode WorkerStart}:
 * serves each call with `serve` until the pool stops (it blocks the thread).
 *
 * An error thrown before `workOnChunks` has said this thread is done (while a call's layers or
 * its task order are read, say) is flagged, and the thread says it is done, as for an error in a
 * chunk: thrown on, it would end this loop, and the calling thread would wait for its word
 * forever.
 */
export function serveCpuThread(start: WorkerStart, serve: ServeTask): void {
  const { control } = start;
  serveMailbox(start.start, KERNEL_NAMES, (task) => {
    doneSaid = false;
    try {
      serve(task, control);
    } catch (e) {
      // Said done already (no work is left after workOnChunks): the caller may have returned
      // before the flag, but the error is printed.
      if (doneSaid) flagError(control, e);
      else failCall(control, e);
    }
  }, (error) => failCall(control, error));
}

/**
 * A worker's part of a call: takes chunks from the shared counter and runs `run(c)` on each until
 * none are left, then says it is done; an error is flagged for the caller instead of thrown.
 */
function workOnChunks(ctl: Int32Array, chunks: number, run: (c: number) => void): void {
  try {
    for (let c = Atomics.add(ctl, NEXT, 1); c < chunks; c = Atomics.add(ctl, NEXT, 1)) run(c);
  } catch (e) {
    flagError(ctl, e);
  } finally {
    sayDone(ctl);
  }
}

/** The worker side of {@linkcode runRangeSums}. */
export function workOnRangeSums(
  task: RangeSumTask,
  kernels: Record<RangeSumKernelName, RangeSumKernel>,
): void {
  const kernel = kernels[task.kernel];
  workOnChunks(task.control, task.chunks, (c) => runRangeSumChunk(kernel, task, c));
}

/** The worker side of {@linkcode runRanges}. */
export function workOnRanges(task: RangeTask, kernels: Record<RangeKernelName, RangeKernel>): void {
  const kernel = kernels[task.kernel];
  workOnChunks(task.control, task.chunks, (c) => runRangeChunk(kernel, task, c));
}

/**
 * The worker side of {@linkcode runImageChunks}. Used by the worker module with its own kernel
 * table.
 */
export function workOnTask(
  task: ImageTask,
  kernels: Record<ImageKernelImpl, Record<ImageKernelName, ImageKernel>>,
): void {
  const kernel = kernels[task.impl]?.[task.kernel];
  workOnChunks(task.control, task.chunks, (c) => {
    if (kernel === undefined) throw new Error(`No cpu kernel "${task.impl}/${task.kernel}"`);
    runChunk(kernel, task, c);
  });
}

/**
 * Share of one-thread time a training step takes on `threads` cpu threads, as if 90% of a step
 * divided over the threads and the rest did not (the loss of the threads' own overheads counted
 * in the 10%). Measured with `deno task bench --thread-scaling 12 --threads 2 --repeats 20 --pin`
 * at batch 300 on the 2-core development machine at c597c88 (2026-12-05): 55.6 and 54.6 ms on one
 * thread (the mean core), 29.8 and 30.6 on two (0.54 and 0.56 of one thread's time; 0.57 with
 * 68.1 and 38.9 ms on 2026-12-04).
 */
export function cpuThreadShare(threads: number): number {
  return 0.1 + 0.9 / Math.max(1, threads);
}
