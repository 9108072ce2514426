/**
 * Loading the models an item stage takes as inputs (`<prefix>.json` + `<prefix>.bin`, the
 * outputs of a training stage), refusing a model that was never trained (a seed the quick
 * profile leaves at 0 updates), and evaluating it on the test grid.
 *
 * @module
 */
import type { Json, OutputRef } from "../../pipeline/stage.ts";
import { loadAutoencoder } from "../../lib/ml/analysis.ts";
import type { Autoencoder } from "../../lib/ml/model.ts";
import { evaluateModel, type Evaluation } from "./evaluate.ts";
import { type DiskSet } from "../../lib/ml/disk_set.ts";
import type { Interval } from "./metrics.ts";

/** Input references of a training stage's weights, under local names `<prefix>.json/.bin`. */
export function weightsInputs(prefix: string, stageId: string): Record<string, OutputRef> {
  return {
    [`${prefix}.json`]: `${stageId}:weights.json`,
    [`${prefix}.bin`]: `${stageId}:weights.bin`,
  };
}

/** The training parameters a training stage saved into `weights.json` (`training.params`). */
export async function trainingParams(jsonPath: string): Promise<Record<string, Json>> {
  const header = JSON.parse(await Deno.readTextFile(jsonPath)) as {
    training?: { params?: Record<string, Json> };
  };
  const params = header.training?.params;
  if (!params) {
    throw new Error(
      `Cannot read the training parameters of "${jsonPath}": no training.params entry; retrain it with trainStage`,
    );
  }
  return params;
}

/** A loaded model, its training parameters, and what it does on the test grid. */
export interface LoadedRun {
  /** Local name prefix (e.g. `none-s1`). */
  name: string;
  /** Training parameters (seed, iterations, λs...). */
  params: Record<string, Json>;
  /** The evaluation on the test grid. */
  evaluation: Evaluation;
  /** The model; the caller disposes it. */
  model: Autoencoder;
}

/**
 * Loads `<prefix>.json/.bin` from the stage inputs and evaluates it on `test` with the
 * training set's `hole`. Throws when the model was trained for 0 updates (what the quick
 * profile does to seeds it does not use).
 */
export async function loadRun(
  inputs: Record<string, string>,
  prefix: string,
  test: DiskSet,
  hole: Interval,
): Promise<LoadedRun> {
  const json = inputs[`${prefix}.json`], bin = inputs[`${prefix}.bin`];
  if (!json || !bin) throw new Error(`Cannot load model "${prefix}": not among the stage's inputs`);
  const params = await trainingParams(json);
  if (params.iterations === 0) {
    throw new Error(
      `Cannot use model "${prefix}": it was trained for 0 updates (the quick profile trains only the first seeds); lower the item's seed count or raise the training's iterations with --set`,
    );
  }
  const model = await loadAutoencoder({ json, bin });
  try {
    return { name: prefix, params, evaluation: await evaluateModel(model, test, hole), model };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
