/**
 * Stage `train-dcgan`: DCGANs with a one-number code (d = 1) trained on the hole dataset
 * (`data-hole`: no radius in [11, 18]), one per seed (P§4.4, App. D).
 *
 * All seeds are trained by this one stage, one after the other, because the number of seeds
 * depends on the profile (3 in `paper`, 2 in `quick`) and a stage's inputs cannot; each seed
 * checkpoints on its own, so an interruption loses at most one checkpoint interval.
 *
 * Outputs: `weights.json` + `weights.bin` (every seed, see `weights.ts`) and `loss.json` (one
 * run per seed, labelled `seed s`, with the D and G losses and the two mean scores:
 * `lib/train/loss_file.ts`).
 *
 * @module
 */
import { fieldRunLoss } from "../../lib/train/loss_file.ts";
import { trainingStage } from "../../lib/train/training_stage.ts";
import { cpuThreadShare } from "../../lib/ml/kernels/cpu_threads.ts";
import { measuredStepTime } from "../../lib/ml/step_times.ts";
import type { ParamDefs, ParamsOf } from "../../pipeline/stage.ts";
import { readNpyFloat32 } from "../../lib/ml/npy.ts";
import {
  type Dcgan,
  type DcganConfig,
  dcganConfig,
  forwardMacs,
  type OutputActivation,
} from "./model.ts";
import { trainDcgan } from "./train.ts";
import { saveDcganBundle } from "./weights.ts";

/** The architecture a parameter set builds. */
export function trainConfig(p: {
  baseWidth: number;
  kernelSize: number;
  outputActivation: string;
  outputBias: boolean;
}): DcganConfig {
  return dcganConfig(p.baseWidth, {
    kernelSize: p.kernelSize,
    outputActivation: p.outputActivation as OutputActivation,
    outputBias: p.outputBias,
  });
}

/**
 * Seconds per image and iteration, per multiply-add of one G plus one D forward pass (an
 * iteration runs G forward three times and backward once, D forward five times and backward
 * three times), on a GPU: a guess of about 1 effective TFLOP/s for these convolutions through
 * tfjs's webgpu backend. The CPU's is measured (`../ml/step_times.json`).
 */
const SECONDS_PER_MAC = { gpu: 1e-11 };

/** The parameters of `train-dcgan`. */
const TRAIN_DCGAN_PARAMS = {
  seeds: {
    type: "number[]",
    default: [1, 2, 3],
    quick: [1, 2],
    doc:
      "seed labels, one generator each: GAN training is unstable, so every seed is trained and reported",
  },
  iterations: {
    type: "integer",
    default: 5000,
    quick: 2000,
    min: 1,
    doc:
      "iterations, each one D update then one G update (iGAN alternates them): 5000 = 10,000 updates, the spec's training length",
  },
  batchSize: {
    type: "integer",
    default: 128,
    quick: 8,
    min: 2,
    doc:
      "images per update (iGAN and DCGAN: 128); quick: 8, twice the updates of 16 for the same cost (at 16, 1000 iterations had not covered the observed radii)",
  },
  baseWidth: {
    type: "integer",
    default: 64,
    quick: 4,
    min: 1,
    doc:
      "f: G widths 8f, 4f, 2f, f and D widths f, 2f, 4f, 8f (DCGAN: 64, iGAN: 128; scaled down to 4 for the CPU budget of the quick profile)",
  },
  kernelSize: {
    type: "integer",
    default: 5,
    quick: 4,
    min: 2,
    doc:
      "square kernel side (iGAN and DCGAN: 5; quick: 4, two-thirds of the cost and no uneven overlap of stride-2 transposed convolutions)",
  },
  learningRate: {
    type: "number",
    default: 2e-4,
    quick: 2e-3,
    min: 0,
    doc:
      "Adam learning rate (DCGAN, iGAN: 2e-4); quick: 2e-3, since at 2e-4 the small networks of the quick profile had not left the grey start after 400 iterations",
  },
  beta1: {
    type: "number",
    default: 0.5,
    min: 0,
    max: 1,
    doc: "Adam β1 (DCGAN: 0.5, for stability)",
  },
  weightDecay: {
    type: "number",
    default: 1e-5,
    min: 0,
    doc: "l2 term λθ added to every gradient (iGAN: 1e-5)",
  },
  decayFrom: {
    type: "number",
    default: 0.5,
    min: 0,
    max: 1,
    doc:
      "share of the iterations after which the learning rate decays linearly to 0 (iGAN: half); 1 = constant",
  },
  outputActivation: {
    type: "string",
    default: "sigmoid",
    choices: ["sigmoid", "tanh"],
    doc:
      "G's output: sigmoid on images in [0, 1] (iGAN's one-channel case) or tanh on 2x − 1 (DCGAN's colour case)",
  },
  outputBias: {
    type: "boolean",
    default: false,
    quick: true,
    doc:
      "a bias on G's output layer (iGAN, DCGAN: none; quick: one, which lets the short run reach the black background sooner)",
  },
  statisticsPoints: {
    type: "integer",
    default: 1024,
    quick: 128,
    min: 2,
    doc:
      "z grid (midpoints over [−1, 1]) estimating G's batch-norm population statistics after training (iGAN: 1000 random batches)",
  },
  logEvery: {
    type: "integer",
    default: 50,
    quick: 10,
    min: 1,
    doc: "record the losses every this many iterations",
  },
  checkpointEvery: {
    type: "integer",
    default: 500,
    quick: 100,
    min: 1,
    doc: "checkpoint every this many iterations",
  },
} as const satisfies ParamDefs;

/** The merged parameters of `train-dcgan`. */
export type TrainDcganParams = ParamsOf<typeof TRAIN_DCGAN_PARAMS>;

/** What `train-dcgan` loads once. */
interface GanData {
  images: Float32Array;
  count: number;
  config: DcganConfig;
}

/** Stage `train-dcgan`, made by the one training-stage factory (`lib/train/training_stage.ts`). */
export const trainDcganStage = trainingStage<TrainDcganParams, GanData, Dcgan>({
  id: "train-dcgan",
  description: "DCGANs (d = 1) trained on the hole dataset, one per seed (App. D)",
  module: import.meta.url,
  params: TRAIN_DCGAN_PARAMS,
  inputs: { images: "data-hole:images.npy" },
  models: ["weights.json", "weights.bin"],
  estimate: (p, backend, threads) => {
    const macs = forwardMacs(trainConfig(p));
    const perImageMacs = macs.generator + macs.discriminator;
    if (backend === "cpu") {
      // Measured (lib/ml/step_times.json; the code hash counts it as code, so recalibrating
      // re-keys the trainings that read it).
      // Its `perImage` is per image and multiply-add of one G and one D forward pass.
      const t = measuredStepTime("dcgan", "cpu", { fixed: 0.0275, perImage: 7.5e-10 });
      const perUpdate = (t.fixed + t.perImage * p.batchSize * perImageMacs) *
        cpuThreadShare(threads);
      return p.seeds.length * p.iterations * perUpdate;
    }
    return p.seeds.length * p.iterations * p.batchSize * perImageMacs * SECONDS_PER_MAC.gpu;
  },
  runs: (ctx) =>
    ctx.params.seeds.map((label, k) => ({
      index: k,
      label: `seed ${label}`,
      seed: ctx.rng.fork(`seed ${label}`).seed,
    })),
  async load(ctx) {
    const p = ctx.params;
    if (
      p.seeds.length === 0 || new Set(p.seeds).size !== p.seeds.length ||
      !p.seeds.every(Number.isInteger)
    ) {
      throw new Error(
        `Cannot train "${ctx.id}": seeds must be distinct integers, at least one; fix --set ${ctx.id}.seeds`,
      );
    }
    const config = trainConfig(p);
    const images = await readNpyFloat32(ctx.inputs.images);
    if (images.shape[1] !== config.imageSize || images.shape[2] !== config.imageSize) {
      throw new Error(
        `Cannot train "${ctx.id}": images are ${
          images.shape.slice(1).join("×")
        }, the DCGAN takes ${config.imageSize}×${config.imageSize}`,
      );
    }
    return { images: images.data, count: images.shape[0], config };
  },
  async train(ctx, { images, count, config }, run, io) {
    const p = ctx.params;
    const result = await trainDcgan(images, count, {
      config,
      seed: run.seed,
      iterations: p.iterations,
      batchSize: p.batchSize,
      adam: {
        learningRate: p.learningRate,
        beta1: p.beta1,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: p.weightDecay,
      },
      decayStart: Math.round(p.decayFrom * p.iterations),
      statisticsPoints: p.statisticsPoints,
      logEvery: p.logEvery,
      checkpointEvery: p.checkpointEvery,
      checkpointDir: io.checkpointDir,
      onProgress: io.onProgress,
      onLog: io.onLog,
    });
    return {
      ...result,
      // D and G minimise their losses in turn; the scores are mean probabilities, watched.
      loss: fieldRunLoss(run.label, run.seed, [
        { name: "discriminator", role: "objective" },
        { name: "generator", role: "objective" },
        { name: "realScore", role: "monitor" },
        { name: "fakeScore", role: "monitor" },
      ], result.lossCurve),
    };
  },
  async save(ctx, { count, config }, trained) {
    await saveDcganBundle(
      ctx.outPath("weights.json"),
      ctx.outPath("weights.bin"),
      config,
      trained.map((t, k) => ({ seed: ctx.params.seeds[k], model: t.model })),
      { training: { params: ctx.params, count } },
    );
  },
  dispose: (model) => model.dispose(),
});
