/**
 * The four trainings of the size experiments (P§4.1–4.4, App. B–C): the disk autoencoder of
 * P-Fig 1 / P-Tab 1 with and without biases, on the full radius range (0, 32) and on the
 * limited range (0, 18]. Everything but the data set and the biases is the training core's
 * default (10,000 Adam updates, batch 300, lr 0.001, per-pixel mean squared error, leaky ReLU
 * everywhere including the code and the output, as the authors' code).
 *
 * Quick profile: the training core's quick settings, shared by every experiment group
 * (`QUICK_ITERATIONS` updates of batch `QUICK_BATCH` at learning rate `QUICK_LEARNING_RATE`,
 * `lib/ml/train_stage.ts`: 1500 × 8 at 0.005, about 10 s per training on this 2-core CPU),
 * except `train-limited`'s 4,000 updates (see it).
 *
 * Code profile: every setting the authors' code has (`lib/ml/authors_code.ts`); the
 * bias-free ablations keep their missing biases.
 *
 * @module
 */
import type { Stage } from "../../pipeline/stage.ts";
import { diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { trainStage, type TrainStageParams } from "../../lib/ml/train_stage.ts";
import { AUTHORS_CODE_TRAINING } from "../../lib/ml/authors_code.ts";

/** P§4.1, P-Fig 2–3: the disk autoencoder with biases, radii uniform on (0, 32). */
export const trainAe: Stage<TrainStageParams> = trainStage({
  id: "train-ae",
  description: "disk autoencoder d = 1 with biases on data-uniform (P§4.1, P-Fig 2–3)",
  dataset: "data-uniform",
  config: diskAutoencoderConfig(),
  code: AUTHORS_CODE_TRAINING,
  module: import.meta.url,
});

/** P§4.3, P-Fig 4, App. B: no bias in any layer, radii uniform on (0, 32). */
export const trainNobias: Stage<TrainStageParams> = trainStage({
  id: "train-nobias",
  description: "disk autoencoder without any bias on data-uniform (P§4.3, P-Fig 4, App. B)",
  dataset: "data-uniform",
  config: diskAutoencoderConfig({ encoderBias: false, decoderBias: false }),
  code: AUTHORS_CODE_TRAINING,
  module: import.meta.url,
});

/**
 * P-Fig 5: with biases, radii limited to r ≤ R = 18. Quick profile: 4,000 updates, not the
 * shared 1,500: after 1,500 the model still grew its output past R (best-matching disk 20.8,
 * slope of r̂ 0.35: `limited` failed where the paper-scale run passes); after 4,000 (about 25 s
 * here) it stops at R as the paper-scale model does (18.7 and −0.09; 8,000 gave 18.3 and −0.22).
 */
export const trainLimited: Stage<TrainStageParams> = trainStage({
  id: "train-limited",
  description: "disk autoencoder with biases on data-limited, r ≤ 18 (P-Fig 5)",
  dataset: "data-limited",
  config: diskAutoencoderConfig(),
  params: { iterations: { quick: 4000 } },
  code: AUTHORS_CODE_TRAINING,
  module: import.meta.url,
});

/** App. C, P-Fig 13: no bias, radii limited to r ≤ R = 18. */
export const trainLimitedNobias: Stage<TrainStageParams> = trainStage({
  id: "train-limited-nobias",
  description: "disk autoencoder without any bias on data-limited, r ≤ 18 (App. C, P-Fig 13)",
  dataset: "data-limited",
  config: diskAutoencoderConfig({ encoderBias: false, decoderBias: false }),
  code: AUTHORS_CODE_TRAINING,
  module: import.meta.url,
});

/** The four training stages of the size experiments. */
export const sizeTrainingStages: Stage<TrainStageParams>[] = [
  trainAe,
  trainNobias,
  trainLimited,
  trainLimitedNobias,
];
