/**
 * A run of layers φ(conv(x, w) + bias) (φ the leaky ReLU) as one tfjs op on the cpu backend:
 * the encoder's layers, or the decoder's transposed ones, passed chunk by chunk of the batch by
 * `./conv_stack_cpu.ts`.
 *
 * Layer by layer, the paper's autoencoder makes 24 such ops a step. Each op costs the calling
 * thread tfjs's bookkeeping (tens of microseconds) while the other threads wait, and each ends
 * with the threads waiting for the last of its chunks; the small layers (4×4 and below) run on
 * the calling thread alone. As four ops (encoder and decoder, forward and backward), the threads
 * meet four times a step and share the small layers with the large ones; as two (the whole
 * autoencoder, which `reconstruct` runs as one stack of twelve layers), twice, and the calling
 * thread's work between the encoder's op and the decoder's is gone too. The bytes are the
 * layers' own kernels' (`./conv_bias_leaky_relu.ts`), so a training does not change.
 *
 * The op records one node on the gradient tape whose only output is the last layer's: every
 * layer's output is saved for the backward pass, which runs `ConvStackBackwardOfModel` once and
 * hands each weight its gradient. tfjs's public `customGrad` would do, but it takes a gradient
 * for every input at once: the encoder's input is data whose gradient no training takes, so the
 * node is made with the engine's `runKernelFunc`, which takes one function per input and calls
 * only those asked for (tfjs is pinned; a test runs this path).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { geometryFromInfo, nhwcConvInfo } from "./conv_geometry.ts";
import { cpuValues } from "./cpu_data.ts";
import { convStackBackward, convStackForward, type StackLayerSpec } from "./conv_stack_cpu.ts";
import { MAX_STACK_LAYERS } from "./cpu_mailbox.ts";

/** The backward kernel of a stack (registered on the cpu backend with the fast kernels). */
export const CONV_STACK_BACKWARD = "ConvStackBackwardOfModel";
/** The name the forward pass has in tfjs's profiles. */
export const CONV_STACK = "ConvStackOfModel";

type Shape4 = [number, number, number, number];

/** One layer of a stack: a convolution, or with `outShape` a transposed one. */
export interface StackLayer {
  filter: tf.Tensor4D;
  bias: tf.Tensor;
  /** The transposed convolution's output shape (absent for a convolution). */
  outShape?: Shape4;
}

/** What every layer of a stack shares, and whether its input's gradient is wanted. */
export interface ConvStackAttrs {
  strides: [number, number];
  pad: "same" | "valid";
  /** The leaky ReLU's slope below zero (≥ 0). */
  alpha: number;
  /**
   * False when the stack's input is data whose gradient no one takes (the encoder's images):
   * the backward pass then skips it, and computes it apart if asked after all.
   */
  inputGrad: boolean;
}

/** The backward kernel's attributes: the stack's, and each layer's output shape if transposed. */
interface StackKernelAttrs extends ConvStackAttrs {
  outShapes: (Shape4 | null)[];
}

/**
 * The layers' specifications for the kernels of `./conv_stack_cpu.ts`, from the stack's input
 * shape, checked: each layer's input is the previous one's output.
 */
function layerSpecs(
  name: string,
  inShape: Shape4,
  filters: tf.TensorInfo[],
  biases: tf.TensorInfo[],
  a: StackKernelAttrs,
  backend: tf.MathBackendCPU,
): { specs: StackLayerSpec[]; shapes: Shape4[] } {
  const specs: StackLayerSpec[] = [], shapes: Shape4[] = [];
  let shape = inShape;
  filters.forEach((filter, i) => {
    const outShape = a.outShapes[i];
    const transposed = outShape !== null;
    // A transposed convolution's geometry is that of the convolution from its output to its input.
    const info = nhwcConvInfo(transposed ? outShape : shape, filter.shape, a.strides, a.pad);
    const from = transposed ? info.outShape : info.inShape;
    if (!tf.util.arraysEqual(from, shape)) {
      throw new Error(
        `Cannot run ${name}: layer ${i} takes shape ${JSON.stringify(from)} but gets ${
          JSON.stringify(shape)
        }; check the layers' filters and output shapes`,
      );
    }
    const channels = transposed ? info.inChannels : info.outChannels;
    if (biases[i].shape.length !== 1 || biases[i].shape[0] !== channels) {
      throw new Error(
        `Cannot run ${name}: layer ${i}'s bias must have ${channels} values (got shape ${
          JSON.stringify(biases[i].shape)
        })`,
      );
    }
    specs.push({
      g: geometryFromInfo(info),
      transposed,
      alpha: a.alpha,
      w: cpuValues(backend, filter),
      // A copy of the (small) bias: it travels to the worker threads with each call.
      bias: cpuValues(backend, biases[i]).slice(),
    });
    shape = transposed ? info.inShape : info.outShape;
    shapes.push(shape);
  });
  return { specs, shapes };
}

/**
 * The {@linkcode CONV_STACK_BACKWARD} kernel function of the cpu backend. Inputs: `dy` (the
 * gradient of the last layer's output), `x`, every layer's output `y0`, `y1`, … and filter `w0`,
 * `w1`, …, `b0`, `b1`, … (biases: only their sizes are read). Outputs: each layer's filter
 * gradient, then each layer's bias gradient, then the input gradient if `inputGrad`.
 */
export const convStackBackwardCpu: tf.KernelFunc = (args) => {
  const name = CONV_STACK_BACKWARD;
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const a = args.attrs as unknown as StackKernelAttrs;
  const L = a.outShapes.length;
  const get = (key: string) => {
    const t = inputs[key];
    if (t === undefined || t.dtype !== "float32") {
      throw new Error(`Cannot run ${name}: input "${key}" (float32) is required`);
    }
    return t;
  };
  const backend = args.backend as tf.MathBackendCPU;
  const x = get("x"), dy = get("dy");
  const filters = a.outShapes.map((_, i) => get(`w${i}`));
  const biases = a.outShapes.map((_, i) => get(`b${i}`));
  const ys = a.outShapes.map((_, i) => get(`y${i}`));
  const { specs, shapes } = layerSpecs(name, x.shape as Shape4, filters, biases, a, backend);
  if (!tf.util.arraysEqual(dy.shape, shapes[L - 1])) {
    throw new Error(`Cannot run ${name}: dy must have the last layer's output shape`);
  }
  const r = convStackBackward(
    cpuValues(backend, dy),
    cpuValues(backend, x),
    ys.map((y) => cpuValues(backend, y)),
    specs,
    a.inputGrad,
  );
  const out = [
    ...r.dw.map((dw, i) => backend.makeTensorInfo(filters[i].shape, "float32", dw)),
    ...r.db.map((db) => backend.makeTensorInfo([db.length], "float32", db)),
  ];
  if (r.dx !== undefined) out.push(backend.makeTensorInfo(x.shape, "float32", r.dx));
  return out;
};

/**
 * The stack kernels' attributes for `layers` on an input of dtype `inputDtype`, or null where
 * they do not run as one stack: no layers, more than a call carries, α < 0, a tensor that is not
 * float32, or a backend without the kernels (cpu with the fast kernels installed has them).
 */
function stackKernelAttrs(
  layers: StackLayer[],
  attrs: ConvStackAttrs,
  inputDtype: tf.DataType,
): StackKernelAttrs | null {
  const L = layers.length;
  if (
    L === 0 || L > MAX_STACK_LAYERS || !(attrs.alpha >= 0) || inputDtype !== "float32" ||
    layers.some((l) => l.filter.dtype !== "float32" || l.bias.dtype !== "float32") ||
    tf.getKernel(CONV_STACK_BACKWARD, tf.getBackend()) === undefined
  ) {
    return null;
  }
  return { ...attrs, outShapes: layers.map((l) => l.outShape ?? null) };
}

/**
 * The specifications `./conv_stack_cpu.ts` runs for `layers` on an input of shape `inShape`, as
 * the op computes them (checked the same way), for a caller on the cpu backend that runs the
 * stack's kernels itself; null where the op would say null (see `stackKernelAttrs`).
 */
export function stackSpecs(
  inShape: Shape4,
  layers: StackLayer[],
  attrs: ConvStackAttrs,
): StackLayerSpec[] | null {
  const a = stackKernelAttrs(layers, attrs, "float32");
  if (a === null) return null;
  return layerSpecs(
    CONV_STACK,
    inShape,
    layers.map((l) => l.filter),
    layers.map((l) => l.bias),
    a,
    tf.backend() as tf.MathBackendCPU,
  ).specs;
}

/** The engine's way to record a node with a gradient of one's own (see the module doc). */
interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: tf.KernelBackend, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

/**
 * The layers applied in turn to `x`, each φ(conv(h, filter) + bias) or
 * φ(conv2dTranspose(h, filter, outShape) + bias), as one op where the active backend has the
 * stack's kernels (cpu, with the fast kernels installed); `null` where it has not, for α < 0,
 * non-float32 tensors, or more layers than a call carries: the caller then runs the layers one
 * by one. The output, and every gradient, has the bytes of the layers' own kernels.
 */
export function convStack(
  x: tf.Tensor4D,
  layers: StackLayer[],
  attrs: ConvStackAttrs,
): tf.Tensor4D | null {
  const L = layers.length;
  const a = stackKernelAttrs(layers, attrs, x.dtype);
  if (a === null) return null;
  const inputs: Record<string, tf.Tensor> = { x };
  layers.forEach((l, i) => {
    inputs[`w${i}`] = l.filter;
    inputs[`b${i}`] = l.bias;
  });
  const engine = tf.engine();
  const withGradient = engine as unknown as KernelFuncEngine;
  const forwardFunc = (backend: tf.KernelBackend, save: tf.GradSaveFunc): tf.Tensor => {
    const cpu = backend as tf.MathBackendCPU;
    const filters = layers.map((l) => l.filter), biases = layers.map((l) => l.bias);
    const { specs, shapes } = layerSpecs(CONV_STACK, x.shape, filters, biases, a, cpu);
    const ys = convStackForward(cpuValues(cpu, x), specs).map((values, i) =>
      engine.makeTensorFromTensorInfo(cpu.makeTensorInfo(shapes[i], "float32", values))
    );
    // Only while a gradient is being recorded does save keep them (the engine's rule).
    save([x, ...ys, ...filters, ...biases]);
    return ys[L - 1];
  };
  const backwardsFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const sx = saved[0], sys = saved.slice(1, 1 + L);
    const sw = saved.slice(1 + L, 1 + 2 * L), sb = saved.slice(1 + 2 * L, 1 + 3 * L);
    const run = (inputGrad: boolean) => {
      const ins: Record<string, tf.Tensor> = { dy, x: sx };
      for (let i = 0; i < L; i++) {
        ins[`y${i}`] = sys[i];
        ins[`w${i}`] = sw[i];
        ins[`b${i}`] = sb[i];
      }
      return engine.runKernel(
        CONV_STACK_BACKWARD,
        ins,
        { ...a, inputGrad } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    };
    const out = run(a.inputGrad);
    const grads: Record<string, () => tf.Tensor> = {
      // An input gradient asked of a stack that said it needs none: a second call gives it.
      x: () => a.inputGrad ? out[2 * L] : run(true)[2 * L],
    };
    for (let i = 0; i < L; i++) {
      grads[`w${i}`] = () => out[i];
      grads[`b${i}`] = () => out[L + i];
    }
    return grads;
  };
  // Named, so that tfjs's profiles list the forward pass as one kernel.
  return engine.tidy(
    CONV_STACK,
    () => withGradient.runKernelFunc({ forwardFunc, backwardsFunc, inputs }),
  ) as tf.Tensor4D;
}
