/**
 * One-dispatch elementwise kernels for the tfjs `webgpu` backend: the leaky-ReLU gradient and
 * the Adam update.
 *
 * Why: on a fast GPU a training step is bounded by the host, at roughly 80 µs per dispatch
 * (bind group, uniform upload, encoder work), not by the arithmetic. Written in tfjs ops, the
 * leaky-ReLU gradient is four dispatches (Step, Mul, Add, Mul) and Adam twelve per variable;
 * here they are one, and three per variable (the new m, v and θ: a program has one output).
 *
 * Each program computes the same float32 expression as the composite ops, in the same order,
 * so values agree with them up to the GPU compiler's freedom to fuse a multiply and an add.
 *
 * Only the WebGPU program types come from `@tensorflow/tfjs-backend-webgpu` (type imports,
 * erased at run time): importing this module does not load or register the webgpu backend.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { type AdamStepAttrs, adamStepInputs } from "./adam_step.ts";
import { LEAKY_RELU_GRAD } from "./leaky_relu_cpu.ts";

/** Threads per workgroup of the elementwise programs. */
const WORKGROUP = 64;

/**
 * A flat elementwise program: thread `index` computes output element `index` from the inputs'
 * elements (`name[index]`), scalars (`name[0]`) and uniforms (`uniforms.name`).
 */
export class ElementwiseProgram implements WebGPUProgram {
  /** Names of the input buffers, in binding order. */
  variableNames: string[];
  /** Program-defined uniforms (WGSL struct fields). */
  uniforms: string;
  /** Shape of the output. */
  outputShape: number[];
  /** Cache key of the compiled shader. */
  shaderKey: string;
  /** Flat dispatch over every dimension of the output. */
  dispatchLayout: { x: number[] };
  /** Workgroups to launch. */
  dispatch: [number, number, number];
  /** Threads per workgroup. */
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  /** Adds a `size` uniform (the output's size) for the bounds check. */
  size: boolean = true;
  #body: string;

  /**
   * `key` names the shader (one per distinct `body`); `body` is WGSL computing `result` from
   * `index`.
   */
  constructor(
    key: string,
    variableNames: string[],
    uniforms: string,
    outputShape: number[],
    body: string,
  ) {
    this.shaderKey = key;
    this.variableNames = variableNames;
    this.uniforms = uniforms;
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const n = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(n / WORKGROUP), 1, 1];
    this.#body = body;
  }

  /** WGSL of `main`; tfjs adds the buffers, uniforms and helpers. */
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        ${this.#body}
        setOutputAtIndex(index, result);
      }
    }
  `;
  }
}

/** Throws unless every input is present and float32 of the first one's shape. */
function checkSameShape(kernel: string, inputs: Record<string, tf.TensorInfo | undefined>) {
  const entries = Object.entries(inputs);
  const shape = entries[0][1]?.shape;
  for (const [name, t] of entries) {
    if (t === undefined) throw new Error(`Cannot run ${kernel}: input ${name} is required`);
    if (t.dtype !== "float32" || !tf.util.arraysEqual(t.shape, shape ?? [])) {
      throw new Error(
        `Cannot run ${kernel}: ${
          entries.map((e) => e[0]).join(", ")
        } must be float32 of one shape (${name} is ${t.dtype} [${t.shape}])`,
      );
    }
  }
}

/**
 * The {@linkcode LEAKY_RELU_GRAD} kernel of the webgpu backend: dx = dy·(x > 0 ? s : a), with
 * a = f32(α) and s = f32(a + f32(1 − α)), the two values the composite a + (1 − α)·step(x)
 * takes. A NaN in x gives α·dy here, NaN in the composite; training has diverged by then.
 */
export const leakyReluGradWebgpu: tf.KernelFunc = (args) => {
  const { dy, x } = args.inputs as { dy?: tf.TensorInfo; x?: tf.TensorInfo };
  checkSameShape(LEAKY_RELU_GRAD, { dy, x });
  const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha;
  if (typeof alpha !== "number") {
    throw new Error(`Cannot run ${LEAKY_RELU_GRAD}: attribute alpha is required`);
  }
  const a = Math.fround(alpha);
  const s = Math.fround(a + Math.fround(1 - alpha));
  const backend = args.backend as unknown as WebGPUBackend;
  return backend.runWebGPUProgram(
    new ElementwiseProgram(
      "fastLeakyReluGrad",
      ["dy", "x"],
      "a : f32, s : f32,",
      [...x!.shape],
      "let result = dy[index] * select(uniforms.a, uniforms.s, x[index] > 0.0);",
    ),
    [dy!, x!],
    "float32",
    [{ type: "float32", data: [a] }, { type: "float32", data: [s] }],
  );
};

/**
 * The `AdamStepOfModel` kernel of the webgpu backend (see `adam_step.ts`): three
 * dispatches, returning the new m, v and θ. With weight decay the first two read θ as well
 * (g + λθ is recomputed by each: cheaper than a dispatch of its own).
 */
export const adamStepWebgpu: tf.KernelFunc = (args) => {
  const { theta, m, v, g, beta1Power, beta2Power, factor } = adamStepInputs(args.inputs);
  const attrs = args.attrs as unknown as AdamStepAttrs;
  const backend = args.backend as unknown as WebGPUBackend;
  const shape = [...theta!.shape];
  const f32 = (x: number) => ({ type: "float32", data: [x] });
  const decay = attrs.weightDecay > 0;
  // g, or g + λθ in the order of the composite ops: the product first.
  const grad = decay ? "g[index] + uniforms.wd * theta[index]" : "g[index]";
  const gradInputs = decay ? [g!, theta!] : [g!];
  const gradNames = decay ? ["g", "theta"] : ["g"];
  const wd = decay ? [f32(attrs.weightDecay)] : [];
  const tag = decay ? "Decay" : "";
  // m ← m + (g − m)(1 − β1)
  const m1 = backend.runWebGPUProgram(
    new ElementwiseProgram(
      `fastAdamM${tag}`,
      ["m", ...gradNames],
      `omb1 : f32,${decay ? " wd : f32," : ""}`,
      shape,
      `let gi = ${grad}; let mi = m[index]; let result = mi + (gi - mi) * uniforms.omb1;`,
    ),
    [m!, ...gradInputs],
    "float32",
    [f32(1 - attrs.beta1), ...wd],
  );
  // v ← v + (g² − v)(1 − β2)
  const v1 = backend.runWebGPUProgram(
    new ElementwiseProgram(
      `fastAdamV${tag}`,
      ["v", ...gradNames],
      `omb2 : f32,${decay ? " wd : f32," : ""}`,
      shape,
      `let gi = ${grad}; let vi = v[index]; let result = vi + (gi * gi - vi) * uniforms.omb2;`,
    ),
    [v!, ...gradInputs],
    "float32",
    [f32(1 - attrs.beta2), ...wd],
  );
  // θ ← θ − lr_t·m / (√v + ε), lr_t = (lr·s)·√(1 − β2ᵗ) / (1 − β1ᵗ) from the already advanced
  // powers, recomputed by every thread (a few float32 operations, cheaper than a dispatch).
  const lr = factor === undefined ? "uniforms.lr" : "(uniforms.lr * factor[0])";
  const theta1 = backend.runWebGPUProgram(
    new ElementwiseProgram(
      factor === undefined ? "fastAdamTheta" : "fastAdamThetaFactor",
      ["theta", "m", "v", "b1p", "b2p", ...(factor === undefined ? [] : ["factor"])],
      "lr : f32, eps : f32,",
      shape,
      `let lrT = (${lr} * sqrt(1.0 - b2p[0])) / (1.0 - b1p[0]);
        let result = theta[index] - (lrT * m[index]) / (sqrt(v[index]) + uniforms.eps);`,
    ),
    [theta!, m1, v1, beta1Power!, beta2Power!, ...(factor === undefined ? [] : [factor])],
    "float32",
    [f32(attrs.learningRate), f32(attrs.epsilon)],
  );
  return [m1, v1, theta1];
};
