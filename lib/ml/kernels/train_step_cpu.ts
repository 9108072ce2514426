/**
 * An autoencoder's training step on the cpu threads as one call: the batch gathered from the
 * dataset, passed forward through the whole stack, the squared error's gradient, the stack
 * backward and, where the loss is recorded, the loss's partial sums.
 *
 * As separate calls (gather, forward, loss, gradient, backward) the threads meet five times a
 * step, and at each meeting one of them waits for another's last chunk: on two threads
 * (2-core machine, 2026-12-05) the worker idled about 0.6 ms at the end of the forward pass
 * alone, and the calling thread ran each gap between calls by itself. Here the threads meet once:
 * a thread that finds no forward chunk left takes a backward one, and the loss's small tasks,
 * handed out last, fill the threads' ends.
 *
 * The bytes are the separate calls': a forward task gathers its own images (a copy) and runs
 * `stackForwardChunk` on them; a backward task computes the gradient of its own images (value by
 * value) and runs `stackBackwardChunk` on the same {@linkcode IMAGE_CHUNK} images with the same
 * partial sums; a loss task sums the same values as a chunk of the squared error's own kernel,
 * and the partial sums are added in chunk order afterwards as those calls add them. A test checks
 * every output against the separate calls, byte for byte.
 *
 * @module
 */

import {
  awaitStepChunk,
  chunkSumsInOrder,
  cpuThreads,
  giveBackAccumulators,
  IMAGE_CHUNK,
  imageChunkCount,
  imageKernelImpl,
  markStepChunkDone,
  MAX_STEP_CHUNKS,
  newAccumulators,
  newValuesToOverwrite,
  runTrainStep,
  sumChunkCount,
  sumChunkValues,
  type TrainStepCall,
} from "./cpu_threads.ts";
import { checkRows, gatherRowsRange } from "./gather_cpu.ts";
import {
  backwardLayers,
  stackBackwardChunk,
  stackForwardChunk,
  type StackGradients,
  stackGradients,
  type StackLayerSpec,
  stackOutputs,
} from "./conv_stack_cpu.ts";
import { layerSizes } from "./layer_backward_cpu.ts";
import {
  squaredErrorGradRange,
  squaredErrorGradRangeWasm,
  squaredErrorSumRange,
  squaredErrorSumRangeWasm,
} from "./squared_error_cpu.ts";

/** Values of one image (a row of the dataset, and of the last layer's output). */
function rowValues(call: TrainStepCall): number {
  const g = call.layers[0].g;
  return g.inHeight * g.inWidth * g.inChannels;
}

/**
 * Task `i` of a training step call, in hand-out order (see `stepTaskOrder`): the code of the
 * calling thread and of the workers alike.
 */
export function trainStepTask(call: TrainStepCall, i: number): void {
  const t = call.order[i], C = call.chunks;
  if (t < C) forwardTask(call, t);
  else if (t < 2 * C) backwardTask(call, t - C);
  else lossTask(call, t - 2 * C);
}

/** The images [b0, b1) of image chunk `c`. */
function imagesOf(call: TrainStepCall, c: number): [number, number] {
  const b0 = c * IMAGE_CHUNK;
  return [b0, Math.min(call.layers[0].g.batch, b0 + IMAGE_CHUNK)];
}

/** Chunk `c`'s images gathered into x, then through every layer. */
function forwardTask(call: TrainStepCall, c: number): void {
  const P = rowValues(call);
  const [b0, b1] = imagesOf(call, c);
  gatherRowsRange(call.data, call.rows, call.x, P, b0 * P, b1 * P);
  stackForwardChunk(call, c);
  markStepChunkDone(call.flags, c);
}

/** Chunk `c`'s loss gradient, then back through every layer. */
function backwardTask(call: TrainStepCall, c: number): void {
  awaitStepChunk(call.flags, c);
  const P = rowValues(call);
  const [b0, b1] = imagesOf(call, c);
  const y = call.layers[call.layers.length - 1].y;
  const grad = call.impl === "wasm" ? squaredErrorGradRangeWasm : squaredErrorGradRange;
  grad(y, call.x, call.dy, call.factor, b0 * P, b1 * P);
  stackBackwardChunk(call, c);
}

/** Loss chunk `k`: the sum of float32(d²) over its values, once their images are forward. */
function lossTask(call: TrainStepCall, k: number): void {
  const P = rowValues(call), n = call.layers[0].g.batch * P, cv = call.lossChunkValues;
  const lo = k * cv, hi = Math.min(n, lo + cv);
  const last = Math.floor((hi - 1) / P / IMAGE_CHUNK);
  for (let c = Math.floor(lo / P / IMAGE_CHUNK); c <= last; c++) awaitStepChunk(call.flags, c);
  const y = call.layers[call.layers.length - 1].y;
  const sum = call.impl === "wasm" ? squaredErrorSumRangeWasm : squaredErrorSumRange;
  sum(y, call.x, y, 0, lo, hi, call.lossPartials!.subarray(k, k + 1));
}

/** What {@linkcode autoencoderStepOnCpu} computed. */
export interface AutoencoderStepValues extends StackGradients {
  /** The gathered batch (the first layer's input and the target). */
  x: Float32Array;
  /** Every layer's output, first to last. */
  ys: Float32Array[];
  /** The loss's gradient for the last layer's output. */
  dy: Float32Array;
  /** Where asked: the float64 sum of float32((y − x)²), added as the squared error's kernel adds it. */
  lossSum?: number;
}

/**
 * One training step of the stack `layers` (an autoencoder: its output has the input's shape)
 * under the squared error against its input: the batch is rows `rows` of `data` (`dataRows`
 * rows), the gradient float32(float32(y − x) · `factor`), the loss's sum computed when `withLoss`.
 * The bytes of gathering, `convStackForward`, `squaredErrorGrad`, `convStackBackward` and
 * `squaredErrorSum` run one after the other. Null where this call cannot run (more chunks than
 * the call can flag; a dataset outside shared memory while workers run); the caller then runs
 * those calls.
 */
export function autoencoderStepOnCpu(
  data: Float32Array,
  dataRows: number,
  rows: ArrayLike<number>,
  layers: StackLayerSpec[],
  factor: number,
  withLoss: boolean,
): AutoencoderStepValues | null {
  if (layers.length === 0) throw new Error("Cannot run a training step: the stack has no layers");
  const batch = layers[0].g.batch;
  const P = data.length / dataRows;
  const sizes = layers.map((l) => layerSizes(l.g, l.transposed));
  if (
    rows.length !== batch || sizes[0].xSize !== P || sizes[sizes.length - 1].zSize !== P ||
    !Number.isInteger(P)
  ) {
    throw new Error(
      `Cannot run a training step: ${rows.length} rows of ${P} values for a stack of batch ${batch} from ${
        sizes[0].xSize
      } to ${sizes[sizes.length - 1].zSize} values an image; pass a batch of whole images its size`,
    );
  }
  checkRows(rows, dataRows);
  const chunks = imageChunkCount(batch);
  if (
    chunks > MAX_STEP_CHUNKS || dataRows > 2 ** 24 ||
    cpuThreads() > 1 && !(data.buffer instanceof SharedArrayBuffer)
  ) {
    return null;
  }
  const n = batch * P;
  const lossChunkValues = sumChunkValues(1);
  const lossChunks = sumChunkCount(n, 1);
  // Every value of x and dy is written (a copy, a difference): no need to zero them.
  const x = newValuesToOverwrite(n), dy = newValuesToOverwrite(n);
  const ys = stackOutputs(layers);
  const call: Omit<TrainStepCall, "flags" | "order"> = {
    impl: imageKernelImpl(),
    data,
    rows: Float32Array.from(rows),
    x,
    dy,
    factor,
    lossPartials: withLoss ? newAccumulators(lossChunks) : undefined,
    lossChunkValues,
    layers: backwardLayers(layers, ys, false),
    chunks,
    chunkImages: IMAGE_CHUNK,
  };
  runTrainStep(trainStepTask, call);
  let lossSum: number | undefined;
  if (call.lossPartials !== undefined) {
    lossSum = chunkSumsInOrder(call.lossPartials, lossChunks, 1)[0];
    giveBackAccumulators(call.lossPartials);
  }
  return { x, ys, dy, lossSum, ...stackGradients(call.layers) };
}
