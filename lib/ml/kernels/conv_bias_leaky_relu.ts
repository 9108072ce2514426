/**
 * A convolution layer in one kernel: convolution (or transposed convolution), bias, leaky ReLU.
 *
 * Written as three tfjs ops, a layer makes three passes over its activation (up to 2.4 M values
 * at batch 300) and keeps two of them; here the convolution applies the bias and the activation
 * to each chunk of its output while the chunk is in cache (`./epilogue.ts`), with the very
 * float32 values of the three ops. Its gradient is the three ops' gradients, by the same kernels
 * in the same order of rounding:
 *
 *     dz = dy·φ'(y)                 (LeakyReluGradOfModel: y > 0 exactly where y + b > 0, since
 *                                    α ≥ 0 keeps the sign, and y is NaN exactly where y + b is)
 *     d bias = Σ over N, H, W of dz  (Sum, as tfjs's `Add` gradient)
 *     d x, d filter                  (Conv2DBackpropInput / Conv2DBackpropFilter for a
 *                                    convolution; Conv2D / Conv2DBackpropFilter for a transposed
 *                                    one, as tfjs's own gradients)
 *
 * On the cpu all four come from one call, `ConvBiasLeakyReluBackwardOfModel`
 * (`./layer_backward_cpu.ts`), which runs those kernels chunk by chunk while dz is in cache; only
 * its bias sums are cut into other chunks, which may round their float64 sum differently. The
 * first layer says it needs no input gradient (`inputGrad: false`), and its call skips it.
 * Backends without these kernels (webgpu, or cpu with the stock kernels) get `null` from
 * {@linkcode convBiasLeakyRelu} and run the three ops.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { geometryFromInfo, nhwcConvInfo } from "./conv_geometry.ts";
import { conv2dNhwc } from "./conv2d_cpu.ts";
import { conv2dBackpropInputNhwc } from "./conv2d_backprop_input_cpu.ts";
import { cpuValues } from "./cpu_data.ts";
import { LEAKY_RELU_GRAD_AND_BIAS_GRAD } from "./leaky_relu_cpu.ts";
import { CONV_BIAS_LEAKY_RELU_BACKWARD, type LayerBackwardAttrs } from "./layer_backward_cpu.ts";

/** Convolution + bias + leaky ReLU: inputs `x`, `filter` (HWIO), `bias`. */
export const CONV2D_BIAS_LEAKY_RELU = "Conv2DBiasLeakyReluOfModel";
/** Transposed convolution + bias + leaky ReLU: inputs `x`, `filter`, `bias`; attr `outShape`. */
export const CONV2D_TRANSPOSE_BIAS_LEAKY_RELU = "Conv2DTransposeBiasLeakyReluOfModel";

/** Attributes of both kernels: their backward pass's (NHWC, dilation 1), `inputGrad` optional. */
export interface ConvBiasLeakyReluAttrs extends Omit<LayerBackwardAttrs, "inputGrad"> {
  /**
   * False when the layer's input is data whose gradient no one takes (the encoder's first layer):
   * its backward pass then skips the input gradient (and computes it apart if asked after all).
   */
  inputGrad?: boolean;
}

type Shape4 = [number, number, number, number];

/** The checked inputs and attributes of a call. */
function parseArgs(name: string, args: Parameters<tf.KernelFunc>[0]) {
  const { x, filter, bias } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  if (x === undefined || filter === undefined || bias === undefined) {
    throw new Error(`Cannot run ${name}: inputs x, filter and bias are required; pass all three`);
  }
  for (const [what, t] of [["x", x], ["filter", filter], ["bias", bias]] as const) {
    if (t.dtype !== "float32") {
      throw new Error(`Cannot run ${name}: ${what} is ${t.dtype}; the kernel takes float32`);
    }
  }
  const attrs = args.attrs as unknown as ConvBiasLeakyReluAttrs;
  if (x.shape.length !== 4 || filter.shape.length !== 4) {
    throw new Error(`Cannot run ${name}: x and filter must be 4-D (NHWC, HWIO)`);
  }
  return { x, filter, bias, attrs, backend: args.backend as tf.MathBackendCPU };
}

/**
 * The geometry of a call (the convolution from `from` to its output, whose input side is the
 * output of a transposed one) and its epilogue, the bias checked against the `channels` it adds to.
 */
function layerOf(
  name: string,
  from: Shape4,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo,
  attrs: ConvBiasLeakyReluAttrs,
  channels: "outChannels" | "inChannels",
  backend: tf.MathBackendCPU,
) {
  const info = nhwcConvInfo(from, filter.shape, attrs.strides, attrs.pad);
  if (bias.shape.length !== 1 || bias.shape[0] !== info[channels]) {
    throw new Error(
      `Cannot run ${name}: bias must have ${info[channels]} values (got shape ${
        JSON.stringify(bias.shape)
      })`,
    );
  }
  // A copy of the (small) bias: it travels to the worker threads with each task.
  const epilogue = { bias: cpuValues(backend, bias).slice(), alpha: attrs.alpha };
  return { info, g: geometryFromInfo(info), epilogue };
}

/** The `CONV2D_BIAS_LEAKY_RELU` kernel function of the cpu backend. */
export const conv2dBiasLeakyReluCpu: tf.KernelFunc = (args) => {
  const name = CONV2D_BIAS_LEAKY_RELU;
  const { x, filter, bias, attrs, backend } = parseArgs(name, args);
  const l = layerOf(name, x.shape as Shape4, filter, bias, attrs, "outChannels", backend);
  const xv = cpuValues(backend, x), wv = cpuValues(backend, filter);
  const y = conv2dNhwc(xv, wv, l.g, l.epilogue);
  return backend.makeTensorInfo(l.info.outShape, "float32", y);
};

/** The `CONV2D_TRANSPOSE_BIAS_LEAKY_RELU` kernel function of the cpu backend. */
export const conv2dTransposeBiasLeakyReluCpu: tf.KernelFunc = (args) => {
  const name = CONV2D_TRANSPOSE_BIAS_LEAKY_RELU;
  const { x, filter, bias, attrs, backend } = parseArgs(name, args);
  if (attrs.outShape === undefined || attrs.outShape.length !== 4) {
    throw new Error(`Cannot run ${name}: attribute outShape (4-D) is required`);
  }
  // A transposed convolution is the input gradient of the convolution from outShape to x.
  const l = layerOf(name, attrs.outShape, filter, bias, attrs, "inChannels", backend);
  const xv = cpuValues(backend, x), wv = cpuValues(backend, filter);
  const y = conv2dBackpropInputNhwc(xv, wv, l.g, l.epilogue);
  return backend.makeTensorInfo(l.info.inShape, "float32", y);
};

/**
 * dz = dy·φ'(y) and the bias gradient Σ over N, H, W of dz (see the module doc), from one kernel
 * with the bytes of `LeakyReluGradOfModel` and `Sum`. It is registered wherever the fused
 * kernels are (the cpu backend, with them), and only their outputs reach this gradient.
 */
function activationGrads(dy: tf.Tensor, y: tf.Tensor, alpha: number) {
  const [dz, bias] = tf.engine().runKernel(
    LEAKY_RELU_GRAD_AND_BIAS_GRAD,
    { dy, x: y },
    { alpha },
  ) as tf.Tensor[];
  return { dz: dz as tf.Tensor4D, bias: () => bias };
}

/**
 * The gradient config of a fused kernel (saved: x, filter, then the output y): the activation's
 * and the bias's gradients as above, `inputGrads` for x and the filter from dz.
 */
function layerGradient(
  kernelName: string,
  inputGrads: (
    x: tf.Tensor4D,
    filter: tf.Tensor4D,
    dz: tf.Tensor4D,
    a: ConvBiasLeakyReluAttrs,
  ) => { x: () => tf.Tensor; filter: () => tf.Tensor },
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ["x", "filter"],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as ConvBiasLeakyReluAttrs;
      const apart = () => {
        const { dz, bias } = activationGrads(dy as tf.Tensor, y, a.alpha);
        return { ...inputGrads(x, filter, dz, a), bias };
      };
      if (tf.getKernel(CONV_BIAS_LEAKY_RELU_BACKWARD, tf.getBackend()) === undefined) {
        return apart();
      }
      const inputGrad = a.inputGrad !== false;
      const backwardAttrs: LayerBackwardAttrs = {
        strides: a.strides,
        pad: a.pad,
        alpha: a.alpha,
        outShape: a.outShape,
        inputGrad,
      };
      const [dw, db, dx] = tf.engine().runKernel(
        CONV_BIAS_LEAKY_RELU_BACKWARD,
        { dy: dy as tf.Tensor, y, x, filter },
        backwardAttrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      // An input gradient asked of a layer that said it needs none: the three calls give it.
      return { x: () => dx ?? apart().x(), filter: () => dw, bias: () => db };
    },
  };
}

/** The filter gradient of the convolution from `x` with output gradient `dy`. */
function filterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  { strides, pad }: ConvBiasLeakyReluAttrs,
): tf.Tensor {
  return tf.engine().runKernel(
    tf.Conv2DBackpropFilter,
    { x, dy },
    { strides, pad, dataFormat: "NHWC", filterShape: filter.shape },
  ) as tf.Tensor;
}

/** The gradients of both kernels, as tfjs's own for `Conv2D` and `Conv2DBackpropInput`. */
export const CONV_BIAS_LEAKY_RELU_GRADIENTS: tf.GradConfig[] = [
  layerGradient(CONV2D_BIAS_LEAKY_RELU, (x, filter, dz, a) => ({
    x: () =>
      tf.engine().runKernel(
        tf.Conv2DBackpropInput,
        { dy: dz, filter },
        { strides: a.strides, pad: a.pad, dataFormat: "NHWC", inputShape: x.shape },
      ) as tf.Tensor,
    filter: () => filterGrad(x, dz, filter, a),
  })),
  layerGradient(CONV2D_TRANSPOSE_BIAS_LEAKY_RELU, (x, filter, dz, a) => ({
    x: () => tf.conv2d(dz, filter, a.strides, a.pad),
    // The transposed convolution's input x is the output side of the convolution it transposes.
    filter: () => filterGrad(dz, x, filter, a),
  })),
];

/**
 * φ(conv(x, filter) + bias), or φ(conv2dTranspose(x, filter, outShape) + bias) with
 * `attrs.outShape`, in one kernel where the active backend has it; `null` where it has not (or
 * for α < 0, where the gradient's use of the output's sign would not hold): the caller then
 * runs the separate ops.
 */
export function convBiasLeakyRelu(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor,
  attrs: ConvBiasLeakyReluAttrs,
): tf.Tensor4D | null {
  const name = attrs.outShape === undefined
    ? CONV2D_BIAS_LEAKY_RELU
    : CONV2D_TRANSPOSE_BIAS_LEAKY_RELU;
  if (
    !(attrs.alpha >= 0) || x.dtype !== "float32" || filter.dtype !== "float32" ||
    bias.dtype !== "float32" || tf.getKernel(name, tf.getBackend()) === undefined
  ) {
    return null;
  }
  return tf.engine().runKernel(
    name,
    { x, filter, bias },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}
