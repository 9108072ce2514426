import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/ml/backend.ts";
import { batchNormalise, covarianceTerm, reconstructionLoss } from "./losses.ts";

await initBackend("cpu");
const close = (a: number, b: number, tol = 1e-5) => assert(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("batchNormalise() gives zero mean and unit (biased) variance per column", () => {
  const y = tf.tensor2d([[1, 10], [2, 10], [3, 13], [6, 11]]);
  const z = batchNormalise(y, tf.scalar(0));
  const v = z.arraySync();
  for (let j = 0; j < 2; j++) {
    const col = v.map((r) => r[j]);
    const mean = col.reduce((a, b) => a + b) / 4;
    const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    close(mean, 0);
    close(variance, 1);
  }
  // Column 0: mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5.
  close(v[0][0], -2 / Math.sqrt(3.5));
});

Deno.test("covarianceTerm() is the mean squared batch covariance over frozen × new pairs", () => {
  const frozen = tf.tensor2d([[1, 1], [-1, 1], [1, -1], [-1, -1]]);
  const fresh = tf.tensor2d([[2], [-2], [2], [-2]]);
  // (1/B) Σ f1·z = (2 + 2 + 2 + 2)/4 = 2; with f2: (2 − 2 − 2 + 2)/4 = 0; mean of squares = 2.
  close(covarianceTerm(frozen, fresh).arraySync(), 2);
  const orth = tf.tensor2d([[1], [1], [-1], [-1]]);
  close(covarianceTerm(tf.tensor2d([[1], [-1], [1], [-1]]), orth).arraySync(), 0);
});

Deno.test("reconstructionLoss() computes per-pixel BCE and MSE means", () => {
  const p = tf.tensor2d([[0.5, 0.9]]), x = tf.tensor2d([[1, 0]]);
  close(reconstructionLoss(p, x, "mse").arraySync(), (0.25 + 0.81) / 2);
  close(reconstructionLoss(p, x, "bce").arraySync(), (-Math.log(0.5) - Math.log(0.1)) / 2);
  // Saturated predictions stay finite thanks to the clipping.
  assert(
    Number.isFinite(
      reconstructionLoss(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 0]]), "bce").arraySync(),
    ),
  );
});
