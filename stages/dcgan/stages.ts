/**
 * The stages of the DCGAN baseline (P§4.4, App. D, P-Fig 14), for the registry: the training
 * of the generators on the hole dataset, then the item `dcgan`.
 *
 * @module
 */
import type { AnyStage } from "../../pipeline/stage.ts";
import { dcganStage } from "./dcgan_stage.ts";
import { trainDcganStage } from "./train_stage.ts";

/** `train-dcgan` then `dcgan`; they read `data-hole` and `data-test` (stages/size/datasets.ts). */
export const dcganStages: AnyStage[] = [trainDcganStage, dcganStage];
