/**
 * Every stage of the size experiments of P§4.1–4.3 and App. A–C (the shared dataset stages
 * of `datasets.ts` are not included): four trainings and the items they feed.
 *
 * @module
 */
import type { AnyStage } from "../../pipeline/stage.ts";
import { aeD1Stage } from "./ae_d1.ts";
import { airyStage } from "./airy.ts";
import { archStage } from "./arch.ts";
import { dataStage } from "./data.ts";
import { hVsZStage } from "./h_vs_z.ts";
import { latentStage } from "./latent.ts";
import { limitedStage } from "./limited.ts";
import { limitedNobiasStage } from "./limited_nobias.ts";
import { nobiasStage } from "./nobias.ts";
import { sizeTrainingStages } from "./training.ts";
import { weightsStage } from "./weights.ts";

/** The size stages: trainings, then items in the catalogue's order. */
export const sizeStages: AnyStage[] = [
  ...sizeTrainingStages,
  archStage,
  dataStage,
  aeD1Stage,
  latentStage,
  weightsStage,
  nobiasStage,
  hVsZStage,
  airyStage,
  limitedStage,
  limitedNobiasStage,
];
