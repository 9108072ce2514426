/**
 * The fused Adam update (`AdamStepOfModel`, see `./adam_step.ts`) on the tfjs `cpu` backend:
 * one pass over a variable instead of the dozen tfjs ops of `../adam.ts`, each of which cost a
 * kernel call, a new tensor and its disposal (about 340 calls per update of the paper's disk
 * autoencoder, a few milliseconds that no thread can share).
 *
 * The values are those of the ops, rounding for rounding: every operation below is one float32
 * op of the composite, computed in double precision and rounded to float32 (`f`), in the same
 * order and with the same float32 constants.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  type AdamStepAttrs,
  type AdamStepInputs,
  adamStepInputs,
  type AdamStepsAttrs,
} from "./adam_step.ts";
import { cpuValues } from "./cpu_data.ts";
import { newValuesToOverwrite } from "./cpu_threads.ts";

const f = Math.fround;

/**
 * lr_t of `../adam.ts`'s ops from the already advanced powers: float32(float32(lr·s) ·
 * float32(√float32(1 − β2ᵗ))) / float32(1 − β1ᵗ), rounded; lr·s is float32(lr) without a factor.
 */
export function adamLearningRate(
  learningRate: number,
  beta1Power: number,
  beta2Power: number,
  factor?: number,
): number {
  const lr = factor === undefined ? f(learningRate) : f(f(learningRate) * factor);
  return f(f(lr * f(Math.sqrt(f(1 - beta2Power)))) / f(1 - beta1Power));
}

/**
 * The new m, v and θ of one variable (see the module doc), in new arrays (shared with the kernel
 * threads where they run).
 */
export function adamValues(
  theta: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  lrT: number,
  attrs: AdamStepAttrs,
): [Float32Array, Float32Array, Float32Array] {
  // The scalars as the ops hold them: float32 tensors made from doubles.
  const omb1 = f(1 - attrs.beta1), omb2 = f(1 - attrs.beta2), eps = f(attrs.epsilon);
  const wd = f(attrs.weightDecay);
  const decay = attrs.weightDecay > 0;
  const n = theta.length;
  const m1 = newValuesToOverwrite(n),
    v1 = newValuesToOverwrite(n),
    theta1 = newValuesToOverwrite(n);
  for (let i = 0; i < n; i++) {
    const th = theta[i], mi = m[i], vi = v[i];
    // g, or g + λθ (the product first, as tf.add(g, tf.mul(wd, θ)))
    const gi = decay ? f(g[i] + f(wd * th)) : g[i];
    // m ← m + (g − m)(1 − β1),  v ← v + (g² − v)(1 − β2)
    const mn = f(mi + f(f(gi - mi) * omb1));
    const vn = f(vi + f(f(f(gi * gi) - vi) * omb2));
    // θ ← θ − (lr_t·m) / (√v + ε)
    m1[i] = mn;
    v1[i] = vn;
    theta1[i] = f(th - f(f(lrT * mn) / f(f(Math.sqrt(vn)) + eps)));
  }
  return [m1, v1, theta1];
}

/** lr_t of a call from its (checked) scalar inputs. */
function learningRateOf(
  inputs: AdamStepInputs,
  attrs: AdamStepAttrs,
  read: (t: tf.TensorInfo) => Float32Array,
): number {
  return adamLearningRate(
    attrs.learningRate,
    read(inputs.beta1Power)[0],
    read(inputs.beta2Power)[0],
    inputs.factor === undefined ? undefined : read(inputs.factor)[0],
  );
}

/** The `AdamStepOfModel` kernel function of the cpu backend: the new m, v and θ. */
export const adamStepCpu: tf.KernelFunc = (args) => {
  const inputs = adamStepInputs(args.inputs);
  const backend = args.backend as tf.MathBackendCPU;
  const attrs = args.attrs as unknown as AdamStepAttrs;
  const read = (t: tf.TensorInfo) => cpuValues(backend, t);
  const out = adamValues(
    read(inputs.theta),
    read(inputs.m),
    read(inputs.v),
    read(inputs.g),
    learningRateOf(inputs, attrs, read),
    attrs,
  );
  return out.map((values) => backend.makeTensorInfo(inputs.theta.shape, "float32", values));
};

/**
 * The `AdamStepsOfModel` kernel function of the cpu backend: each variable's new m, v and θ, the
 * bytes of {@linkcode adamStepCpu} on each.
 */
export const adamStepsCpu: tf.KernelFunc = (args) => {
  const backend = args.backend as tf.MathBackendCPU;
  const attrs = args.attrs as unknown as AdamStepsAttrs;
  const read = (t: tf.TensorInfo) => cpuValues(backend, t);
  const { beta1Power, beta2Power, factor } = args.inputs;
  const out: tf.TensorInfo[] = [];
  let lrT: number | undefined;
  for (let i = 0; i < attrs.count; i++) {
    const at = (name: string) => args.inputs[`${name}${i}`];
    const inputs = adamStepInputs({
      theta: at("theta"),
      m: at("m"),
      v: at("v"),
      g: at("g"),
      beta1Power,
      beta2Power,
      ...(factor === undefined ? {} : { factor }),
    });
    lrT ??= learningRateOf(inputs, attrs, read);
    const values = adamValues(
      read(inputs.theta),
      read(inputs.m),
      read(inputs.v),
      read(inputs.g),
      lrT,
      attrs,
    );
    for (const v of values) out.push(backend.makeTensorInfo(inputs.theta.shape, "float32", v));
  }
  return out;
};
