/**
 * Every stage of the position experiments (P§5; S28–S39), in the catalogue's order: the
 * hand-crafted encoder (`table2`, `prop3`), then the trained encoder (`enc-weights`) and
 * decoders (`dec`, `dec-onehot`) with the datasets and trainings they read (defined in
 * `trainings.ts`).
 *
 * @module
 */
import type { AnyStage } from "../../pipeline/stage.ts";
import { decOnehotStage, decStage } from "./dec.ts";
import { encWeightsStage } from "./enc_weights.ts";
import { prop3Stage } from "./prop3.ts";
import { table2Stage } from "./table2.ts";
import {
  dataPosOnehot,
  dataPosTriangular,
  trainPosDec,
  trainPosDecOnehot,
  trainPosEncAe,
  trainPosEncRegress,
} from "./trainings.ts";

/** Every position stage, datasets and trainings before the items that read them. */
export const positionStages: AnyStage[] = [
  table2Stage,
  prop3Stage,
  dataPosOnehot,
  dataPosTriangular,
  trainPosEncRegress,
  trainPosEncAe,
  trainPosDec,
  trainPosDecOnehot,
  encWeightsStage,
  decStage,
  decOnehotStage,
];
