/**
 * Registers the gradients of our own kernels, each once.
 *
 * tfjs keeps one gradient per kernel name for every backend at once, and a second registration
 * replaces the first with a warning. Gradients registered here stay registered: a kernel that is
 * not registered on the active backend is never run, so its gradient is never looked up.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Kernel names whose gradient this module has registered. */
const registered = new Set<string>();

/** Registers each of `configs` whose kernel has no gradient from this module yet. */
export function registerGradientsOnce(configs: readonly tf.GradConfig[]): void {
  for (const g of configs) {
    if (registered.has(g.kernelName)) continue;
    tf.registerGradient(g);
    registered.add(g.kernelName);
  }
}
