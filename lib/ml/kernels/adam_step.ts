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

/** Name of the fused Adam kernel. */
export const ADAM_STEP = "AdamStepOfModel";

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
