/**
 * Differentiable operations with a model axis, over the kernels of `group_kernels_cpu.ts`.
 *
 * Each op's gradient is the one tfjs defines for its single-model counterpart, applied model by
 * model by the grouped kernels: `Conv2D` → input gradient `Conv2DBackpropInput(x.shape, dy, w)`,
 * filter gradient `Conv2DBackpropFilter(x, dy)`; the transposed convolution
 * (`Conv2DBackpropInput`) → `Conv2D(ddx, w)` and `Conv2DBackpropFilter(ddx, dy)`; a bias
 * addition → the upstream gradient, and its sum over the other axes for the bias.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  GROUP_BIAS_ADD,
  GROUP_BIAS_GRAD,
  GROUP_CONV2D,
  GROUP_CONV2D_BACKPROP_FILTER,
  GROUP_CONV2D_BACKPROP_INPUT,
  GROUP_CONV2D_BIAS_LEAKY_RELU,
  GROUP_LEAKY_RELU_GRAD_AND_BIAS_GRAD,
  GROUP_SCALE,
  type GroupConvAttrs,
} from "./group_kernels_cpu.ts";

import { registerGradientsOnce } from "../kernels/register_gradients.ts";

type Args = (tf.Tensor | tf.GradSaveFunc)[];

const run = (name: string, inputs: tf.NamedTensorMap, attrs: GroupConvAttrs | object) =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

/**
 * The input and filter gradients of K convolutions of `x` with filters `w` (or, `transposed`,
 * of K transposed convolutions), from the gradient `dy` of their output: tfjs's own gradients
 * of `conv2d` and `conv2dTranspose`, model by model. Each is computed when called.
 */
function groupConvGrads(
  x: tf.Tensor,
  w: tf.Tensor,
  dy: tf.Tensor,
  strides: [number, number],
  pad: "same" | "valid",
  transposed: boolean,
): { x: () => tf.Tensor; filter: () => tf.Tensor } {
  const filterShape = w.shape;
  if (transposed) {
    // A transposed convolution's input is the output side of the convolution it transposes.
    return {
      x: () => run(GROUP_CONV2D, { x: dy, filter: w }, { strides, pad }),
      filter: () =>
        run(GROUP_CONV2D_BACKPROP_FILTER, { x: dy, dy: x }, { strides, pad, filterShape }),
    };
  }
  return {
    x: () =>
      run(GROUP_CONV2D_BACKPROP_INPUT, { dy, filter: w }, { strides, pad, inputShape: x.shape }),
    filter: () => run(GROUP_CONV2D_BACKPROP_FILTER, { x, dy }, { strides, pad, filterShape }),
  };
}

/**
 * K convolutions: `x [K,B,H,W,C]` with `w [K,kh,kw,C,O]` → `[K,B,OH,OW,O]`, as `tf.conv2d`
 * per model.
 */
export function groupConv2d(
  x: tf.Tensor,
  w: tf.Tensor,
  strides: [number, number],
  pad: "same" | "valid",
): tf.Tensor {
  const op = tf.customGrad((...args: Args) => {
    const [xx, ww, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: run(GROUP_CONV2D, { x: xx, filter: ww }, { strides, pad }),
      gradFunc: (dy: tf.Tensor, [xs, wsv]: tf.Tensor[]) => {
        const g = groupConvGrads(xs, wsv, dy, strides, pad, false);
        return [g.x(), g.filter()];
      },
    };
  });
  return op(x, w);
}

/**
 * K transposed convolutions: `x [K,B,h,w,I]` with `w [K,kh,kw,O,I]` (TensorFlow's layout for
 * a transposed convolution's kernel) → `outShape [K,B,OH,OW,O]`, as `tf.conv2dTranspose` per
 * model.
 */
export function groupConv2dTranspose(
  x: tf.Tensor,
  w: tf.Tensor,
  outShape: number[],
  strides: [number, number],
  pad: "same" | "valid",
): tf.Tensor {
  const op = tf.customGrad((...args: Args) => {
    const [xx, ww, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: run(GROUP_CONV2D_BACKPROP_INPUT, { dy: xx, filter: ww }, {
        strides,
        pad,
        inputShape: outShape,
      }),
      gradFunc: (ddx: tf.Tensor, [xs, wsv]: tf.Tensor[]) => {
        const g = groupConvGrads(xs, wsv, ddx, strides, pad, true);
        return [g.x(), g.filter()];
      },
    };
  });
  return op(x, w);
}

/** `x [K,…,O] + bias [K,O]`, each model's bias on its own block, as `tf.add(x, b)` per model. */
export function groupBiasAdd(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: Args) => {
    const [xx, bb] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    return {
      value: run(GROUP_BIAS_ADD, { x: xx, bias: bb }, {}),
      gradFunc: (dy: tf.Tensor) => [tf.reshape(dy, dy.shape), run(GROUP_BIAS_GRAD, { x: dy }, {})],
    };
  });
  return op(x, bias);
}

/**
 * `x [K,…]` times `scale [K]`, model k's block by its own factor: the float32 products a
 * multiplication by a scalar gives each model. Not differentiable (it serves in gradients).
 */
export function groupScale(x: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return run(GROUP_SCALE, { x, scale }, {});
}

/**
 * The gradient of {@linkcode GROUP_CONV2D_BIAS_LEAKY_RELU} (saved: x, filter, the output y): the
 * grouped ops' gradients above, model by model the single model's fused layer's, computed only
 * for the inputs a backward pass asks for.
 */
const GROUP_FUSED_GRADIENT: tf.GradConfig = {
  kernelName: GROUP_CONV2D_BIAS_LEAKY_RELU,
  inputsToSave: ["x", "filter"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved;
    const a = attrs as unknown as GroupConvAttrs;
    const [dz, db] = tf.engine().runKernel(
      GROUP_LEAKY_RELU_GRAD_AND_BIAS_GRAD,
      { dy: dy as tf.Tensor, x: y },
      { alpha: a.alpha! },
    ) as tf.Tensor[];
    const transposed = a.inputShape !== undefined;
    return { ...groupConvGrads(x, filter, dz, a.strides, a.pad, transposed), bias: () => db };
  },
};

/**
 * K layers φ(conv(x, w) + bias) (or transposed, with `outShape`) in one kernel where the active
 * backend has it (cpu), each model's bytes those of the separate grouped ops; `null` elsewhere
 * (the caller then runs them).
 */
export function groupConvBiasLeakyRelu(
  x: tf.Tensor,
  w: tf.Tensor,
  bias: tf.Tensor,
  strides: [number, number],
  pad: "same" | "valid",
  alpha: number,
  outShape?: number[],
): tf.Tensor | null {
  if (!(alpha >= 0) || tf.getKernel(GROUP_CONV2D_BIAS_LEAKY_RELU, tf.getBackend()) === undefined) {
    return null;
  }
  registerGradientsOnce([GROUP_FUSED_GRADIENT]);
  const attrs: GroupConvAttrs = { strides, pad, alpha, inputShape: outShape };
  return run(GROUP_CONV2D_BIAS_LEAKY_RELU, { x, filter: w, bias }, attrs);
}
