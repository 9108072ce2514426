/**
 * Kernel calls handed from the calling thread to the cpu kernel threads through shared memory,
 * without a message per call.
 *
 * A `postMessage` per call cost the caller about 35 µs (the task's structured clone) and the
 * worker about 100 µs before it took its first chunk (the event loop's wake-up and the clone's
 * copy), by which time the caller had taken more than its share of the chunks. Here the caller
 * writes the call into one shared block, the mailbox, and bumps its sequence number; a worker
 * watches that number, spinning for a short while after each call (the kernels of a backward pass
 * follow each other within tens of microseconds) and then sleeping in `Atomics.wait`.
 *
 * A call names its arrays by place: an array in shared memory by its buffer's number, its byte
 * offset and its length; a small array elsewhere (a filter, a bias) by its values, copied into
 * the mailbox. Buffers get their number the first time a call uses them and travel to the
 * workers once, in a message on a `MessagePort` that each worker reads synchronously
 * (`receiveMessageOnPort`) before the call that needs them; buffers the caller has dropped are
 * forgotten by the workers in the same way, so that they can be freed.
 *
 * @module
 */

import { type MessagePort as NodePort, receiveMessageOnPort } from "node:worker_threads";
import type { ConvGeometry } from "./conv_geometry.ts";
import { adoptTensorMemory, tensorMemoryOf } from "./tensor_memory.ts";

/**
 * One layer of a stack call (see `runConvStack` in `./cpu_threads.ts`), whether it is transposed
 * held as a `Transposed` (a boolean there, 1 or 0 in the call's words).
 */
export interface StackLayerFields<Transposed> {
  /** As a layer's backward call's: for a transposed layer, the convolution it transposes. */
  g: ConvGeometry;
  transposed: Transposed;
  /** The leaky ReLU's slope below zero. */
  alpha: number;
  /** The filter (HWIO). */
  w: Float32Array;
  /** The bias. */
  bias: Float32Array;
  /** The layer's output over the whole batch: written by the forward pass, read by the backward. */
  y: Float32Array;
  /** Backward: the layer's input gradient (absent for the first layer when no one asks for it). */
  dx?: Float32Array;
  /** Backward: the filter gradient's float64 partial sums, one run of the filter's size per chunk. */
  dw?: Float64Array;
  /** Backward: the bias gradient's float64 partial sums, one run of the bias's size per chunk. */
  db?: Float64Array;
}

/** A stack layer as the mailbox carries it. */
export type MailLayer = StackLayerFields<number>;

/** Whatever a worker needs to run its part of one call (the task types of `./cpu_threads.ts`). */
export interface MailTask {
  kind: "image" | "range" | "rangeSum" | "layerBackward" | "stack" | "step";
  kernel: string;
  impl?: string;
  g?: ConvGeometry;
  a: Float32Array;
  b: Float32Array;
  c?: Float32Array;
  d?: Float32Array;
  out?: Float32Array | Float64Array;
  /** A second float32 output (a training step's loss gradient). */
  grad?: Float32Array;
  partials?: Float64Array;
  sums?: Float64Array;
  epilogue?: { bias: Float32Array; alpha: number };
  s?: number;
  n?: number;
  outPerChunk?: number;
  chunkValues?: number;
  chunkImages?: number;
  transposed?: number;
  chunks: number;
  /** The layers of a stack call, first to last. */
  layers?: MailLayer[];
}

/** The header's words. */
const SEQ = 0, KIND = 1, KERNEL = 2, IMPL = 3, FRESH = 4, EPILOGUE = 5, BIAS_LENGTH = 6;
/** The header word that holds the number of a stack call's layers. */
const LAYER_COUNT = 7;
const HEADER_WORDS = 8;
/** KIND of the call that ends a worker's loop. */
const STOP = -1;
const KINDS = ["image", "range", "rangeSum", "layerBackward", "stack", "step"] as const;

/** The array slots and the words each takes: where (0 none, 1 shared, 2 copied), id or offset, byte offset, length, type (0 float32, 1 float64). */
const SLOTS = ["a", "b", "c", "d", "out", "grad", "partials", "sums"] as const;
/** Slots from this one on are outputs. */
const FIRST_OUTPUT = 4;
const SLOT_WORDS = 5;
const NONE = 0, SHARED = 1, COPIED = 2;

/** The numbers of a call (its fields of the same names), then the epilogue's slope, then the geometry's. */
const NUMBERS = [
  "s",
  "n",
  "chunks",
  "outPerChunk",
  "chunkValues",
  "chunkImages",
  "transposed",
] as const;
const ALPHA = NUMBERS.length;
const GEOMETRY_AT = ALPHA + 1;
const GEOMETRY: readonly (keyof ConvGeometry)[] = [
  "batch",
  "inHeight",
  "inWidth",
  "inChannels",
  "outHeight",
  "outWidth",
  "outChannels",
  "filterHeight",
  "filterWidth",
  "strideHeight",
  "strideWidth",
  "padTop",
  "padLeft",
];

/** Float32 values a call can carry copied (its bias and small arrays): 256 KB. */
const COPY_CAPACITY = 1 << 16;
/** Arrays up to this many values are copied even from shared memory (16 KB: about a microsecond). */
const COPY_SMALL = 1 << 12;

/** Layers a stack call can carry (the paper's encoder and decoder have six each). */
export const MAX_STACK_LAYERS = 16;
/** A stack layer's array slots, each as a call's (inputs first: filter, bias; then outputs). */
const LAYER_SLOTS = ["w", "bias", "y", "dx", "dw", "db"] as const;
/** A stack layer's slots from this one on are outputs. */
const FIRST_LAYER_OUTPUT = 2;
/** A stack layer's numbers: its slope, whether transposed, then its geometry. */
const LAYER_NUMBERS = 2 + GEOMETRY.length;

/** Where a call's words start: the header, the call's slots, then the stack layers' slots. */
const LAYERS_AT = HEADER_WORDS + SLOTS.length * SLOT_WORDS;
const INT_WORDS = LAYERS_AT + MAX_STACK_LAYERS * LAYER_SLOTS.length * SLOT_WORDS;
const NUMBERS_AT = Math.ceil((INT_WORDS * 4) / 8) * 8;
const LAYER_NUMBERS_AT = GEOMETRY_AT + GEOMETRY.length;
const NUMBER_COUNT = LAYER_NUMBERS_AT + MAX_STACK_LAYERS * LAYER_NUMBERS;
const COPIES_AT = NUMBERS_AT + NUMBER_COUNT * 8;
const MAILBOX_BYTES = COPIES_AT + COPY_CAPACITY * 4;

/**
 * How long a worker keeps watching for the next call before it sleeps, in ms: longer than the
 * gap between two training steps, short enough that an idle training's workers leave the cpu
 * within a few milliseconds.
 *
 * Why the step's gap: between a step's last call (the encoder's backward pass) and the next
 * step's first (the batch gather) the calling thread runs about 1–2 ms alone (tfjs's gradient
 * bookkeeping, Adam); a worker that slept through it wakes tens to hundreds of microseconds
 * after the next call is posted, and the caller then waits for the chunks it took late. Its
 * cpu is idle in that gap whatever it does: the pipeline gives a stage's threads cores of their
 * own. Paper's autoencoder on two threads (2-core machine, 2026-12-05), one process switching
 * between two values every 10 steps: 0.2 against 3 ms, medians of the rounds' differences −0.61
 * (30 rounds, 3 ms faster in 19) and −0.35 ms a step (60 rounds, 34); 0.2 against 1 ms, −0.38
 * (30 rounds, 20); 3 against 10 ms, −0.005 (30 rounds, 16).
 */
const SPIN_MS = 3;

/** A copy of `v` in shared memory. */
function sharedCopy(v: Float32Array | Float64Array): Float32Array | Float64Array {
  const copy = v instanceof Float64Array
    ? new Float64Array(new SharedArrayBuffer(v.byteLength))
    : new Float32Array(new SharedArrayBuffer(v.byteLength));
  copy.set(v);
  return copy;
}

/**
 * Waits until `words[index]` differs from `value` and returns the new value: watching it for
 * `spinMs` (a change due within microseconds costs no sleep and wake-up), then sleeping in
 * `Atomics.wait` until it changes.
 */
export function waitForChange(
  words: Int32Array,
  index: number,
  value: number,
  spinMs: number,
): number {
  const until = performance.now() + spinMs;
  for (let i = 0;; i++) {
    const now = Atomics.load(words, index);
    if (now !== value) return now;
    if ((i & 63) === 63 && performance.now() > until) Atomics.wait(words, index, value);
  }
}

/** Views of one mailbox. */
class Views {
  readonly words: Int32Array;
  readonly numbers: Float64Array;
  readonly copies: Float32Array;
  constructor(readonly memory: SharedArrayBuffer) {
    this.words = new Int32Array(memory, 0, INT_WORDS);
    this.numbers = new Float64Array(memory, NUMBERS_AT, NUMBER_COUNT);
    this.copies = new Float32Array(memory, COPIES_AT, COPY_CAPACITY);
  }
}

/** What a worker is sent to serve a mailbox: from the call after `sequence` on. */
export interface MailboxStart {
  memory: SharedArrayBuffer;
  port: MessagePort;
  sequence: number;
}

/**
 * A message to the workers: buffers to learn by number (a tensor memory as its
 * `WebAssembly.Memory`, which the worker's kernels copy with), numbers to forget.
 */
interface BufferNews {
  add: [number, SharedArrayBuffer | WebAssembly.Memory][];
  forget: number[];
}

/** The calling thread's side: writes calls, numbers buffers, tells the workers about them. */
export class MailboxWriter {
  readonly #v = new Views(new SharedArrayBuffer(MAILBOX_BYTES));
  readonly #kernels: readonly string[];
  readonly #ports: MessagePort[] = [];
  readonly #ids = new WeakMap<SharedArrayBuffer, number>();
  #nextId = 1;
  #add: [number, SharedArrayBuffer | WebAssembly.Memory][] = [];
  #forget: number[] = [];
  readonly #dropped = new FinalizationRegistry<number>((id) => this.#forget.push(id));

  /** `kernels`: every kernel name a call may carry, in the order the workers are given them. */
  constructor(kernels: readonly string[]) {
    this.#kernels = kernels;
  }

  /**
   * What one more worker needs to serve this mailbox (post it with its port transferred: the
   * port is the worker's end of a channel this writer sends buffers on).
   */
  connect(): MailboxStart {
    const { port1, port2 } = new MessageChannel();
    this.#ports.push(port1);
    return { memory: this.#v.memory, port: port2, sequence: Atomics.load(this.#v.words, SEQ) };
  }

  /** Writes `task` and wakes the workers. */
  post(task: MailTask): void {
    const { words, numbers, copies } = this.#v;
    let copied = 0;
    // An epilogue's bias first, at the start of the copies.
    if (task.epilogue !== undefined) {
      copies.set(task.epilogue.bias, 0);
      copied = task.epilogue.bias.length;
    }
    words[EPILOGUE] = task.epilogue === undefined ? 0 : 1;
    words[BIAS_LENGTH] = copied;
    SLOTS.forEach((slot, i) => {
      const at = HEADER_WORDS + i * SLOT_WORDS;
      copied = this.#writeSlot(task, slot, at, task[slot], i >= FIRST_OUTPUT, copied);
    });
    const layers = task.layers ?? [];
    if (layers.length > MAX_STACK_LAYERS) {
      throw new Error(
        `Cannot hand kernel "${task.kernel}" to the cpu threads: ${layers.length} layers, at most ${MAX_STACK_LAYERS}; run it in parts`,
      );
    }
    layers.forEach((layer, l) => {
      LAYER_SLOTS.forEach((slot, i) => {
        const at = LAYERS_AT + (l * LAYER_SLOTS.length + i) * SLOT_WORDS;
        const name = `layer ${l}'s ${slot}`;
        copied = this.#writeSlot(task, name, at, layer[slot], i >= FIRST_LAYER_OUTPUT, copied);
      });
      const n = LAYER_NUMBERS_AT + l * LAYER_NUMBERS;
      numbers[n] = layer.alpha;
      numbers[n + 1] = layer.transposed;
      GEOMETRY.forEach((k, i) => numbers[n + 2 + i] = layer.g[k]);
    });
    words[LAYER_COUNT] = layers.length;
    words[KIND] = KINDS.indexOf(task.kind);
    const kernel = this.#kernels.indexOf(task.kernel);
    if (kernel < 0) {
      throw new Error(`Cannot hand kernel "${task.kernel}" to the cpu threads: unknown`);
    }
    words[KERNEL] = kernel;
    words[IMPL] = task.impl === "js" ? 1 : 0;
    NUMBERS.forEach((k, i) => numbers[i] = task[k] ?? 0);
    numbers[ALPHA] = task.epilogue?.alpha ?? 0;
    GEOMETRY.forEach((k, i) => numbers[GEOMETRY_AT + i] = task.g?.[k] ?? 0);
    this.#sendNews();
    this.#ring();
  }

  /**
   * Writes where array `arr` of a call lies into the slot at word `at` (`name` for errors);
   * returns the float32 values copied so far, `copied` plus this array's if it travels by value.
   */
  #writeSlot(
    task: MailTask,
    name: string,
    at: number,
    arr: Float32Array | Float64Array | undefined,
    output: boolean,
    copied: number,
  ): number {
    const { words, copies } = this.#v;
    if (arr === undefined) {
      words[at] = NONE;
      return copied;
    }
    const type = arr instanceof Float64Array ? 1 : 0;
    words[at + 4] = type;
    words[at + 3] = arr.length;
    const isShared = arr.buffer instanceof SharedArrayBuffer;
    if (output) {
      // Outputs are written where the caller reads them: never a copy.
      if (!isShared) {
        throw new Error(
          `Cannot hand kernel "${task.kernel}" to the cpu threads: its ${name} array is not in shared memory; allocate it with newValues()`,
        );
      }
    } else if (
      type === 0 && (arr.length <= COPY_SMALL || !isShared) &&
      copied + arr.length <= COPY_CAPACITY
    ) {
      // Small float32 inputs travel by value, shared or not: a filter is a new array after
      // every update, and numbering it would cost a message to each worker.
      copies.set(arr, copied);
      words[at] = COPIED;
      words[at + 1] = copied;
      return copied + arr.length;
    }
    // A large input outside shared memory travels as a shared copy (rare: the kernels'
    // arrays come from newValues()).
    const shared = isShared ? arr : sharedCopy(arr);
    words[at] = SHARED;
    words[at + 1] = this.#idOf(shared.buffer as SharedArrayBuffer);
    words[at + 2] = shared.byteOffset;
    return copied;
  }

  /** Ends every worker's loop (their `serveMailbox` returns). */
  stop(): void {
    this.#v.words[KIND] = STOP;
    this.#ring();
    for (const p of this.#ports) p.close();
    this.#ports.length = 0;
  }

  #ring(): void {
    Atomics.add(this.#v.words, SEQ, 1);
    Atomics.notify(this.#v.words, SEQ);
  }

  /** The number of `buffer`, given (and queued for the workers) the first time it is seen. */
  #idOf(buffer: SharedArrayBuffer): number {
    let id = this.#ids.get(buffer);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(buffer, id);
      this.#add.push([id, tensorMemoryOf(buffer) ?? buffer]);
      this.#dropped.register(buffer, id);
    }
    return id;
  }

  /** Sends the buffers added and dropped since the last call, if any, and flags the call. */
  #sendNews(): void {
    const fresh = this.#add.length > 0 || this.#forget.length > 0;
    this.#v.words[FRESH] = fresh ? 1 : 0;
    if (!fresh) return;
    const news: BufferNews = { add: this.#add, forget: this.#forget };
    for (const p of this.#ports) p.postMessage(news);
    this.#add = [];
    this.#forget = [];
  }
}

/**
 * A worker's side: waits for calls in `memory` (from a {@linkcode MailboxWriter} given the same
 * `kernels`), learns buffers from `port`, and gives each call to `run` as a task, until the
 * writer stops; a call it cannot read goes to `fail`. Blocks the worker's thread throughout.
 */
export function serveMailbox(
  start: MailboxStart,
  kernels: readonly string[],
  run: (task: MailTask) => void,
  fail: (e: unknown) => void,
): void {
  const v = new Views(start.memory);
  const { words } = v;
  const buffers = new Map<number, SharedArrayBuffer>();
  // Deno's ports are the web's; node:worker_threads reads them synchronously all the same.
  const port = start.port as unknown as NodePort;
  const learn = () => {
    for (
      let m = receiveMessageOnPort(port);
      m !== undefined;
      m = receiveMessageOnPort(port)
    ) {
      const news = m.message as BufferNews;
      for (const [id, b] of news.add) {
        buffers.set(id, b instanceof WebAssembly.Memory ? adoptTensorMemory(b) : b);
      }
      for (const id of news.forget) buffers.delete(id);
    }
  };
  let seen = start.sequence;
  for (;;) {
    const seq = waitForChange(words, SEQ, seen, SPIN_MS);
    seen = seq;
    if (words[KIND] === STOP) return;
    // The news was posted before the call was written: it is there to read.
    if (words[FRESH] === 1) learn();
    let task: MailTask | undefined;
    for (let attempt = 0; task === undefined; attempt++) {
      try {
        task = readTask(v, buffers, kernels);
      } catch {
        if (attempt === 1000) break;
        learn(); // a message may still be on its way
      }
    }
    if (task === undefined) {
      fail(
        new Error(
          `Cannot read kernel call ${seq}: it names a shared buffer this thread was never sent`,
        ),
      );
    } else run(task);
  }
}

/** The call in the mailbox `v` as a task, its shared arrays found in `buffers`. */
function readTask(
  v: Views,
  buffers: Map<number, SharedArrayBuffer>,
  kernels: readonly string[],
): MailTask {
  const { words, numbers, copies } = v;
  const array = (i: number) => arrayAt(HEADER_WORDS + i * SLOT_WORDS);
  const arrayAt = (at: number) => {
    const where = words[at], length = words[at + 3];
    if (where === NONE) return undefined;
    if (where === COPIED) return copies.subarray(words[at + 1], words[at + 1] + length);
    const buffer = buffers.get(words[at + 1]);
    if (buffer === undefined) {
      throw new Error(`Cannot read a kernel call: shared buffer ${words[at + 1]} is unknown`);
    }
    return words[at + 4] === 1
      ? new Float64Array(buffer, words[at + 2], length)
      : new Float32Array(buffer, words[at + 2], length);
  };
  const g = {} as Record<keyof ConvGeometry, number>;
  GEOMETRY.forEach((k, i) => g[k] = numbers[GEOMETRY_AT + i]);
  const counts = {} as Record<typeof NUMBERS[number], number>;
  NUMBERS.forEach((k, i) => counts[k] = numbers[i]);
  const layers: MailLayer[] = [];
  for (let l = 0; l < words[LAYER_COUNT]; l++) {
    const slot = (i: number) => arrayAt(LAYERS_AT + (l * LAYER_SLOTS.length + i) * SLOT_WORDS);
    const n = LAYER_NUMBERS_AT + l * LAYER_NUMBERS;
    const lg = {} as Record<keyof ConvGeometry, number>;
    GEOMETRY.forEach((k, i) => lg[k] = numbers[n + 2 + i]);
    layers.push({
      g: lg,
      alpha: numbers[n],
      transposed: numbers[n + 1],
      w: slot(0) as Float32Array,
      bias: slot(1) as Float32Array,
      y: slot(2) as Float32Array,
      dx: slot(3) as Float32Array | undefined,
      dw: slot(4) as Float64Array | undefined,
      db: slot(5) as Float64Array | undefined,
    });
  }
  return {
    kind: KINDS[words[KIND]],
    kernel: kernels[words[KERNEL]],
    impl: words[IMPL] === 1 ? "js" : "wasm",
    g,
    a: array(0) as Float32Array,
    b: array(1) as Float32Array,
    c: array(2) as Float32Array | undefined,
    d: array(3) as Float32Array | undefined,
    out: array(4) as Float32Array | Float64Array | undefined,
    grad: array(5) as Float32Array | undefined,
    partials: array(6) as Float64Array | undefined,
    sums: array(7) as Float64Array | undefined,
    epilogue: words[EPILOGUE] === 1
      ? { bias: copies.subarray(0, words[BIAS_LENGTH]), alpha: numbers[ALPHA] }
      : undefined,
    ...counts,
    ...(layers.length > 0 ? { layers } : {}),
  };
}
