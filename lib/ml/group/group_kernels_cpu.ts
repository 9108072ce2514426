/**
 * Kernels with a model axis for the tfjs `cpu` backend: one call runs the same operation for K
 * models of one architecture, each with its own weights and its own batch.
 *
 * Layout: activations `[K, B, H, W, C]` (model k's batch is the k-th block of `B·H·W·C`
 * values), kernels `[K, kh, kw, I, O]`, biases `[K, O]`.
 *
 * Why these produce the bytes of K separate trainings: model k's block goes through the very
 * function the single-model kernel uses (`conv2dNhwc` and its two gradients, `sumLeading` for a
 * bias gradient) on a view of its own values, with the geometry of a batch of B. Each of those
 * fixes its summation order from B and the layer alone (images in chunks of `IMAGE_CHUNK`,
 * whatever the thread count), so model k's values cannot depend on K or on its neighbours.
 * The tfjs op count per update stays that of one model; on the CPU the arithmetic dominates,
 * so grouping costs nothing and gains nothing by itself (it is the GPU, where each dispatch
 * costs host time, that gains; its kernels are the next step).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { geometryFromInfo } from "../kernels/conv_geometry.ts";
import { cpuValues } from "../kernels/cpu_data.ts";
import { convOutput, newValues, newValuesToOverwrite } from "../kernels/cpu_threads.ts";
import { giveBackValues } from "../kernels/value_pool.ts";
import { conv2dNhwc } from "../kernels/conv2d_cpu.ts";
import { conv2dBackpropInputNhwc } from "../kernels/conv2d_backprop_input_cpu.ts";
import { conv2dBackpropFilterNhwc } from "../kernels/conv2d_backprop_filter_cpu.ts";
import { sumLeading } from "../kernels/sum_cpu.ts";
import { leakyReluGradAndBiasGradValues } from "../kernels/leaky_relu_cpu.ts";

/** K forward convolutions: inputs `x [K,B,H,W,C]`, `filter [K,kh,kw,C,O]`. */
export const GROUP_CONV2D = "GroupConv2DOfModels";
/** K input gradients (transposed convolutions): inputs `dy`, `filter`; attr `inputShape` (5-D). */
export const GROUP_CONV2D_BACKPROP_INPUT = "GroupConv2DBackpropInputOfModels";
/** K filter gradients: inputs `x`, `dy`; attr `filterShape` (5-D). */
export const GROUP_CONV2D_BACKPROP_FILTER = "GroupConv2DBackpropFilterOfModels";
/** K bias additions: inputs `x [K,…,O]`, `bias [K,O]`. */
export const GROUP_BIAS_ADD = "GroupBiasAddOfModels";
/** K sums over every axis but the first and the last: input `x [K,…,O]`, output `[K,O]`. */
export const GROUP_BIAS_GRAD = "GroupBiasGradOfModels";
/** Each model's block times its own factor: inputs `x [K,…]`, `scale [K]`. */
export const GROUP_SCALE = "GroupScaleOfModels";
/**
 * K layers in one kernel each (`../kernels/conv_bias_leaky_relu.ts`): inputs `x`, `filter`,
 * `bias [K,O]`; attributes `strides`, `pad`, `alpha`, and `inputShape` (5-D output shape) for a
 * transposed convolution.
 */
export const GROUP_CONV2D_BIAS_LEAKY_RELU = "GroupConv2DBiasLeakyReluOfModels";
/** K leaky-ReLU gradients and bias gradients: inputs `dy`, `x [K,…,O]`; attribute `alpha`. */
export const GROUP_LEAKY_RELU_GRAD_AND_BIAS_GRAD = "GroupLeakyReluGradAndBiasGradOfModels";

/** Attributes of the three convolution kernels (NHWC, dilation 1). */
export interface GroupConvAttrs {
  /** [vertical, horizontal]. */
  strides: [number, number];
  /** As tfjs: `same` or `valid`. */
  pad: "same" | "valid";
  /** The 5-D input shape (backprop input only). */
  inputShape?: number[];
  /** The 5-D filter shape (backprop filter only). */
  filterShape?: number[];
  /** The leaky ReLU's slope (the fused layer only). */
  alpha?: number;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The geometry of one model's convolution: batch B of a 5-D input, a 4-D filter. */
function modelInfo(xShape: readonly number[], filterShape: readonly number[], a: GroupConvAttrs) {
  if (xShape.length !== 5 || filterShape.length !== 5 || xShape[0] !== filterShape[0]) {
    throw new Error(
      `Cannot run a grouped convolution: expected x [K,B,H,W,C] and filter [K,kh,kw,I,O] with one K, got [${xShape}] and [${filterShape}]`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape.slice(1) as [number, number, number, number],
    filterShape.slice(1) as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    undefined,
    false,
    "channelsLast",
  );
}

/**
 * `out`, K blocks of `each` values, each written in place by `one(k, block)`: by default a
 * convolution's output (see `convOutput`).
 */
function intoModels(
  K: number,
  each: number,
  one: (k: number, block: Float32Array) => void,
  out = convOutput(K * each),
): Float32Array {
  for (let k = 0; k < K; k++) one(k, out.subarray(k * each, (k + 1) * each));
  return out;
}

/**
 * Runs `one(k)` for each model and lays the K results end to end; each result goes back to the
 * value pool once copied (garbage otherwise, and shared-memory garbage is freed late).
 */
function perModel(K: number, each: number, one: (k: number) => Float32Array): Float32Array {
  const out = newValues(K * each);
  for (let k = 0; k < K; k++) {
    const part = one(k);
    out.set(part, k * each);
    giveBackValues(part);
  }
  return out;
}

const groupConv2d: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as GroupConvAttrs;
  const info = modelInfo(x.shape, filter.shape, a);
  const g = geometryFromInfo(info);
  const K = x.shape[0], xs = size(x.shape.slice(1)), ws = size(filter.shape.slice(1));
  const xv = cpuValues(cpu, x), wv = cpuValues(cpu, filter);
  const ys = size(info.outShape);
  const y = intoModels(K, ys, (k, block) => {
    conv2dNhwc(
      xv.subarray(k * xs, (k + 1) * xs),
      wv.subarray(k * ws, (k + 1) * ws),
      g,
      undefined,
      block,
    );
  });
  return cpu.makeTensorInfo([K, ...info.outShape], "float32", y);
};

const groupConv2dBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as GroupConvAttrs;
  const inputShape = a.inputShape!;
  const info = modelInfo(inputShape, filter.shape, a);
  const g = geometryFromInfo(info);
  const K = inputShape[0], ds = size(dy.shape.slice(1)), ws = size(filter.shape.slice(1));
  const dyv = cpuValues(cpu, dy), wv = cpuValues(cpu, filter);
  const dx = intoModels(K, size(inputShape.slice(1)), (k, block) => {
    conv2dBackpropInputNhwc(
      dyv.subarray(k * ds, (k + 1) * ds),
      wv.subarray(k * ws, (k + 1) * ws),
      g,
      undefined,
      block,
    );
  });
  return cpu.makeTensorInfo(inputShape, "float32", dx);
};

const groupConv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as GroupConvAttrs;
  const filterShape = a.filterShape!;
  const info = modelInfo(x.shape, filterShape, a);
  const g = geometryFromInfo(info);
  const K = x.shape[0], xs = size(x.shape.slice(1)), ds = size(dy.shape.slice(1));
  const xv = cpuValues(cpu, x), dyv = cpuValues(cpu, dy);
  const dw = perModel(
    K,
    size(filterShape.slice(1)),
    (k) =>
      conv2dBackpropFilterNhwc(
        xv.subarray(k * xs, (k + 1) * xs),
        dyv.subarray(k * ds, (k + 1) * ds),
        g,
      ),
  );
  return cpu.makeTensorInfo(filterShape, "float32", dw);
};

const groupBiasAdd: tf.KernelFunc = ({ inputs, backend }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { x, bias } = inputs as { x: tf.TensorInfo; bias: tf.TensorInfo };
  const K = x.shape[0], O = x.shape[x.shape.length - 1];
  if (bias.shape.length !== 2 || bias.shape[0] !== K || bias.shape[1] !== O) {
    throw new Error(
      `Cannot add grouped biases: expected bias [${K}, ${O}] for x [${x.shape}], got [${bias.shape}]`,
    );
  }
  const xv = cpuValues(cpu, x), bv = cpuValues(cpu, bias);
  const per = xv.length / K;
  const y = newValues(xv.length);
  // The single-model kernel's value for each element: the float32 sum of x and its bias.
  for (let k = 0; k < K; k++) {
    const base = k * per, b0 = k * O;
    for (let i = 0; i < per; i += O) {
      for (let o = 0; o < O; o++) y[base + i + o] = xv[base + i + o] + bv[b0 + o];
    }
  }
  return cpu.makeTensorInfo(x.shape, "float32", y);
};

const groupBiasGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { x } = inputs as { x: tf.TensorInfo };
  const K = x.shape[0], O = x.shape[x.shape.length - 1];
  const xv = cpuValues(cpu, x);
  const per = xv.length / K;
  // A bias gradient of one model is sumLeading over its [B·H·W, O] block, as the
  // single-model `Sum` over axes 0, 1, 2 computes it.
  const out = perModel(K, O, (k) => sumLeading(xv.subarray(k * per, (k + 1) * per), per / O, O));
  return cpu.makeTensorInfo([K, O], "float32", out);
};

const groupScale: tf.KernelFunc = ({ inputs, backend }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { x, scale } = inputs as { x: tf.TensorInfo; scale: tf.TensorInfo };
  const K = x.shape[0];
  if (scale.shape.length !== 1 || scale.shape[0] !== K) {
    throw new Error(
      `Cannot scale grouped values: expected scale [${K}] for x [${x.shape}], got [${scale.shape}]`,
    );
  }
  const xv = cpuValues(cpu, x), sv = cpuValues(cpu, scale);
  const per = xv.length / K;
  const y = newValues(xv.length);
  // The float32 product of each value and its model's factor: what the single model's
  // multiplication by a scalar stores. (tfjs's own Multiply takes a per-element index path
  // for a [K,1,…,1] operand, which cost 100 ms per model and update at K = 5.)
  for (let k = 0; k < K; k++) {
    const f = sv[k], end = (k + 1) * per;
    for (let i = k * per; i < end; i++) y[i] = xv[i] * f;
  }
  return cpu.makeTensorInfo(x.shape, "float32", y);
};

/** The per-model bias views of `bias [K,O]`, copied (each travels to the worker threads). */
function biasOf(bv: Float32Array, K: number, O: number, shape: readonly number[]) {
  if (shape.length !== 2 || shape[0] !== K || shape[1] !== O) {
    throw new Error(`Cannot run a grouped layer: expected bias [${K}, ${O}], got [${shape}]`);
  }
  return (k: number) => bv.slice(k * O, (k + 1) * O);
}

const groupConv2dBiasLeakyRelu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { x, filter, bias } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as GroupConvAttrs;
  const alpha = a.alpha!;
  const K = x.shape[0], xs = size(x.shape.slice(1)), ws = size(filter.shape.slice(1));
  const xv = cpuValues(cpu, x), wv = cpuValues(cpu, filter), bv = cpuValues(cpu, bias);
  const xk = (k: number) => xv.subarray(k * xs, (k + 1) * xs);
  const wk = (k: number) => wv.subarray(k * ws, (k + 1) * ws);
  if (a.inputShape !== undefined) {
    // Transposed: the input gradient of the convolution from inputShape, as the single model.
    const g = geometryFromInfo(modelInfo(a.inputShape, filter.shape, a));
    const biasK = biasOf(bv, K, g.inChannels, bias.shape);
    const y = intoModels(K, size(a.inputShape.slice(1)), (k, block) => {
      conv2dBackpropInputNhwc(xk(k), wk(k), g, { bias: biasK(k), alpha }, block);
    });
    return cpu.makeTensorInfo(a.inputShape, "float32", y);
  }
  const info = modelInfo(x.shape, filter.shape, a);
  const g = geometryFromInfo(info);
  const biasK = biasOf(bv, K, g.outChannels, bias.shape);
  const y = intoModels(K, size(info.outShape), (k, block) => {
    conv2dNhwc(xk(k), wk(k), g, { bias: biasK(k), alpha }, block);
  });
  return cpu.makeTensorInfo([K, ...info.outShape], "float32", y);
};

const groupLeakyReluGradAndBiasGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as tf.MathBackendCPU;
  const { dy, x } = inputs as Record<string, tf.TensorInfo>;
  const alpha = (attrs as { alpha: number }).alpha;
  const K = x.shape[0], O = x.shape[x.shape.length - 1];
  const dyv = cpuValues(cpu, dy), xv = cpuValues(cpu, x);
  const per = xv.length / K;
  const bias = newValues(K * O);
  // Model k's block through the single model's kernel function: its bytes, whatever K.
  const dz = intoModels(K, per, (k, block) => {
    const r = leakyReluGradAndBiasGradValues(
      dyv.subarray(k * per, (k + 1) * per),
      xv.subarray(k * per, (k + 1) * per),
      alpha,
      O,
      block,
    );
    bias.set(r.bias, k * O);
  }, newValuesToOverwrite(K * per)); // every value is written
  return [
    cpu.makeTensorInfo(x.shape, "float32", dz),
    cpu.makeTensorInfo([K, O], "float32", bias),
  ];
};

/** The grouped kernels of the cpu backend, for `tf.registerKernel`. */
export const GROUP_CPU_KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: GROUP_CONV2D, backendName: "cpu", kernelFunc: groupConv2d },
  {
    kernelName: GROUP_CONV2D_BACKPROP_INPUT,
    backendName: "cpu",
    kernelFunc: groupConv2dBackpropInput,
  },
  {
    kernelName: GROUP_CONV2D_BACKPROP_FILTER,
    backendName: "cpu",
    kernelFunc: groupConv2dBackpropFilter,
  },
  { kernelName: GROUP_BIAS_ADD, backendName: "cpu", kernelFunc: groupBiasAdd },
  { kernelName: GROUP_BIAS_GRAD, backendName: "cpu", kernelFunc: groupBiasGrad },
  { kernelName: GROUP_SCALE, backendName: "cpu", kernelFunc: groupScale },
  {
    kernelName: GROUP_CONV2D_BIAS_LEAKY_RELU,
    backendName: "cpu",
    kernelFunc: groupConv2dBiasLeakyRelu,
  },
  {
    kernelName: GROUP_LEAKY_RELU_GRAD_AND_BIAS_GRAD,
    backendName: "cpu",
    kernelFunc: groupLeakyReluGradAndBiasGrad,
  },
];

/** Registers kernels not registered yet (the grouped kernels of either backend). */
export function registerKernelsOnce(configs: readonly tf.KernelConfig[]): void {
  for (const k of configs) {
    if (tf.getKernel(k.kernelName, k.backendName) === undefined) tf.registerKernel(k);
  }
}
