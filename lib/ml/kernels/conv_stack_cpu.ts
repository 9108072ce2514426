/**
 * A run of layers φ(conv(x, w) + bias) (φ the leaky ReLU; convolutions or transposed
 * convolutions) passed chunk by chunk of the batch: forward, each chunk of images through every
 * layer; backward, each chunk's gradient back through every layer.
 *
 * Layer by layer, a training step of the paper's autoencoder makes 24 calls, and on several
 * threads each call ends with the threads waiting for the last of its chunks; the small layers'
 * calls (4×4 and below) run on the calling thread alone while the others wait. Here the threads
 * meet once per pass, the small layers are shared out with the large ones, and a chunk's
 * activations are still in cache when the next layer reads them.
 *
 * The bytes are the layers' own calls': a forward chunk runs the forward kernels of
 * `./conv_bias_leaky_relu.ts` on its images (each output value depends on its own image only,
 * so any cut of the batch gives the same bytes), and a backward chunk runs the chunk function of
 * `./layer_backward_cpu.ts` on the same {@linkcode IMAGE_CHUNK} images with the same partial sums,
 * added in chunk order afterwards as that kernel adds them. A test checks both, byte for byte.
 *
 * @module
 */

import {
  convOutput,
  type ConvStackCall,
  type ConvStackLayer,
  IMAGE_CHUNK,
  imageChunkCount,
  imageKernelImpl,
  newAccumulators,
  runConvStack,
} from "./cpu_threads.ts";
import { conv2dImages } from "./conv2d_cpu.ts";
import { conv2dBackpropInputImages } from "./conv2d_backprop_input_cpu.ts";
import { conv2dBackpropInputImagesWasm, conv2dImagesWasm } from "./conv_wasm.ts";
import {
  layerBackwardChunkJs,
  layerBackwardChunkWasm,
  layerSizes,
  sumChunksAndGiveBack,
} from "./layer_backward_cpu.ts";
import { giveBackValues } from "./value_pool.ts";

/** A layer of a stack as its caller gives it: geometry (see `ConvStackLayer`), slope, weights. */
export type StackLayerSpec = Pick<ConvStackLayer, "g" | "transposed" | "alpha" | "w" | "bias">;

/** Chunk `c` of a stack call, forward (no `dy`) or backward, on this thread. */
export function convStackChunk(call: ConvStackCall, c: number): void {
  if (call.dy === undefined) stackForwardChunk(call, c);
  else stackBackwardChunk(call, c);
}

/** Images [c·chunkImages, …) through every layer, first to last. */
export function stackForwardChunk(call: ConvStackCall, c: number): void {
  const batch = call.layers[0].g.batch;
  const b0 = c * call.chunkImages, b1 = Math.min(batch, b0 + call.chunkImages);
  const wasm = call.impl === "wasm";
  let input = call.x;
  for (const l of call.layers) {
    const e = { bias: l.bias, alpha: l.alpha };
    if (l.transposed) {
      (wasm ? conv2dBackpropInputImagesWasm : conv2dBackpropInputImages)(
        input,
        l.w,
        l.y,
        l.g,
        b0,
        b1,
        e,
      );
    } else (wasm ? conv2dImagesWasm : conv2dImages)(input, l.w, l.y, l.g, b0, b1, e);
    input = l.y;
  }
}

/**
 * The gradient of chunk `c`'s images back through every layer, last to first (`call.dy` the
 * gradient of the last layer's output).
 */
export function stackBackwardChunk(call: ConvStackCall, c: number): void {
  const chunk = call.impl === "wasm" ? layerBackwardChunkWasm : layerBackwardChunkJs;
  const layers = call.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    chunk({
      impl: call.impl,
      g: l.g,
      transposed: l.transposed,
      alpha: l.alpha,
      dy: i === layers.length - 1 ? call.dy! : layers[i + 1].dx!,
      y: l.y,
      x: i === 0 ? call.x : layers[i - 1].y,
      w: l.w,
      dx: l.dx,
      dw: l.dw!,
      db: l.db!,
      chunks: call.chunks,
    }, c);
  }
}

/** Images per chunk of a forward pass: {@linkcode IMAGE_CHUNK}, enough to balance the threads. */
const FORWARD_CHUNK = IMAGE_CHUNK;

/**
 * The outputs of every layer of a stack on input `x` (the batch of the first layer's geometry),
 * computed on the cpu threads in force: the bytes of the layers' own forward kernels.
 */
export function convStackForward(x: Float32Array, layers: StackLayerSpec[]): Float32Array[] {
  if (layers.length === 0) throw new Error("Cannot run a layer stack: it has no layers");
  const batch = layers[0].g.batch;
  const ys = stackOutputs(layers);
  const call: ConvStackCall = {
    impl: imageKernelImpl(),
    x,
    layers: layers.map((l, i): ConvStackLayer => ({ ...l, y: ys[i] })),
    chunks: Math.max(1, Math.ceil(batch / FORWARD_CHUNK)),
    chunkImages: FORWARD_CHUNK,
  };
  runConvStack(convStackChunk, call);
  return ys;
}

/** Arrays for every layer's output over the batch (a layer's output side is its dz's, `layerSizes`). */
export function stackOutputs(layers: StackLayerSpec[]): Float32Array[] {
  return layers.map((l) => convOutput(l.g.batch * layerSizes(l.g, l.transposed).zSize));
}

/**
 * The layers of a backward call: each with its output `ys[i]`, an array for its input gradient
 * (the first layer's only when `inputGrad`) and its partial sums, one run per chunk of
 * {@linkcode IMAGE_CHUNK} images.
 */
export function backwardLayers(
  layers: StackLayerSpec[],
  ys: Float32Array[],
  inputGrad: boolean,
): ConvStackLayer[] {
  return layers.map((l, i): ConvStackLayer => {
    const sizes = layerSizes(l.g, l.transposed), chunks = imageChunkCount(l.g.batch);
    return {
      ...l,
      y: ys[i],
      dx: i > 0 || inputGrad ? convOutput(l.g.batch * sizes.xSize) : undefined,
      dw: newAccumulators(chunks * sizes.fw),
      db: newAccumulators(chunks * sizes.K),
    };
  });
}

/**
 * The gradients a backward call left in `layers` (from {@linkcode backwardLayers}): each
 * layer's partial sums added in chunk order, as the layers' own backward kernels add them, and
 * given back with the gradients between layers (scratch once the chunks have read them).
 */
export function stackGradients(layers: ConvStackLayer[]): StackGradients {
  const dw: Float32Array[] = [], db: Float32Array[] = [];
  layers.forEach((l, i) => {
    const sizes = layerSizes(l.g, l.transposed), chunks = imageChunkCount(l.g.batch);
    dw.push(sumChunksAndGiveBack(l.dw!, chunks, sizes.fw));
    db.push(sumChunksAndGiveBack(l.db!, chunks, sizes.K));
    if (i > 0) giveBackValues(l.dx!);
  });
  return { dx: layers[0].dx, dw, db };
}

/** The gradients of a stack's layers (first to last), and of its input when asked. */
export interface StackGradients {
  dx?: Float32Array;
  dw: Float32Array[];
  db: Float32Array[];
}

/**
 * The gradients of a stack from the gradient `dy` of its last output, its input `x` and the
 * outputs `ys` of {@linkcode convStackForward}; the input gradient only when `inputGrad`. The
 * bytes of the layers' own backward kernels, run last to first.
 */
export function convStackBackward(
  dy: Float32Array,
  x: Float32Array,
  ys: Float32Array[],
  layers: StackLayerSpec[],
  inputGrad: boolean,
): StackGradients {
  if (layers.length === 0 || ys.length !== layers.length) {
    throw new Error(
      `Cannot run a layer stack's backward pass: ${layers.length} layers and ${ys.length} outputs; pass one output per layer`,
    );
  }
  const call: ConvStackCall = {
    impl: imageKernelImpl(),
    x,
    dy,
    layers: backwardLayers(layers, ys, inputGrad),
    chunks: imageChunkCount(layers[0].g.batch),
    chunkImages: IMAGE_CHUNK,
  };
  runConvStack(convStackChunk, call);
  return stackGradients(call.layers);
}
