/**
 * Small `loss.json` contents in each writer's format, for the tests: two or three logged
 * steps with round numbers, so that the expected table can be written by hand.
 *
 * @module
 */

/** `../ml/train_stage.ts`: a regularised autoencoder (data and ψ1 terms). */
export const AUTOENCODER_LOSS = {
  terms: ["data", "latentDistance"],
  records: [
    { step: 1, loss: 8, terms: { data: 6, latentDistance: 2 } },
    { step: 50, loss: 4, terms: { data: 3, latentDistance: 1 } },
    { step: 100, loss: 2, terms: { data: 1.5, latentDistance: 0.5 } },
  ],
};

/** `../ml/train_stage.ts` with no regulariser: the data term is the loss. */
export const PLAIN_LOSS = {
  terms: ["data"],
  records: [
    { step: 1, loss: 0.5, terms: { data: 0.5 } },
    { step: 10, loss: 0.25, terms: { data: 0.25 } },
  ],
};

/** `../ml/train_stage.ts` run for 0 updates (a seed the quick profile does not use). */
export const UNTRAINED_LOSS = { terms: [], records: [] };

/** `../pca/train_stages.ts`: terms are fields of the records. */
export const PCA_LOSS = {
  terms: ["reconstruction", "covariance"],
  records: [
    { covariance: 0.01, loss: 0.21, reconstruction: 0.2, step: 1 },
    { covariance: 0.001, loss: 0.051, reconstruction: 0.05, step: 10 },
  ],
};

/** `../position/train_position.ts`: run 0 at the top, every run in `runs`. */
export const POSITION_LOSS = {
  terms: ["data"],
  records: [
    { step: 1, loss: 0.01, terms: { data: 0.01 } },
    { step: 50, loss: 0.001, terms: { data: 0.001 } },
  ],
  runs: [
    {
      index: 0,
      records: [
        { step: 1, loss: 0.01, terms: { data: 0.01 } },
        { step: 50, loss: 0.001, terms: { data: 0.001 } },
      ],
    },
    {
      index: 1,
      records: [
        { step: 1, loss: 0.02, terms: { data: 0.02 } },
        // A diverged run: JSON.stringify wrote its NaN loss as null.
        { step: 50, loss: null, terms: { data: null } },
      ],
    },
  ],
};

/** `../dcgan/train_stage.ts`: two seeds, each with D and G losses and two scores. */
export const DCGAN_LOSS = {
  seeds: [1, 2].map((seed) => ({
    seed,
    trainingSeed: 1000 + seed,
    records: [
      { discriminator: 1.4, fakeScore: 0.5, generator: 0.7, realScore: 0.5, step: 1 },
      { discriminator: 0.7 * seed, fakeScore: 0.3, generator: 1.4, realScore: 0.7, step: 10 },
    ],
  })),
};
