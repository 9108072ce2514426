/**
 * The name and attributes of our fused Adam kernel, shared by the optimizer (`../adam.ts`),
 * which calls it where the active backend has it, and the backends that implement it.
 *
 * Inputs: `theta`, `m`, `v`, `g` (one shape, float32), the scalars `beta1Power` and
 * `beta2Power`, already advanced to this step (β1ᵗ, β2ᵗ), and optionally the scalar `factor`
 * of the learning rate. Outputs, in order: the new m, v and θ, computed as `../adam.ts`
 * documents.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Name of the fused Adam kernel. */
export const ADAM_STEP = "AdamStepOfModel";

/**
 * Name of the fused Adam kernel over many variables at once (cpu): inputs `theta0`, `m0`, `v0`,
 * `g0`, `theta1`, … for `count` variables (attribute `count`), then the scalars as
 * {@linkcode ADAM_STEP}'s; outputs the new m, v and θ of each variable in turn, the bytes of one
 * {@linkcode ADAM_STEP} call per variable. One kernel call instead of one per variable: on the
 * cpu each call costs tens of microseconds of bookkeeping that no other thread can take (24
 * calls an update for the paper's autoencoder).
 */
export const ADAM_STEPS = "AdamStepsOfModel";

/** Attributes of {@linkcode ADAM_STEP}: Adam's hyper-parameters. */
export interface AdamStepAttrs {
  /** Learning rate. */
  learningRate: number;
  /** First-moment decay β1. */
  beta1: number;
  /** Second-moment decay β2. */
  beta2: number;
  /** Added to √v. */
  epsilon: number;
  /** λ of the l2 term g + λθ; 0 for none. */
  weightDecay: number;
}

/** Attributes of {@linkcode ADAM_STEPS}: Adam's hyper-parameters and the number of variables. */
export interface AdamStepsAttrs extends AdamStepAttrs {
  count: number;
}

/** The inputs of an {@linkcode ADAM_STEP} call, checked. */
export interface AdamStepInputs {
  theta: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  g: tf.TensorInfo;
  beta1Power: tf.TensorInfo;
  beta2Power: tf.TensorInfo;
  factor?: tf.TensorInfo;
}

/**
 * The inputs of an {@linkcode ADAM_STEP} call, or an error naming the one that is missing or of
 * the wrong kind: `theta`, `m`, `v`, `g` float32 of one shape, the powers (and `factor`, when
 * given) float32 scalars.
 */
export function adamStepInputs(inputs: tf.NamedTensorInfoMap): AdamStepInputs {
  const { theta, m, v, g, beta1Power, beta2Power, factor } = inputs as Record<
    string,
    tf.TensorInfo | undefined
  >;
  const same = { theta, m, v, g };
  for (const [name, t] of Object.entries(same)) {
    if (t === undefined) throw new Error(`Cannot run ${ADAM_STEP}: input ${name} is required`);
    if (t.dtype !== "float32" || !tf.util.arraysEqual(t.shape, theta?.shape ?? [])) {
      throw new Error(
        `Cannot run ${ADAM_STEP}: theta, m, v, g must be float32 of one shape (${name} is ${t.dtype} [${t.shape}])`,
      );
    }
  }
  const scalars: [string, tf.TensorInfo | undefined][] = [
    ["beta1Power", beta1Power],
    ["beta2Power", beta2Power],
  ];
  if (factor !== undefined) scalars.push(["factor", factor]);
  for (const [name, t] of scalars) {
    if (t === undefined || t.dtype !== "float32" || tf.util.sizeFromShape(t.shape) !== 1) {
      throw new Error(`Cannot run ${ADAM_STEP}: input ${name} must be a float32 scalar`);
    }
  }
  return {
    theta: theta!,
    m: m!,
    v: v!,
    g: g!,
    beta1Power: beta1Power!,
    beta2Power: beta2Power!,
    ...(factor === undefined ? {} : { factor }),
  };
}
