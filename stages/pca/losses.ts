/**
 * The loss terms of the PCA-like autoencoder (S46–S47), as pure tensor functions:
 *
 * - batch normalisation without scale and shift: z = (y − mean_B y) / √(var_B y + ε), with the
 *   batch mean and the biased batch variance per component (PyTorch's `BatchNorm1d(affine =
 *   False)` in training mode), so E[z] = 0 over the batch, as S47 requires;
 * - the covariance term of step k, S47 Eq. (16) as the authors' code computes it: with
 *   zero-mean codes, Cov(z_i, z_k) = (1/B) Σ_b z_i^(b) z_k^(b), and
 *     L_cov = (1/(k−1)) Σ_{i<k} Cov(z_i, z_k)²
 *   (the slide writes the prefactor 1/k, the released code 1/(k−1); we follow the code). For
 *   f frozen components and c new ones, the mean over the f·c pairs;
 * - the reconstruction term: per-pixel binary cross-entropy on a sigmoid output (the authors'
 *   PCAAE) or per-pixel mean squared error (the disk autoencoder of P§4).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Reconstruction losses. */
export type ReconstructionLoss = "bce" | "mse";

/** Batch normalisation without learned parameters, batch statistics, per column of y [B, c]. */
export function batchNormalise(y: tf.Tensor2D, epsilon: tf.Scalar): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(y, 0, true);
    return tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor2D;
  });
}

/**
 * Mean squared batch covariance between each frozen component (columns of `frozen` [B, f])
 * and each new one (columns of `fresh` [B, c]): mean over pairs of ((1/B) Σ_b f_b z_b)².
 */
export function covarianceTerm(frozen: tf.Tensor2D, fresh: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const B = frozen.shape[0];
    // tf.mean over the batch axis of the outer products = (1/B) Fᵀ Z.
    const prod = tf.mul(tf.expandDims(frozen, 2), tf.expandDims(fresh, 1)); // [B, f, c]
    const cov = tf.mean(prod, 0);
    if (B < 1) throw new Error(`Cannot compute a covariance over an empty batch`);
    return tf.mean(tf.square(cov)) as tf.Scalar;
  });
}

/**
 * Reconstruction error, mean over pixels and batch. `bce`: −[x log p + (1 − x) log(1 − p)]
 * with p clipped to [1e-7, 1 − 1e-7] (the output must be a sigmoid); `mse`: (p − x)².
 */
export function reconstructionLoss(
  p: tf.Tensor,
  x: tf.Tensor,
  kind: ReconstructionLoss,
): tf.Scalar {
  return tf.tidy(() => {
    if (kind === "mse") return tf.mean(tf.squaredDifference(p, x)) as tf.Scalar;
    const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    const ll = tf.add(tf.mul(x, tf.log(q)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, q))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}
