/**
 * The registry: every stage of the project, in one list to read top to bottom. The engine
 * (`pipeline/`) gets this list from `stages/main.ts` and never imports `stages/` itself.
 *
 * @module
 */
import type { AnyStage } from "../pipeline/stage.ts";
import { authorsModelStage } from "./authors/stage.ts";
import { dcganStages } from "./dcgan/stages.ts";
import { generalisationStages } from "./generalisation/stages.ts";
import { pcaStages } from "./pca/stages.ts";
import { positionStages } from "./position/stages.ts";
import { makeReportStage } from "./report/stage.ts";
import { datasetStages } from "./size/datasets.ts";
import { sizeStages } from "./size/stages.ts";
import { CURVES_TABLE, isTrainingStage, makeTrainingCurvesStage } from "./training/stage.ts";

/** Every stage that makes an item of the catalogue (and the datasets and models behind
 * them), in the catalogue's order. */
const experiments: AnyStage[] = [
  // Datasets shared by the size experiments (P§4.1, App. A, P-Fig 5, P-Fig 6)
  ...datasetStages,
  // Size: disks (P§4, App. A–C; S8–S18)
  ...sizeStages,
  // The checks of ae-d1 and latent on the authors' released model (spec §1, the code profile)
  authorsModelStage,
  // Holes in the training radii, regularisation, the λ sweep (P§4.4, S20–S26)
  ...generalisationStages,
  // DCGAN baseline on the hole dataset (App. D, P-Fig 14)
  ...dcganStages,
  // Position: Diracs (P§5; S28–S39)
  ...positionStages,
  // PCA-like autoencoder of the talk (S40–S51)
  ...pcaStages,
];

/**
 * The loss curves of every training stage (marked `training: true`; not the `dcgan` stage,
 * whose `loss.json` is the data of its figure `loss.png`).
 */
const trainingCurves = makeTrainingCurvesStage(experiments.filter(isTrainingStage));

/** Every stage; the report, last, reads every experiment's checks and figures, and shows the
 * training curves in a section of their own. */
export const stages: AnyStage[] = [
  ...experiments,
  trainingCurves,
  makeReportStage(
    experiments.filter((s) => s.outputs.includes("checks.json")).map((s) => s.id),
    { training: { stage: trainingCurves.id, file: CURVES_TABLE } },
  ),
];
