/**
 * A parallel `Conv2DBackpropFilter` for the tfjs `webgpu` backend (NHWC, dilation 1).
 *
 * The stock `Conv2DDerFilterProgram` runs one thread per filter element, each summing serially
 * over batch × output pixels: the first layer of the paper's autoencoder has 72 filter elements,
 * so 72 threads of 307,200 dependent iterations each, and the GPU is nearly idle. Here the sum of
 * each filter element is split over workgroups of 256 threads:
 *
 * 1. `split` pass: the reduction range `[0, N·OH·OW)` of filter element f is cut into S equal
 *    chunks; workgroup (f, s) has each of its 256 threads sum a strided part of chunk s serially,
 *    then combines the 256 partial sums by a tree reduction in workgroup memory, and writes one
 *    partial sum. S is chosen from the shapes alone (about 1,024 workgroups in all), so the
 *    result does not depend on the device.
 * 2. `gather` pass (when S > 1): one thread per filter element adds its S partial sums in order.
 *
 * Every sum has a fixed order (no atomics), so the result is deterministic on a given device.
 *
 * Only the WebGPU program types come from `@tensorflow/tfjs-backend-webgpu` (type imports,
 * erased at run time): importing this module does not load or register the webgpu backend.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { type ConvGeometry, geometryFromInfo } from "./conv_geometry.ts";

/** Threads per workgroup of the split pass (the WebGPU default limit on invocations). */
export const REDUCTION_WORKGROUP = 256;
/** About how many workgroups the split pass aims at (enough to fill a large GPU). */
const TARGET_WORKGROUPS = 1024;
/** Fewest reduction terms per workgroup worth a split of their own (8 per thread). */
const MIN_TERMS_PER_WORKGROUP = 8 * REDUCTION_WORKGROUP;

/** How a filter-gradient reduction is split: S chunks of `chunk` terms each. */
export interface ReductionSplit {
  /** Number of filter elements F. */
  filterSize: number;
  /** Terms of each element's sum: N·OH·OW. */
  terms: number;
  /** Chunks per filter element (S ≥ 1). */
  splits: number;
  /** Terms per chunk (the last chunk may be shorter). */
  chunk: number;
}

/** Chooses the split of the filter-gradient sums for geometry `g` (a function of shapes only). */
export function reductionSplit(g: ConvGeometry): ReductionSplit {
  const filterSize = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
  const terms = g.batch * g.outHeight * g.outWidth;
  const byTarget = Math.ceil(TARGET_WORKGROUPS / Math.max(1, filterSize));
  const byWork = Math.floor(terms / MIN_TERMS_PER_WORKGROUP);
  const splits = Math.max(1, Math.min(byTarget, byWork));
  return { filterSize, terms, splits, chunk: Math.max(1, Math.ceil(terms / splits)) };
}

/** Split pass: one workgroup per (filter element, chunk), tree reduction in workgroup memory. */
export class Conv2DDerFilterSplitProgram implements WebGPUProgram {
  /** Names of the input buffers, in binding order. */
  variableNames: string[] = ["x", "dy"];
  /** Program-defined uniforms, declared in the order of the kernel's uniform data. */
  uniforms: string = "pads : vec2<i32>, strides : vec2<i32>, batchSize : i32, outHeight : i32, " +
    "outWidth : i32, inHeight : i32, inWidth : i32, inChannels : i32, outChannels : i32, " +
    "filterWidth : i32, numGroups : i32, splits : i32, chunk : i32,";
  /** Output shape: the filter shape when S = 1, else `[F, S]` partial sums. */
  outputShape: number[];
  /** Cache key of the compiled shader (tfjs appends ranks and dtypes). */
  shaderKey: string = "fastConv2DDerFilterSplit";
  /** Flat dispatch: workgroup w covers global indices [256·w, 256·w + 256). */
  dispatchLayout: { x: number[] } = { x: [0] };
  /** Workgroups to launch (tfjs folds it into 2-D if over the per-dimension limit). */
  dispatch: [number, number, number];
  /** One-dimensional workgroups of {@linkcode REDUCTION_WORKGROUP} threads. */
  workgroupSize: [number, number, number] = [REDUCTION_WORKGROUP, 1, 1];

  /** A split pass writing `outputShape` (F·S values in (f, s) order). */
  constructor(outputShape: number[], numGroups: number) {
    this.outputShape = outputShape;
    this.dispatch = [numGroups, 1, 1];
  }

  /** WGSL of `main`; tfjs adds the buffers, uniforms and helpers. */
  getUserCode(): string {
    const wg = REDUCTION_WORKGROUP;
    return `
    var<workgroup> partialSums : array<f32, ${wg}>;

    fn main(index : i32) {
      let lid = index % ${wg};
      let group = index / ${wg};
      // Workgroups past the last one (when tfjs folds the dispatch into 2-D) compute nothing but
      // still reach every barrier: barriers must be met in uniform control flow.
      let inRange = group < uniforms.numGroups;
      var sum = 0.0;
      if (inRange) {
        let f = group / uniforms.splits;
        let s = group - f * uniforms.splits;
        let K = uniforms.outChannels;
        let C = uniforms.inChannels;
        let d2 = f % K;
        let f1 = f / K;
        let d1 = f1 % C;
        let f2 = f1 / C;
        let wC = f2 % uniforms.filterWidth;
        let wR = f2 / uniforms.filterWidth;
        let OW = uniforms.outWidth;
        let OHW = uniforms.outHeight * OW;
        let terms = uniforms.batchSize * OHW;
        let start = s * uniforms.chunk;
        let end = min(start + uniforms.chunk, terms);
        // Term i is the output pixel (b, yR, yC) with i = (b·OH + yR)·OW + yC; its dy value is
        // dy[i·K + d2]. Thread lid takes terms start + lid, start + lid + ${wg}, ... in order.
        for (var i = start + lid; i < end; i = i + ${wg}) {
          let b = i / OHW;
          let rest = i - b * OHW;
          let yR = rest / OW;
          let yC = rest - yR * OW;
          let xR = yR * uniforms.strides.x + wR - uniforms.pads.x;
          let xC = yC * uniforms.strides.y + wC - uniforms.pads.y;
          if (xR >= 0 && xR < uniforms.inHeight && xC >= 0 && xC < uniforms.inWidth) {
            sum = sum + x[((b * uniforms.inHeight + xR) * uniforms.inWidth + xC) * C + d1] *
                dy[i * K + d2];
          }
        }
      }
      partialSums[lid] = sum;
      workgroupBarrier();
      // Tree reduction: a fixed pairing, so a fixed summation order.
      for (var width = ${wg / 2}; width > 0; width = width / 2) {
        if (lid < width) {
          partialSums[lid] = partialSums[lid] + partialSums[lid + width];
        }
        workgroupBarrier();
      }
      if (inRange && lid == 0) {
        setOutputAtIndex(group, partialSums[0]);
      }
    }
  `;
  }
}

/** Gather pass: one thread per filter element adds its S partial sums in order. */
export class Conv2DDerFilterGatherProgram implements WebGPUProgram {
  /** The split pass's output, `[F, S]`. */
  variableNames: string[] = ["partial"];
  /** S, the number of partial sums per filter element. */
  uniforms: string = "splits : i32,";
  /** The filter shape. */
  outputShape: number[];
  /** Cache key of the compiled shader. */
  shaderKey: string = "fastConv2DDerFilterGather";
  /** Flat dispatch over the filter elements. */
  dispatchLayout: { x: number[] } = { x: [0, 1, 2, 3] };
  /** Workgroups to launch. */
  dispatch: [number, number, number];
  /** 64 threads per workgroup. */
  workgroupSize: [number, number, number] = [64, 1, 1];
  /** Adds a `size` uniform (the output's size) for the bounds check. */
  size: boolean = true;

  /** A gather pass writing `filterShape`. */
  constructor(filterShape: number[]) {
    this.outputShape = filterShape;
    const n = filterShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(n / 64), 1, 1];
  }

  /** WGSL of `main`. */
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
    }
  `;
  }
}

/**
 * Builds the `Conv2DBackpropFilter` kernel function for the webgpu backend; cases it does not
 * handle (NCHW, non-float32) go to `fallback`, the stock kernel function.
 */
export function makeConv2dBackpropFilterWebgpu(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as tf.Conv2DBackpropFilterInputs;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (x === undefined || dy === undefined) {
      throw new Error("Cannot run Conv2DBackpropFilter: inputs x and dy are required; pass both");
    }
    if (attrs.dataFormat === "NCHW" || x.dtype !== "float32" || dy.dtype !== "float32") {
      return fallback(args);
    }
    const backend = args.backend as unknown as WebGPUBackend;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const g = geometryFromInfo(info);
    const split = reductionSplit(g);
    const numGroups = split.filterSize * split.splits;
    const splitShape = split.splits === 1 ? [...info.filterShape] : [
      split.filterSize,
      split.splits,
    ];
    const uniforms = [
      { type: "int32", data: [g.padTop, g.padLeft] },
      { type: "int32", data: [g.strideHeight, g.strideWidth] },
      { type: "int32", data: [g.batch] },
      { type: "int32", data: [g.outHeight] },
      { type: "int32", data: [g.outWidth] },
      { type: "int32", data: [g.inHeight] },
      { type: "int32", data: [g.inWidth] },
      { type: "int32", data: [g.inChannels] },
      { type: "int32", data: [g.outChannels] },
      { type: "int32", data: [g.filterWidth] },
      { type: "int32", data: [numGroups] },
      { type: "int32", data: [split.splits] },
      { type: "int32", data: [split.chunk] },
    ];
    const partial = backend.runWebGPUProgram(
      new Conv2DDerFilterSplitProgram(splitShape, numGroups),
      [x, dy],
      "float32",
      uniforms,
    );
    if (split.splits === 1) return partial;
    const out = backend.runWebGPUProgram(
      new Conv2DDerFilterGatherProgram([...info.filterShape]),
      [partial],
      "float32",
      [{ type: "int32", data: [split.splits] }],
    );
    backend.disposeData(partial.dataId);
    return out;
  };
}
