/**
 * Every stage of the generalisation group (P§4.4, P-Figs 6–8, S22–S26), for the registry:
 * the trainings on the hole dataset, then the items `hole`, `reg` (with `reg-talk`, the
 * talk's figure of it) and `lambda`. The datasets they read (`data-hole`, `data-test`) come
 * from `stages/size/datasets.ts`.
 *
 * @module
 */
import type { AnyStage } from "../../pipeline/stage.ts";
import { holeStage } from "./hole.ts";
import { lambdaStage } from "./lambda.ts";
import { regStage, regTalkStage } from "./reg.ts";
import { lambdaTrainings, regTrainings } from "./trainings.ts";

/** The trainings, then the item stages `hole`, `reg`, `reg-talk`, `lambda`. */
export const generalisationStages: AnyStage[] = [
  ...regTrainings,
  ...lambdaTrainings,
  holeStage,
  regStage,
  regTalkStage,
  lambdaStage,
];
