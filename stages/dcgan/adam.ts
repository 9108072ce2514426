/**
 * The optimiser of the GAN: the Adam of `lib/ml/adam.ts` (TensorFlow's `ApplyAdam`) with the
 * two things iGAN's DCGAN training adds, which that class takes as options:
 *
 * - a learning rate that changes during training (iGAN keeps it constant for the first half
 *   and decays it linearly to zero over the second): {@linkcode learningRateFactor}, passed to
 *   every step as a device scalar so that nothing is uploaded per step;
 * - an l2 penalty folded into the gradient, g ← g + λθ (iGAN's `Regularizer(l2 = 1e-5)`),
 *   applied to every trained tensor (`weightDecay`).
 *
 * @module
 */
import type { AdamSettings } from "../../lib/ml/adam.ts";

/** DCGAN's optimiser with iGAN's weight decay. */
export const DCGAN_ADAM: AdamSettings = {
  learningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 1e-5,
};

/**
 * iGAN's schedule as a factor of the base rate: 1 up to update `decayStart`, then linear down
 * to 0 at update `total` (iGAN: `decayStart = total / 2`). `step` counts from 0.
 */
export function learningRateFactor(step: number, total: number, decayStart: number): number {
  if (step < decayStart || total <= decayStart) return 1;
  return Math.max(0, (total - step) / (total - decayStart));
}
