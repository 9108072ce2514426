/**
 * The grouped kernels of `group_kernels_cpu.ts` for the tfjs `webgpu` backend: one dispatch
 * (two for a split reduction) serves all K models, so the host cost of an update, ~50 µs per
 * dispatch in Deno, no longer grows with K.
 *
 * - Forward convolution: one thread per output value, a dot product over the filter's taps
 *   and input channels in a fixed order (rows, columns, channels).
 * - Input gradient (the transposed convolution): one thread per input value, over the taps
 *   that reach it and the output channels, in a fixed order.
 * - Filter and bias gradients: long sums (B·OH·OW terms per filter value), split as the
 *   single-model filter gradient splits them (`reductionSplit`, which depends on one model's
 *   shapes only), a tree reduction per workgroup, then the chunks added in order.
 * - Bias addition: elementwise.
 *
 * Model k's values are computed by the same shader code on model k's block, with a split that
 * does not depend on K: a model's bytes are the same in a group of any size on one device
 * (tested). They are not the stock tfjs WebGPU convolutions' bytes (a tiled matrix product
 * with another summation order): a single model trained through these kernels (a group of
 * one) is the reference a group is held to.
 *
 * Inputs are handed to the shaders as flat arrays (the shapes travel as uniforms), so no
 * rank-5 index helper is involved.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { REDUCTION_WORKGROUP, reductionSplit } from "../kernels/conv2d_backprop_filter_webgpu.ts";
import { type ConvGeometry, geometryFromInfo } from "../kernels/conv_geometry.ts";
import {
  GROUP_BIAS_ADD,
  GROUP_BIAS_GRAD,
  GROUP_CONV2D,
  GROUP_CONV2D_BACKPROP_FILTER,
  GROUP_CONV2D_BACKPROP_INPUT,
  GROUP_SCALE,
  type GroupConvAttrs,
} from "./group_kernels_cpu.ts";

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const flat = (t: tf.TensorInfo): tf.TensorInfo => ({ ...t, shape: [size(t.shape)] });

/** The geometry uniforms every convolution shader declares, in this order. */
const CONV_UNIFORMS = "K : i32, B : i32, H : i32, W : i32, C : i32, OH : i32, OW : i32, " +
  "O : i32, FH : i32, FW : i32, SH : i32, SW : i32, padTop : i32, padLeft : i32,";

function convUniforms(K: number, g: ConvGeometry) {
  return [
    K,
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
  ].map((v) => ({ type: "int32", data: [v] }));
}

/** An elementwise program over a flat output of `n` values, 64 threads per workgroup. */
abstract class FlatProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract uniforms: string;
  abstract shaderKey: string;
  outputShape: number[];
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size: boolean = true;
  constructor(n: number) {
    this.outputShape = [n];
    this.dispatch = [Math.ceil(n / 64), 1, 1];
  }
  abstract getUserCode(): string;
}

/** Forward convolutions: one thread per output value `(k·B + b, yR, yC, o)`. */
class GroupConvProgram extends FlatProgram {
  variableNames = ["x", "w"];
  uniforms = CONV_UNIFORMS;
  shaderKey = "groupConv2d";
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let O = uniforms.O;
        let C = uniforms.C;
        let o = index % O;
        var r = index / O;
        let yC = r % uniforms.OW;
        r = r / uniforms.OW;
        let yR = r % uniforms.OH;
        r = r / uniforms.OH;
        let k = r / uniforms.B;
        var sum = 0.0;
        for (var wR = 0; wR < uniforms.FH; wR = wR + 1) {
          let xR = yR * uniforms.SH + wR - uniforms.padTop;
          if (xR < 0 || xR >= uniforms.H) { continue; }
          for (var wC = 0; wC < uniforms.FW; wC = wC + 1) {
            let xC = yC * uniforms.SW + wC - uniforms.padLeft;
            if (xC < 0 || xC >= uniforms.W) { continue; }
            let xBase = ((r * uniforms.H + xR) * uniforms.W + xC) * C;
            let wBase = ((k * uniforms.FH + wR) * uniforms.FW + wC) * C * O + o;
            for (var c = 0; c < C; c = c + 1) {
              sum = sum + x[xBase + c] * w[wBase + c * O];
            }
          }
        }
        setOutputAtIndex(index, sum);
      }
    }`;
  }
}

/** Input gradients: one thread per input value `(k·B + b, xR, xC, c)`. */
class GroupConvBackpropInputProgram extends FlatProgram {
  variableNames = ["dy", "w"];
  uniforms = CONV_UNIFORMS;
  shaderKey = "groupConv2dBackpropInput";
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let O = uniforms.O;
        let C = uniforms.C;
        let c = index % C;
        var r = index / C;
        let xC = r % uniforms.W;
        r = r / uniforms.W;
        let xR = r % uniforms.H;
        r = r / uniforms.H;
        let k = r / uniforms.B;
        var sum = 0.0;
        for (var wR = 0; wR < uniforms.FH; wR = wR + 1) {
          let rowT = xR + uniforms.padTop - wR;
          if (rowT < 0 || rowT % uniforms.SH != 0) { continue; }
          let yR = rowT / uniforms.SH;
          if (yR >= uniforms.OH) { continue; }
          for (var wC = 0; wC < uniforms.FW; wC = wC + 1) {
            let colT = xC + uniforms.padLeft - wC;
            if (colT < 0 || colT % uniforms.SW != 0) { continue; }
            let yC = colT / uniforms.SW;
            if (yC >= uniforms.OW) { continue; }
            let dyBase = ((r * uniforms.OH + yR) * uniforms.OW + yC) * O;
            let wBase = (((k * uniforms.FH + wR) * uniforms.FW + wC) * C + c) * O;
            for (var o = 0; o < O; o = o + 1) {
              sum = sum + dy[dyBase + o] * w[wBase + o];
            }
          }
        }
        setOutputAtIndex(index, sum);
      }
    }`;
  }
}

/** Bias additions: `y[i] = x[i] + bias[k, i mod O]`, `per` values per model. */
class GroupBiasAddProgram extends FlatProgram {
  variableNames = ["x", "bias"];
  uniforms = "per : i32, O : i32,";
  shaderKey = "groupBiasAdd";
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let k = index / uniforms.per;
        setOutputAtIndex(index, x[index] + bias[k * uniforms.O + index % uniforms.O]);
      }
    }`;
  }
}

/** Per-model factors: `y[i] = x[i] · scale[k]`, `per` values per model. */
class GroupScaleProgram extends FlatProgram {
  variableNames = ["x", "scale"];
  uniforms = "per : i32,";
  shaderKey = "groupScale";
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        setOutputAtIndex(index, x[index] * scale[index / uniforms.per]);
      }
    }`;
  }
}

/**
 * Split pass of a long sum per output value e: the `terms` terms of e are cut into `splits`
 * chunks; workgroup (e, s) has each thread add a strided part of chunk s in order, then a
 * fixed tree reduction. `term(e, i)` is the i-th term of e's sum.
 */
class GroupSplitSumProgram implements WebGPUProgram {
  variableNames: string[];
  uniforms: string;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [REDUCTION_WORKGROUP, 1, 1];
  #term: string;
  constructor(
    kind: string,
    variableNames: string[],
    uniforms: string,
    term: string,
    outputs: number,
    numGroups: number,
  ) {
    this.variableNames = variableNames;
    this.uniforms = uniforms + " numGroups : i32, splits : i32, chunk : i32, terms : i32,";
    this.shaderKey = `groupSplitSum_${kind}`;
    this.outputShape = [outputs];
    this.dispatch = [numGroups, 1, 1];
    this.#term = term;
  }
  getUserCode(): string {
    const wg = REDUCTION_WORKGROUP;
    return `
    var<workgroup> partialSums : array<f32, ${wg}>;
    ${this.#term}
    fn main(index : i32) {
      let lid = index % ${wg};
      let group = index / ${wg};
      // Workgroups past the last (a dispatch folded into 2-D) still reach every barrier.
      let inRange = group < uniforms.numGroups;
      var sum = 0.0;
      if (inRange) {
        let e = group / uniforms.splits;
        let s = group - e * uniforms.splits;
        let start = s * uniforms.chunk;
        let end = min(start + uniforms.chunk, uniforms.terms);
        for (var i = start + lid; i < end; i = i + ${wg}) {
          sum = sum + term(e, i);
        }
      }
      partialSums[lid] = sum;
      workgroupBarrier();
      for (var width = ${wg / 2}; width > 0; width = width / 2) {
        if (lid < width) {
          partialSums[lid] = partialSums[lid] + partialSums[lid + width];
        }
        workgroupBarrier();
      }
      if (inRange && lid == 0) {
        setOutputAtIndex(group, partialSums[0]);
      }
    }`;
  }
}

/** Gather pass: value e adds its `splits` partial sums in order. */
class GroupGatherProgram extends FlatProgram {
  variableNames = ["partial"];
  uniforms = "splits : i32,";
  shaderKey = "groupGather";
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        var sum = 0.0;
        let base = index * uniforms.splits;
        for (var s = 0; s < uniforms.splits; s = s + 1) {
          sum = sum + partial[base + s];
        }
        setOutputAtIndex(index, sum);
      }
    }`;
  }
}

/** Filter value e = ((k·FH + wR)·FW + wC)·C·O + c·O + o; term i = output pixel (b, yR, yC). */
const FILTER_TERM = `
    fn term(e : i32, i : i32) -> f32 {
      let O = uniforms.O;
      let C = uniforms.C;
      let o = e % O;
      var f = e / O;
      let c = f % C;
      f = f / C;
      let wC = f % uniforms.FW;
      f = f / uniforms.FW;
      let wR = f % uniforms.FH;
      let k = f / uniforms.FH;
      let OHW = uniforms.OH * uniforms.OW;
      let b = i / OHW;
      let rest = i - b * OHW;
      let yR = rest / uniforms.OW;
      let yC = rest - yR * uniforms.OW;
      let xR = yR * uniforms.SH + wR - uniforms.padTop;
      let xC = yC * uniforms.SW + wC - uniforms.padLeft;
      if (xR < 0 || xR >= uniforms.H || xC < 0 || xC >= uniforms.W) { return 0.0; }
      let kb = k * uniforms.B + b;
      return x[((kb * uniforms.H + xR) * uniforms.W + xC) * C + c] *
          dy[((k * uniforms.B * OHW) + i) * O + o];
    }`;

/** Bias value e = k·O + o; term i = the i-th of model k's B·H·W positions. */
const BIAS_TERM = `
    fn term(e : i32, i : i32) -> f32 {
      let k = e / uniforms.O;
      let o = e % uniforms.O;
      return x[(k * uniforms.terms + i) * uniforms.O + o];
    }`;

/** Runs a split sum and, when it has more than one chunk, its in-order gather. */
function splitSum(
  backend: WebGPUBackend,
  kind: string,
  inputs: tf.TensorInfo[],
  variableNames: string[],
  uniformDecl: string,
  uniforms: { type: string; data: number[] }[],
  term: string,
  outputs: number,
  split: { splits: number; chunk: number; terms: number },
): tf.TensorInfo {
  const numGroups = outputs * split.splits;
  const partial = backend.runWebGPUProgram(
    new GroupSplitSumProgram(kind, variableNames, uniformDecl, term, numGroups, numGroups),
    inputs.map(flat),
    "float32",
    [
      ...uniforms,
      ...[numGroups, split.splits, split.chunk, split.terms].map((v) => ({
        type: "int32",
        data: [v],
      })),
    ],
  );
  if (split.splits === 1) return partial;
  const out = backend.runWebGPUProgram(
    new GroupGatherProgram(outputs),
    [partial],
    "float32",
    [{ type: "int32", data: [split.splits] }],
  );
  backend.disposeData(partial.dataId);
  return out;
}

/** One model's convolution geometry from 5-D shapes. */
function modelGeometry(xShape: number[], filterShape: number[], a: GroupConvAttrs): ConvGeometry {
  return geometryFromInfo(tf.backend_util.computeConv2DInfo(
    xShape.slice(1) as [number, number, number, number],
    filterShape.slice(1) as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    undefined,
    false,
    "channelsLast",
  ));
}

const reshaped = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ ...t, shape });

const groupConv2d: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const g = modelGeometry(x.shape, filter.shape, attrs as unknown as GroupConvAttrs);
  const K = x.shape[0];
  const shape = [K, g.batch, g.outHeight, g.outWidth, g.outChannels];
  const y = gpu.runWebGPUProgram(
    new GroupConvProgram(size(shape)),
    [flat(x), flat(filter)],
    "float32",
    convUniforms(K, g),
  );
  return reshaped(y, shape);
};

const groupConv2dBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as GroupConvAttrs;
  const g = modelGeometry(a.inputShape!, filter.shape, a);
  const K = a.inputShape![0];
  const dx = gpu.runWebGPUProgram(
    new GroupConvBackpropInputProgram(size(a.inputShape!)),
    [flat(dy), flat(filter)],
    "float32",
    convUniforms(K, g),
  );
  return reshaped(dx, a.inputShape!);
};

const groupConv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as GroupConvAttrs;
  const g = modelGeometry(x.shape, a.filterShape!, a);
  const K = x.shape[0];
  // One model's split: the same whatever K.
  const split = reductionSplit(g);
  const dw = splitSum(
    gpu,
    "filter",
    [x, dy],
    ["x", "dy"],
    CONV_UNIFORMS,
    convUniforms(K, g),
    FILTER_TERM,
    K * split.filterSize,
    split,
  );
  return reshaped(dw, a.filterShape!);
};

const groupBiasAdd: tf.KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { x, bias } = inputs as { x: tf.TensorInfo; bias: tf.TensorInfo };
  const K = x.shape[0], O = x.shape[x.shape.length - 1], n = size(x.shape);
  const y = gpu.runWebGPUProgram(
    new GroupBiasAddProgram(n),
    [flat(x), flat(bias)],
    "float32",
    [{ type: "int32", data: [n / K] }, { type: "int32", data: [O] }],
  );
  return reshaped(y, x.shape);
};

const groupScale: tf.KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { x, scale } = inputs as { x: tf.TensorInfo; scale: tf.TensorInfo };
  const K = x.shape[0], n = size(x.shape);
  const y = gpu.runWebGPUProgram(
    new GroupScaleProgram(n),
    [flat(x), flat(scale)],
    "float32",
    [{ type: "int32", data: [n / K] }],
  );
  return reshaped(y, x.shape);
};

const groupBiasGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { x } = inputs as { x: tf.TensorInfo };
  const K = x.shape[0], O = x.shape[x.shape.length - 1];
  const terms = size(x.shape) / (K * O);
  // Split as a filter gradient with one value per channel and `terms` terms would be.
  const byTarget = Math.ceil(1024 / O);
  const byWork = Math.floor(terms / (8 * REDUCTION_WORKGROUP));
  const splits = Math.max(1, Math.min(byTarget, byWork));
  const out = splitSum(
    gpu,
    "bias",
    [x],
    ["x"],
    "O : i32,",
    [{ type: "int32", data: [O] }],
    BIAS_TERM,
    K * O,
    { splits, chunk: Math.max(1, Math.ceil(terms / splits)), terms },
  );
  return reshaped(out, [K, O]);
};

/** The grouped kernels of the webgpu backend, for `tf.registerKernel`. */
export const GROUP_WEBGPU_KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: GROUP_CONV2D, backendName: "webgpu", kernelFunc: groupConv2d },
  {
    kernelName: GROUP_CONV2D_BACKPROP_INPUT,
    backendName: "webgpu",
    kernelFunc: groupConv2dBackpropInput,
  },
  {
    kernelName: GROUP_CONV2D_BACKPROP_FILTER,
    backendName: "webgpu",
    kernelFunc: groupConv2dBackpropFilter,
  },
  { kernelName: GROUP_BIAS_ADD, backendName: "webgpu", kernelFunc: groupBiasAdd },
  { kernelName: GROUP_SCALE, backendName: "webgpu", kernelFunc: groupScale },
  { kernelName: GROUP_BIAS_GRAD, backendName: "webgpu", kernelFunc: groupBiasGrad },
];
