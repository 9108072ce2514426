/**
 * Training stages of the PCA-like autoencoder (S44–S47) and of its standard baseline (S49).
 *
 * The progressive model is one stage per step: `train-pcaae-<data>-k` trains a new
 * one-output encoder E_k and a fresh decoder D_k reading (z_1 … z_k), taking E_1 … E_{k−1}
 * frozen from step k − 1's `model.json`/`model.bin` (D_{k−1} is discarded). The baseline
 * `train-ae-<data>` trains one d-output encoder and its decoder together. Both write
 * `model.json` + `model.bin` (`latent_model.ts`) and `loss.json`.
 *
 * Architecture (our choice, allowed by the spec): the disk autoencoder's family of P-Tab 1
 * (`lib/ml/model.ts`: 3×3 convolutions with stride 2, biases, leaky ReLU 0.2, depths
 * 1, 8, 4, 4, 3, 2 then the code; decoder the mirror 2, 3, 4, 4, 8, 1 after the code), so the
 * PCA-like scheme is compared on the very networks the paper studies, at a cost a CPU can
 * afford. Each code component is the linear output of its encoder's last convolution followed
 * by the parameter-free batch normalisation (S47).
 *
 * Output and loss. Paper profile: the authors' PCAAE choice, a sigmoid output and per-pixel
 * binary cross-entropy. Measured here on step 1 (3,000 training ellipses, 2,000 updates of 32,
 * 300 fresh ellipses): binary cross-entropy gave |Pearson(z1, area)| = 0.90 and a squared
 * error of 0.050 per pixel, against 0.67 and 0.061 for the disk autoencoder's leaky ReLU
 * output trained on the squared error, even after 4,000 updates. Quick profile: the squared
 * error with the leaky ReLU output, because the sigmoid output starts as a uniform grey image
 * and needs hundreds of updates to learn the black background (cross-entropy 0.69 → 0.33
 * after 500 updates of 32; after 120 updates of 16 every decoded image was still blank, error
 * 0.15 per pixel, against 0.07 after 300 updates with the squared error). Wider inner layers
 * (encoder 1, 8, 16, 16, 16, 16; decoder 16, 16, 16, 16, 8, 1: `--set` the depths) lowered
 * the squared-error model's error from 0.061 to 0.043 at 2,000 updates for about 30% more
 * time; the defaults keep P-Tab 1's depths.
 *
 * The baseline's encoder has the same hidden depths and d output channels (one trunk shared
 * by the components, where the PCA-like model has one network per component) and the same
 * normalisation before its code (the authors' baseline had it too).
 *
 * Optimisation (authors' PCAAE code): Adam, lr 0.001, β1 = 0.5, β2 = 0.999, batch 512, 100
 * epochs of 20,480 images per component = 4,000 updates.
 *
 * @module
 */
import { fieldRunLoss } from "../../lib/train/loss_file.ts";
import { trainingStage } from "../../lib/train/training_stage.ts";
import type { OutputRef, ParamsOf, Stage } from "../../pipeline/stage.ts";
import { cpuThreadShare } from "../../lib/ml/kernels/cpu_threads.ts";
import { measuredStepTime } from "../../lib/ml/step_times.ts";
import { type AutoencoderConfig, diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { readNpyFloat32 } from "../../lib/ml/npy.ts";
import {
  assembleLatentModel,
  type LatentModel,
  type LatentModelConfig,
  loadLatentModel,
  saveLatentModel,
} from "./latent_model.ts";
import { encodeImages } from "./latent_eval.ts";
import { populationMoments, trainStep } from "./latent_train.ts";
import type { ReconstructionLoss } from "./losses.ts";

/** Paper-profile updates per component: 100 epochs × 20,480 / 512. */
export const PAPER_STEP_ITERATIONS = 4000;
/** Quick-profile updates per component. */
export const QUICK_STEP_ITERATIONS = 500;
/** Quick-profile batch size. */
export const QUICK_STEP_BATCH = 16;

/** The encoder of one step: hidden depths from the input, then `outputs` channels. */
export function stepEncoderConfig(hidden: number[], outputs: number): AutoencoderConfig {
  return diskAutoencoderConfig({
    encoderDepths: [...hidden, outputs],
    decoderDepths: null,
    latentActivation: "linear",
  });
}

/** The decoder of one step: the code depth d, then the hidden depths down to the image. */
export function stepDecoderConfig(
  d: number,
  hidden: number[],
  loss: ReconstructionLoss,
): AutoencoderConfig {
  return diskAutoencoderConfig({
    encoderDepths: null,
    decoderDepths: [d, ...hidden],
    outputActivation: loss === "bce" ? "sigmoid" : "leaky_relu",
  });
}

/** The parameter declarations every training stage of this directory shares. */
function trainParams(covLambda: number) {
  return {
    seed: {
      type: "integer" as const,
      default: 1,
      doc: "training seed: initial weights and batch order",
    },
    iterations: {
      type: "integer" as const,
      default: PAPER_STEP_ITERATIONS,
      quick: QUICK_STEP_ITERATIONS,
      min: 0,
      doc:
        "Adam updates for this step (authors' PCAAE: 100 epochs × 20,480 / 512 = 4,000; quick: 500, about 30 s of one core)",
    },
    batchSize: {
      type: "integer" as const,
      default: 512,
      quick: QUICK_STEP_BATCH,
      min: 2,
      doc: "batch size (authors' PCAAE: 512); also the batch of the normalisation statistics",
    },
    learningRate: {
      type: "number" as const,
      default: 0.001,
      min: 0,
      doc: "Adam learning rate (authors: 0.001)",
    },
    beta1: {
      type: "number" as const,
      default: 0.5,
      min: 0,
      max: 1,
      doc: "Adam β1 (authors' PCAAE: 0.5)",
    },
    beta2: {
      type: "number" as const,
      default: 0.999,
      min: 0,
      max: 1,
      doc: "Adam β2 (authors: 0.999)",
    },
    loss: {
      type: "string" as const,
      default: "bce",
      quick: "mse",
      choices: ["bce", "mse"],
      doc:
        "bce: sigmoid output and per-pixel binary cross-entropy (authors' PCAAE; more area-like z1 in our tests); mse: leaky ReLU output and per-pixel squared error (P§4's disk autoencoder; quick, as it starts from a black image)",
    },
    covLambda: {
      type: "number" as const,
      default: covLambda,
      min: 0,
      doc:
        "λ_cov of the covariance term between the newest component and the frozen ones (S47; authors: 1)",
    },
    encoderDepths: {
      type: "number[]" as const,
      default: [1, 8, 4, 4, 3, 2],
      doc:
        "encoder depths from the input up to the last hidden layer (P-Tab 1); the code channels follow",
    },
    decoderDepths: {
      type: "number[]" as const,
      default: [2, 3, 4, 4, 8, 1],
      doc: "decoder depths after the code down to the image (P-Tab 1's mirror)",
    },
    bnEpsilon: {
      type: "number" as const,
      default: 1e-5,
      min: 0,
      doc: "ε of the batch normalisation (PyTorch's default)",
    },
    logEvery: {
      type: "integer" as const,
      default: 50,
      quick: 10,
      min: 1,
      doc: "record the loss every this many updates",
    },
    checkpointEvery: {
      type: "integer" as const,
      default: 500,
      quick: 60,
      min: 1,
      doc: "checkpoint every this many updates",
    },
  };
}

/**
 * Estimated seconds of a training stage: on the cpu, the measured update of `pcaae` in
 * `lib/ml/step_times.json` (`deno task bench --model pca`), scaled by the thread count's share,
 * plus 3 s of loading and evaluation; without that file, 4 ms per example and update (the value
 * measured before the WebAssembly kernels).
 */
function trainEstimate(
  p: { iterations: number; batchSize: number },
  backend: string,
  threads: number,
): number {
  if (backend !== "cpu") return p.iterations * p.batchSize * 0.0005 + 3;
  const t = measuredStepTime("pcaae", "cpu", { fixed: 0, perImage: 0.004 });
  return p.iterations * (t.fixed + t.perImage * p.batchSize) * cpuThreadShare(threads) + 3;
}

/** Options of {@linkcode latentTrainStage}. */
export interface LatentTrainStageOptions {
  /** Stage id. */
  id: string;
  /** One line for `dag`. */
  description: string;
  /** Dataset stage id (its `images.npy` is used). */
  dataset: string;
  /** Outputs of the new encoder: 1 for a PCA step, d for the standard autoencoder. */
  outputs: number;
  /** The previous step's stage id (its model's encoders are frozen), if any. */
  previous?: string;
  /** Default λ_cov (1 for PCA steps; irrelevant without a previous step). */
  covLambda?: number;
}

/** What a step's stage loads once: the images, and the previous step's model and codes. */
interface StepInputs {
  images: Float32Array;
  count: number;
  /** The previous step's model until this step's model takes its encoders. */
  previous: LatentModel | null;
  /** The frozen codes, normalised with their population statistics. */
  frozenCodes?: Float32Array;
}

/**
 * A stage training one step (or the whole standard autoencoder), made by the one
 * training-stage factory (`lib/train/training_stage.ts`).
 */
export function latentTrainStage(o: LatentTrainStageOptions): Stage<LatentTrainParams> {
  const inputs: Record<string, OutputRef> = { images: `${o.dataset}:images.npy` };
  if (o.previous) {
    inputs.previousJson = `${o.previous}:model.json`;
    inputs.previousBin = `${o.previous}:model.bin`;
  }
  const params = trainParams(o.covLambda ?? 1);
  return trainingStage<LatentTrainParams, StepInputs, LatentModel>({
    id: o.id,
    description: o.description,
    module: import.meta.url,
    params,
    inputs,
    models: ["model.json", "model.bin"],
    estimate: trainEstimate,
    async load(ctx) {
      const images = await readNpyFloat32(ctx.inputs.images);
      const loaded: StepInputs = { images: images.data, count: images.shape[0], previous: null };
      if (ctx.inputs.previousJson) {
        loaded.previous = await loadLatentModel(ctx.inputs.previousJson, ctx.inputs.previousBin);
        loaded.frozenCodes = await encodeImages(loaded.previous, images.data);
      }
      return loaded;
    },
    async train(ctx, loaded, run, io) {
      const p = ctx.params;
      const loss = p.loss as ReconstructionLoss;
      const previous = loaded.previous;
      const f = previous?.latentSize ?? 0;
      const encoder = stepEncoderConfig(p.encoderDepths, o.outputs);
      const decoder = stepDecoderConfig(f + o.outputs, p.decoderDepths, loss);
      const result = await trainStep(
        { count: loaded.count, images: loaded.images, frozenCodes: loaded.frozenCodes },
        {
          encoder,
          decoder,
          frozenDims: f,
          seed: run.seed,
          iterations: p.iterations,
          batchSize: p.batchSize,
          adam: { learningRate: p.learningRate, beta1: p.beta1, beta2: p.beta2, epsilon: 1e-8 },
          loss,
          covLambda: p.covLambda,
          bnEpsilon: p.bnEpsilon,
          logEvery: p.logEvery,
          checkpointEvery: p.checkpointEvery,
          checkpointDir: io.checkpointDir,
          onProgress: io.onProgress,
          onLog: io.onLog,
        },
      );
      let moments;
      try {
        moments = await populationMoments(result.encoder, loaded.images);
      } catch (e) {
        result.encoder.dispose();
        result.decoder.dispose();
        throw e;
      }
      const frozenEncoders = previous ? [...previous.encoders] : [];
      const config: LatentModelConfig = {
        encoders: [...frozenEncoders.map((e) => e.config), encoder],
        decoder,
        bnEpsilon: p.bnEpsilon,
      };
      const mean = Float32Array.from([...(previous?.bnMean ?? []), ...moments.mean]);
      const variance = Float32Array.from([...(previous?.bnVar ?? []), ...moments.variance]);
      // The previous decoder is discarded (S45); its encoders move into the new model.
      previous?.decoder.dispose();
      loaded.previous = null;
      const model = assembleLatentModel(
        config,
        [...frozenEncoders, result.encoder],
        result.decoder,
        mean,
        variance,
      );
      return {
        ...result,
        model,
        loss: fieldRunLoss(run.label, run.seed, [
          { name: "loss", role: "objective" },
          { name: "reconstruction", role: "data" },
          { name: "covariance", role: "regulariser" },
        ], result.lossCurve),
      };
    },
    async save(ctx, loaded, [run]) {
      const config = run.model.config;
      await saveLatentModel(run.model, ctx.outPath("model.json"), ctx.outPath("model.bin"), {
        training: {
          seed: run.loss.seed,
          count: loaded.count,
          params: ctx.params,
          step: config.encoders.length,
          // Code components taken frozen from the previous step (f), as before this step.
          frozen: run.model.latentSize - o.outputs,
        },
      });
    },
    dispose: (model) => model.dispose(),
    release: (loaded) => loaded.previous?.dispose(),
  });
}

/** The merged parameters of a training stage. */
export type LatentTrainParams = ParamsOf<ReturnType<typeof trainParams>>;

/** The standard autoencoder with d = 3 on ellipses (S49, top). */
export const trainAeEllipses = latentTrainStage({
  id: "train-ae-ellipses",
  description:
    "standard autoencoder, d = 3, on ellipses (S49): one 3-output encoder and its decoder trained together",
  dataset: "data-ellipses",
  outputs: 3,
  covLambda: 0,
});

/** PCA-like autoencoder on ellipses, steps 1–3 (S45–S49). */
export const trainPcaaeEllipses = [1, 2, 3].map((k) =>
  latentTrainStage({
    id: `train-pcaae-ellipses-${k}`,
    description: k === 1
      ? "PCA-like autoencoder on ellipses, step 1: encoder E_1 and decoder D_1 (S45)"
      : `PCA-like autoencoder on ellipses, step ${k}: new E_${k} and fresh D_${k}, E_1…E_${
        k - 1
      } frozen, covariance loss (S45–S47)`,
    dataset: "data-ellipses",
    outputs: 1,
    previous: k > 1 ? `train-pcaae-ellipses-${k - 1}` : undefined,
  })
);

/** The standard autoencoder with d = 2 on grey disks (S50's comparison). */
export const trainAeGrey = latentTrainStage({
  id: "train-ae-grey",
  description: "standard autoencoder, d = 2, on disks of varying radius and grey level (S50)",
  dataset: "data-grey",
  outputs: 2,
  covLambda: 0,
});

/** PCA-like autoencoder on grey disks, steps 1–2 (S50). */
export const trainPcaaeGrey = [1, 2].map((k) =>
  latentTrainStage({
    id: `train-pcaae-grey-${k}`,
    description: k === 1
      ? "PCA-like autoencoder on grey disks, step 1 (S50)"
      : "PCA-like autoencoder on grey disks, step 2: new E_2, fresh D_2, E_1 frozen, covariance loss (S50)",
    dataset: "data-grey",
    outputs: 1,
    previous: k > 1 ? "train-pcaae-grey-1" : undefined,
  })
);

/** Every training stage of this directory. */
export const pcaTrainStages = [
  trainAeEllipses,
  ...trainPcaaeEllipses,
  trainAeGrey,
  ...trainPcaaeGrey,
];
