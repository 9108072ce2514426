/**
 * Training stages of the position networks (P§5.3–5.4): the 1-D encoder (regressing the
 * position, or inside an autoencoder) and the 1-D decoder, trained with the shared training
 * core (`lib/ml/train.ts`) on a Dirac dataset stage (`dirac_dataset.ts`), each stage made by
 * the one training-stage factory (`lib/train/training_stage.ts`).
 *
 * Several seeds. Whether gradient descent lands on [1, 2, 1] depends on the initial draw (a
 * few seeds plateau at "predict the mean" for thousands of updates), so a stage can train
 * `seeds` independent models, the same settings with seeds derived from the stage's
 * generator: run 0 uses `ctx.rng.fork("train")` (as `lib/ml/train_stage.ts` does), run k
 * `ctx.rng.fork("train-k")`. Run 0 is the model the figures and checks use; the others say
 * how typical it is.
 *
 * Outputs: `weights.json` + `weights.bin` (run 0, the format of `lib/ml/weights_io.ts`,
 * loadable with `loadAutoencoder`), `runs.json` (every run: seed, final loss, every weight by
 * name) and `loss.json` (every run's curves, labelled `run k`, `lib/train/loss_file.ts`). A
 * finished run is kept in the scratch directory, and an interrupted run resumes from its
 * checkpoint.
 *
 * @module
 */
import { type RunLoss, termRunLoss } from "../../lib/train/loss_file.ts";
import { trainingStage } from "../../lib/train/training_stage.ts";
import type { Context, Json, ParamDefs, Stage } from "../../pipeline/stage.ts";
import {
  type Activation,
  type Autoencoder,
  type AutoencoderConfig,
  createAutoencoder,
  latentSize,
} from "../../lib/ml/model.ts";
import { readNpyFloat32, stableJson } from "../../lib/ml/npy.ts";
import type { LossReduction } from "../../lib/ml/regularisers.ts";
import { train, type TrainData, type TrainMode } from "../../lib/ml/train.ts";
import { saveWeights } from "../../lib/ml/weights_io.ts";

/** Parameters of a position training stage. */
export type PositionTrainParams = {
  seed: number;
  seeds: number;
  iterations: number;
  batchSize: number;
  learningRate: number;
  loss: string;
  /** Absent when there is no encoder. */
  encoderBias?: boolean;
  /** Absent when there is no decoder. */
  decoderBias?: boolean;
  /** Absent when there is no encoder. */
  latentActivation?: string;
  /** Absent when there is no decoder. */
  outputActivation?: string;
  logEvery: number;
  checkpointEvery: number;
};

/** A parameter's default and quick value, and why they differ from the base (`doc`). */
export type ParamValues = { default?: Json; quick?: Json; doc?: string };

/** Options of {@linkcode positionTrainStage}. */
export interface PositionTrainOptions {
  /**
   * `import.meta.url` of the module that defines the stage: its code, every option given here
   * included, joins the cache key (the factory's own code comes with it, as an import).
   */
  module: string;
  /** Stage id (`train-…`). */
  id: string;
  /** One line for `dag`. */
  description: string;
  /** The Dirac dataset stage's id: its `images.npy` (and `codes.npy` for modes encoder/decoder). */
  dataset: string;
  /** What is trained. */
  mode: TrainMode;
  /** The architecture (depths, kernel, strides); biases and activations become parameters. */
  config: AutoencoderConfig;
  /** Defaults and quick values of parameters. */
  params?: Partial<Record<keyof PositionTrainParams, ParamValues>>;
  /**
   * CPU cost for `--dry-run`: seconds per update plus seconds per example of the batch (the
   * batch is at most `examples`, the dataset's size, when given). The stages' values are fitted
   * to a clean quick run on the 2-core development machine (2026-12-04, two stages at a time,
   * 10,000 updates of batch 300 per seed): 0.5 ms per update for the encoder, 1.1 for the
   * autoencoder, 1.9 for the decoder on the triangular Diracs and 0.7 on the 64 one-hot ones.
   */
  cost?: { perStep: number; perExample: number; examples?: number };
}

/** One trained model of a stage. */
export interface PositionRun {
  /** 0 for the main run. */
  index: number;
  /** The training seed. */
  seed: number;
  /** Last recorded loss. */
  finalLoss: number;
  /** Every variable by name, as numbers (float32 values, exactly). */
  weights: Record<string, number[]>;
}

/** What `runs.json` holds. */
export interface PositionRuns {
  /** The architecture every run shares. */
  config: AutoencoderConfig;
  /** The training mode. */
  mode: TrainMode;
  /** The runs, main run first. */
  runs: PositionRun[];
}

/** The parameter declarations of a position training stage. */
export function positionTrainParams(
  config: AutoencoderConfig,
  overrides: PositionTrainOptions["params"] = {},
): ParamDefs {
  const base: ParamDefs = {
    seed: {
      type: "integer",
      default: 1,
      doc: "training seed label: initial weights, batch order of every run",
    },
    seeds: {
      type: "integer",
      default: 1,
      min: 1,
      doc:
        "independent trainings with derived seeds; run 0 makes the figure and the checks, the others show how typical it is",
    },
    iterations: {
      type: "integer",
      default: 10_000,
      min: 0,
      doc: "Adam updates per run (authors' code: 10,000)",
    },
    batchSize: {
      type: "integer",
      default: 300,
      min: 1,
      doc: "batch size (P-Tab 1: 300; a set smaller than that is used whole at every update)",
    },
    learningRate: {
      type: "number",
      default: 0.001,
      min: 0,
      doc: "Adam learning rate (P-Tab 1: 0.001)",
    },
    loss: {
      type: "string",
      default: "mean",
      choices: ["sum", "mean"],
      doc: "mean: per-sample mean squared error (the authors' Keras code); sum: P Eq. 1 per signal",
    },
    encoderBias: {
      type: "boolean",
      default: config.encoderBias,
      doc: "biases in the encoder (P§5.3 allows them)",
    },
    decoderBias: {
      type: "boolean",
      default: config.decoderBias,
      doc: "biases in the decoder (P§5.4 uses them)",
    },
    latentActivation: {
      type: "string",
      default: config.latentActivation,
      choices: ["leaky_relu", "linear", "relu", "sigmoid"],
      doc: "activation on z (authors' code: leaky ReLU, as every layer)",
    },
    outputActivation: {
      type: "string",
      default: config.outputActivation,
      choices: ["leaky_relu", "linear", "relu", "sigmoid"],
      doc: "activation on the decoder's output (authors' code: leaky ReLU, no sigmoid)",
    },
    logEvery: {
      type: "integer",
      default: 100,
      min: 1,
      doc: "record the loss every this many updates",
    },
    checkpointEvery: {
      type: "integer",
      default: 1000,
      min: 1,
      doc: "checkpoint every this many updates",
    },
  };
  // Settings of a part the model does not have would only enter the key: left out.
  if (!config.encoderDepths) delete base.encoderBias, delete base.latentActivation;
  if (!config.decoderDepths) delete base.decoderBias, delete base.outputActivation;
  for (const [name, o] of Object.entries(overrides ?? {})) {
    const def = base[name];
    if (!def) {
      throw new Error(
        `Cannot declare parameter "${name}": unknown or not used by this model; see positionTrainParams`,
      );
    }
    base[name] = {
      ...def,
      ...(o?.default !== undefined ? { default: o.default } : {}),
      ...(o?.quick !== undefined ? { quick: o.quick } : {}),
      ...(o?.doc !== undefined ? { doc: o.doc } : {}),
    };
  }
  return base;
}

/** The seed of run k of a stage. */
export function runSeed(ctx: Pick<Context, "rng">, k: number): number {
  return ctx.rng.fork(k === 0 ? "train" : `train-${k}`).seed;
}

/** Rebuilds run k's model from `runs.json` (the caller disposes it; the backend must be ready). */
export function runModel(runs: PositionRuns, k: number) {
  const model = createAutoencoder(runs.config, 0);
  const w = runs.runs[k].weights;
  model.writeWeights(
    Object.fromEntries(Object.entries(w).map(([name, v]) => [name, Float32Array.from(v)])),
  );
  return model;
}

/** One trained position network and its variables as numbers (read back once). */
interface PositionModel {
  net: Autoencoder;
  weights: Record<string, number[]>;
}

/** What a position training stage loads once. */
interface PositionData {
  data: TrainData;
  config: AutoencoderConfig;
}

/**
 * A stage training `seeds` position networks on a Dirac dataset, made by the one
 * training-stage factory (`lib/train/training_stage.ts`).
 */
export function positionTrainStage(o: PositionTrainOptions): Stage<PositionTrainParams> {
  const inputs: Record<string, `${string}:${string}`> = { images: `${o.dataset}:images.npy` };
  if (o.mode !== "autoencoder") inputs.codes = `${o.dataset}:codes.npy`;
  const cost = o.cost ?? { perStep: 0.0005, perExample: 0.000005 };
  return trainingStage<PositionTrainParams, PositionData, PositionModel>({
    id: o.id,
    description: o.description,
    module: o.module,
    params: positionTrainParams(o.config, o.params),
    inputs,
    models: ["weights.json", "weights.bin", "runs.json"],
    // A 64-example set is used whole; larger sets in batches of batchSize.
    estimate: (p) =>
      2 +
      p.seeds * p.iterations *
        (cost.perStep + cost.perExample * Math.min(p.batchSize, cost.examples ?? Infinity)),
    runs: (ctx) =>
      Array.from(
        { length: ctx.params.seeds },
        (_, k) => ({ index: k, label: `run ${k}`, seed: runSeed(ctx, k) }),
      ),
    async load(ctx) {
      const p = ctx.params;
      const config: AutoencoderConfig = {
        ...o.config,
        encoderBias: p.encoderBias ?? o.config.encoderBias,
        decoderBias: p.decoderBias ?? o.config.decoderBias,
        latentActivation: (p.latentActivation ?? o.config.latentActivation) as Activation,
        outputActivation: (p.outputActivation ?? o.config.outputActivation) as Activation,
      };
      const images = await readNpyFloat32(ctx.inputs.images);
      const count = images.shape[0];
      const data: TrainData = { count, images: images.data };
      if (ctx.inputs.codes) {
        const codes = await readNpyFloat32(ctx.inputs.codes);
        if (codes.data.length !== count * latentSize(config)) {
          throw new Error(
            `Cannot train "${ctx.id}": codes hold ${codes.data.length} values for ${count} signals of d = ${
              latentSize(config)
            }; check the dataset stage`,
          );
        }
        data.codes = codes.data;
      }
      return { data, config };
    },
    async train(ctx, { data, config }, run, io) {
      const p = ctx.params;
      // A run finished by an earlier, interrupted attempt is kept in the scratch directory:
      // its weights and curve, so that a stage of many seeds never trains one twice.
      const donePath = `${ctx.scratchDir}/run-${run.index}.json`;
      const done = await Deno.readTextFile(donePath).then(JSON.parse).catch(() => null) as
        | { seed: number; weights: Record<string, number[]>; loss: RunLoss }
        | null;
      if (done && done.seed === run.seed) {
        io.onLog("reused from an earlier attempt");
        const net = createAutoencoder(config, 0);
        net.writeWeights(
          Object.fromEntries(
            Object.entries(done.weights).map(([name, v]) => [name, Float32Array.from(v)]),
          ),
        );
        return {
          model: { net, weights: done.weights },
          loss: done.loss,
          seconds: 0,
          stepsRun: 0,
          resumedFrom: p.iterations,
        };
      }
      const result = await train(data, {
        config,
        seed: run.seed,
        iterations: p.iterations,
        batchSize: p.batchSize,
        loss: p.loss as LossReduction,
        mode: o.mode,
        adam: { learningRate: p.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
        logEvery: p.logEvery,
        checkpointEvery: p.checkpointEvery,
        checkpointDir: io.checkpointDir,
        onProgress: io.onProgress,
        onLog: io.onLog,
      });
      const loss = termRunLoss(run.label, run.seed, result.lossCurve);
      const model = { net: result.model, weights: await numberWeights(result.model) };
      await Deno.writeTextFile(
        donePath,
        JSON.stringify({ seed: run.seed, weights: model.weights, loss }),
      );
      return { ...result, model, loss };
    },
    async save(ctx, { data, config }, trained) {
      const p = ctx.params;
      const runs: PositionRun[] = trained.map((t, k) => ({
        index: k,
        seed: t.loss.seed,
        finalLoss: t.loss.records.at(-1)?.loss ?? NaN,
        weights: t.model.weights,
      }));
      const net = trained[0].model.net;
      await saveWeights(net, ctx.outPath("weights.json"), ctx.outPath("weights.bin"), {
        training: { seed: runs[0].seed, count: data.count, mode: o.mode, params: p },
      });
      const out: PositionRuns = { config, mode: o.mode, runs };
      await Deno.writeTextFile(ctx.outPath("runs.json"), stableJson(out) + "\n");
    },
    dispose: (model) => model.net.dispose(),
  });
}

/** Every variable of a model by name, as numbers (float32 values, exactly). */
async function numberWeights(model: Autoencoder): Promise<Record<string, number[]>> {
  const values = await model.readWeights();
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, Array.from(v)]));
}
