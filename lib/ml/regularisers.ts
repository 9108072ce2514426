/**
 * The loss terms of training, each a pure tensor function so that tests can check it on a
 * hand-computable case. The training loss is
 *
 *   L = data + Σ_i λ_i · term_i,
 *
 * with these definitions (B = batch size, P = values per example, d = code size):
 *
 * - `data` (P Eq. 1): reconstruction error with reduction `sum`: (1/B) Σ_b ‖x_b − y_b‖²
 *   (summed over pixels, averaged over the batch: the paper's sum up to the constant 1/B,
 *   so λ is "per image"); or `mean`: (1/(B·P)) Σ_b ‖x_b − y_b‖² (Keras' per-pixel mean, as
 *   the authors' code; λ is then 1/P times smaller in effect).
 * - `latent_distance`, ψ1 (P§4.4.1): (1/B) Σ_b (‖x_b − x'_b‖² − ‖E(x_b) − E(x'_b)‖²)², x'_b a
 *   neighbour of x_b; the raw formula, whatever the reduction.
 * - `weight_decay`, ψ2: Σ_ℓ ‖w_ℓ‖² + ‖w'_ℓ‖² over encoder and decoder kernels (no biases),
 *   like Keras' `l2(λ)` on every kernel.
 * - `encoder_weight_decay`, ψ3: Σ_ℓ ‖w_ℓ‖² over encoder kernels only.
 * - `denoising` (S24): ‖D(E(x + η)) − x‖² with η ~ N(0, σ_η² I), reduced like `data`.
 * - `contractive` (Rifai et al. 2011): (1/B) Σ_b ‖∂E(x_b)/∂x_b‖²_F, the Jacobian of the code
 *   with respect to the input; computed with one input-gradient per code component
 *   (∂(Σ_b z_{b,j})/∂x gives every example's row j at once, since examples do not interact),
 *   so d = 1 costs one extra backward pass, and training differentiates through it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Autoencoder, NamedVariable } from "./model.ts";

/** How the image-sized terms are reduced (see the module documentation). */
export type LossReduction = "sum" | "mean";

/** Squared error between y and target, reduced per {@linkcode LossReduction}. */
export function reconstructionError(
  y: tf.Tensor,
  target: tf.Tensor,
  reduction: LossReduction,
): tf.Scalar {
  // Means instead of divisions by JS numbers: tfjs would upload a new scalar for each.
  return tf.tidy(() =>
    (reduction === "sum"
      ? tf.mean(rowSquaredNorms(tf.sub(y, target)))
      : tf.mean(tf.squaredDifference(y, target))) as tf.Scalar
  );
}

/** Squared norms of each example (rows of the first axis), shape [B]. */
function rowSquaredNorms(t: tf.Tensor): tf.Tensor1D {
  return tf.sum(tf.square(tf.reshape(t, [t.shape[0], -1])), 1) as tf.Tensor1D;
}

/** ψ1: (1/B) Σ_b (‖x_b − x'_b‖² − ‖z_b − z'_b‖²)². */
export function latentDistanceTerm(
  x: tf.Tensor,
  xNeighbour: tf.Tensor,
  z: tf.Tensor,
  zNeighbour: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const dx = rowSquaredNorms(tf.sub(x, xNeighbour));
    const dz = rowSquaredNorms(tf.sub(z, zNeighbour));
    return tf.mean(tf.square(tf.sub(dx, dz))) as tf.Scalar;
  });
}

/** Σ ‖w‖² over the kernels (not the biases) among `variables`. */
export function kernelSquaredNorm(variables: readonly NamedVariable[]): tf.Scalar {
  return tf.tidy(() => {
    const parts = variables.filter((v) => v.role === "kernel").map((v) =>
      tf.sum(tf.square(v.variable))
    );
    return (parts.length === 0 ? tf.scalar(0) : tf.addN(parts)) as tf.Scalar;
  });
}

/** ψ2: squared norm of every kernel of encoder and decoder. */
export function weightDecayTerm(model: Autoencoder): tf.Scalar {
  return kernelSquaredNorm(model.variables);
}

/** ψ3: squared norm of the encoder's kernels only. */
export function encoderWeightDecayTerm(model: Autoencoder): tf.Scalar {
  return kernelSquaredNorm(model.encoderWeights);
}

/** S24's denoising term ‖D(E(x + η)) − x‖², reduced like the data term. */
export function denoisingTerm(
  model: Autoencoder,
  x: tf.Tensor,
  noise: tf.Tensor,
  reduction: LossReduction,
): tf.Scalar {
  return tf.tidy(() => reconstructionError(model.reconstruct(tf.add(x, noise)), x, reduction));
}

/**
 * Contractive term (1/B) Σ_b ‖∂E(x_b)/∂x_b‖²_F. Uses the twice-differentiable form of the
 * activations so that training can differentiate through the input gradient.
 */
export function contractiveTerm(model: Autoencoder, x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const d = model.latentSize;
    const parts: tf.Tensor1D[] = [];
    for (let j = 0; j < d; j++) {
      const g = tf.grad((xx: tf.Tensor) => {
        const z = model.encode(xx, { twiceDifferentiable: true });
        return tf.sum(d === 1 ? z : tf.slice(z, [0, j], [-1, 1]));
      })(x);
      parts.push(rowSquaredNorms(g));
    }
    return tf.mean(parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Scalar;
  });
}

/**
 * The k nearest neighbours of every example by a scalar key (the radius for disks), self
 * excluded, ties broken by the smaller index: an n×k table of indices, row i for example i.
 * ψ1 then picks one of the k at random for each example in a batch ("randomly selecting a
 * neighbour of each element in the training batch", P§4.4.1).
 */
export function nearestNeighbours(keys: ArrayLike<number>, k: number): Int32Array {
  const n = keys.length;
  if (k < 1 || k > n - 1) {
    throw new Error(`Cannot find ${k} neighbours among ${n} examples; use 1 <= k <= ${n - 1}`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  const rank = new Int32Array(n);
  order.forEach((idx, r) => (rank[idx] = r));
  const out = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    // Two pointers walking outwards from i's place in the sorted order.
    let lo = rank[i] - 1, hi = rank[i] + 1;
    for (let c = 0; c < k; c++) {
      let pick: number;
      if (lo < 0) pick = hi++;
      else if (hi >= n) pick = lo--;
      else {
        const a = order[lo], b = order[hi];
        const da = Math.abs(keys[a] - keys[i]), db = Math.abs(keys[b] - keys[i]);
        pick = da < db || (da === db && a < b) ? lo-- : hi++;
      }
      out[i * k + c] = order[pick];
    }
  }
  return out;
}
