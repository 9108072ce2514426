/**
 * Every stage of the PCA-like autoencoder experiments (S40–S51), for the registry
 * (`stages/mod.ts`): the datasets, the trainings (one stage per step of the progressive model,
 * one for each standard baseline) and the catalogue items `ellipses`, `pca-arch`, `nav-ae`,
 * `nav-pca`, `grey`.
 *
 * @module
 */
import type { AnyStage } from "../../pipeline/stage.ts";
import { pcaArchItem } from "./arch_item.ts";
import { pcaDatasetStages } from "./dataset_stages.ts";
import { ellipsesItem } from "./ellipses_item.ts";
import { greyItem } from "./grey_item.ts";
import { navAeItem, navPcaItem } from "./nav_items.ts";
import { pcaTrainStages } from "./train_stages.ts";

/** The stages of this directory, datasets first. */
export const pcaStages: AnyStage[] = [
  ...pcaDatasetStages,
  ...pcaTrainStages,
  ellipsesItem,
  pcaArchItem,
  navAeItem,
  navPcaItem,
  greyItem,
];
