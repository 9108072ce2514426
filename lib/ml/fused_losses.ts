/**
 * The image-sized loss terms of the training loop with hand-written gradients.
 *
 * Why: tfjs's own gradients of `sum`, `mean` and `square` build `ones(x.shape)` and small
 * scalars from JS arrays at every call, i.e. they upload a batch-sized array of ones to the
 * device at every update. Here every constant is a tensor made once, and the gradient of
 * s·Σ(y − t)² is written directly as 2s·(y − t)·dy. Values equal the definitions of
 * `regularisers.ts` (up to float32 summation order); tests check both.
 *
 * These gradients cannot be differentiated again (tfjs custom gradients); the contractive
 * term, which needs double backprop, keeps the plain definitions.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { NamedVariable } from "./model.ts";
import type { LossReduction } from "./regularisers.ts";
import { squaredError } from "./kernels/squared_error_cpu.ts";

/** Loss terms for a fixed batch shape, with their constants on the device. */
export class FusedLosses {
  #s: number;
  #scale: tf.Scalar;
  #twoScale: tf.Scalar;
  #two: tf.Scalar;
  #squaredError: (y: tf.Tensor, t: tf.Tensor) => tf.Scalar;
  #squaredNorm: (w: tf.Tensor) => tf.Scalar;
  #invBatch: tf.Scalar;
  #twoInvBatch: tf.Scalar;
  #fourInvBatch: tf.Scalar;
  #latentDistance: (dx: tf.Tensor, z: tf.Tensor, zn: tf.Tensor) => tf.Scalar;

  /**
   * `batch` examples of `perExample` values: the squared error is scaled by 1/batch
   * (`sum`) or 1/(batch·perExample) (`mean`).
   */
  constructor(reduction: LossReduction, batch: number, perExample: number) {
    const s = reduction === "sum" ? 1 / batch : 1 / (batch * perExample);
    this.#s = s;
    this.#scale = tf.scalar(s, "float32");
    this.#twoScale = tf.scalar(2 * s, "float32");
    this.#two = tf.scalar(2, "float32");
    this.#invBatch = tf.scalar(1 / batch, "float32");
    this.#twoInvBatch = tf.scalar(2 / batch, "float32");
    this.#fourInvBatch = tf.scalar(4 / batch, "float32");
    this.#squaredError = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [y, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const diff = tf.sub(y, t);
      save([diff]);
      return {
        value: tf.mul(tf.sum(tf.square(diff)), this.#scale) as tf.Scalar,
        gradFunc: (dy: tf.Tensor, [d]: tf.Tensor[]) => {
          const g = tf.mul(d, tf.mul(dy, this.#twoScale));
          return [g, tf.neg(g)];
        },
      };
    }) as (y: tf.Tensor, t: tf.Tensor) => tf.Scalar;
    this.#squaredNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [w, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([w]);
      return {
        value: tf.sum(tf.square(w)) as tf.Scalar,
        gradFunc: (dy: tf.Tensor, [x]: tf.Tensor[]) => tf.mul(x, tf.mul(dy, this.#two)),
      };
    }) as (w: tf.Tensor) => tf.Scalar;

    // ψ1 = (1/B) Σ_b (dx_b − dz_b)², dz_b = ‖z_b − z'_b‖²: ∂/∂z_b = −(4/B)(dx_b − dz_b)(z_b − z'_b),
    // ∂/∂z'_b the opposite, ∂/∂dx_b = (2/B)(dx_b − dz_b).
    this.#latentDistance = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [dx, z, zn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const dzv = tf.sub(z, zn);
      const r = tf.sub(dx, tf.sum(tf.square(dzv), 1));
      save([r, dzv]);
      return {
        value: tf.mul(tf.sum(tf.square(r)), this.#invBatch) as tf.Scalar,
        gradFunc: (dy: tf.Tensor, [res, dz]: tf.Tensor[]) => {
          const gz = tf.mul(
            tf.neg(tf.expandDims(tf.mul(res, tf.mul(dy, this.#fourInvBatch)), 1)),
            dz,
          );
          return [tf.mul(res, tf.mul(dy, this.#twoInvBatch)), gz, tf.neg(gz)];
        },
      };
    }) as (dx: tf.Tensor, z: tf.Tensor, zn: tf.Tensor) => tf.Scalar;
  }

  /**
   * ψ1 of `regularisers.ts`: (1/B) Σ_b (‖x_b − x'_b‖² − ‖z_b − z'_b‖²)², codes [B, d].
   * The image distances carry no gradient (images are data).
   */
  latentDistance(
    x: tf.Tensor,
    xNeighbour: tf.Tensor,
    z: tf.Tensor,
    zNeighbour: tf.Tensor,
  ): tf.Scalar {
    return tf.tidy(() => {
      const diff = tf.sub(x, xNeighbour);
      const dx = tf.sum(tf.square(tf.reshape(diff, [diff.shape[0], -1])), 1);
      return this.#latentDistance(dx, z, zNeighbour);
    });
  }

  /** The squared error's factor: 1/batch (`sum`) or 1/(batch·perExample) (`mean`). */
  get squaredErrorScale(): number {
    return this.#s;
  }

  /**
   * Squared error of y against t, reduced as configured (same shape for both): one kernel and
   * its gradient where the backend has them (`kernels/squared_error_cpu.ts`, the same values),
   * else the ops above.
   */
  squaredError(y: tf.Tensor, t: tf.Tensor): tf.Scalar {
    return squaredError(y, t, this.#s) ?? this.#squaredError(y, t);
  }

  /** Σ ‖w‖² over the kernels (never the biases) among `variables`. */
  kernelSquaredNorm(variables: readonly NamedVariable[]): tf.Scalar {
    return tf.tidy(() => {
      const parts = variables.filter((v) => v.role === "kernel").map((v) =>
        this.#squaredNorm(v.variable)
      );
      return (parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Scalar;
    });
  }

  /** Frees the constants. */
  dispose(): void {
    tf.dispose([
      this.#scale,
      this.#twoScale,
      this.#two,
      this.#invBatch,
      this.#twoInvBatch,
      this.#fourInvBatch,
    ]);
  }
}
