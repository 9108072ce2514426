/**
 * Small `loss.json` contents as each family's training writes them (through the one writer,
 * `lib/train/loss_file.ts`), for the tests: two or three logged steps with round numbers, so
 * that the expected table can be written by hand.
 *
 * @module
 */
import { lossFileText, type RunLoss, termRunLoss } from "../../lib/train/loss_file.ts";

const file = (runs: RunLoss[]): unknown => JSON.parse(lossFileText(runs));

/** `lib/ml/train_stage.ts`: a regularised autoencoder (data and ψ1 terms). */
export const AUTOENCODER_LOSS = file([termRunLoss("", 11, [
  { step: 1, loss: 8, terms: { data: 6, latentDistance: 2 } },
  { step: 50, loss: 4, terms: { data: 3, latentDistance: 1 } },
  { step: 100, loss: 2, terms: { data: 1.5, latentDistance: 0.5 } },
])]);

/** `lib/ml/train_stage.ts` with no regulariser: the data term is the loss. */
export const PLAIN_LOSS = file([termRunLoss("", 12, [
  { step: 1, loss: 0.5, terms: { data: 0.5 } },
  { step: 10, loss: 0.25, terms: { data: 0.25 } },
])]);

/** `lib/ml/train_stage.ts` run for 0 updates (a seed the quick profile does not use). */
export const UNTRAINED_LOSS = file([termRunLoss("", 13, [])]);

/** `../pca/train_stages.ts`: reconstruction and covariance terms. */
export const PCA_LOSS = file([{
  label: "",
  seed: 14,
  curves: [
    { name: "loss", role: "objective" },
    { name: "reconstruction", role: "data" },
    { name: "covariance", role: "regulariser" },
  ],
  records: [
    { covariance: 0.01, loss: 0.21, reconstruction: 0.2, step: 1 },
    { covariance: 0.001, loss: 0.051, reconstruction: 0.05, step: 10 },
  ],
}]);

/** `../position/train_position.ts`: two runs, the second diverged (its NaN written as null). */
export const POSITION_LOSS = file([
  termRunLoss("run 0", 15, [
    { step: 1, loss: 0.01, terms: { data: 0.01 } },
    { step: 50, loss: 0.001, terms: { data: 0.001 } },
  ]),
  termRunLoss("run 1", 16, [
    { step: 1, loss: 0.02, terms: { data: 0.02 } },
    { step: 50, loss: NaN, terms: { data: NaN } },
  ]),
]);

/** `../dcgan/train_stage.ts`: two seeds, each with D and G losses and two watched scores. */
export const DCGAN_LOSS = file([1, 2].map((seed): RunLoss => ({
  label: `seed ${seed}`,
  seed: 1000 + seed,
  curves: [
    { name: "discriminator", role: "objective" },
    { name: "generator", role: "objective" },
    { name: "realScore", role: "monitor" },
    { name: "fakeScore", role: "monitor" },
  ],
  records: [
    { discriminator: 1.4, fakeScore: 0.5, generator: 0.7, realScore: 0.5, step: 1 },
    { discriminator: 0.7 * seed, fakeScore: 0.3, generator: 1.4, realScore: 0.7, step: 10 },
  ],
})));
