/**
 * Stage factories plugging the training core into the pipeline (`pipeline/stage.ts`):
 *
 * - {@linkcode diskDatasetStage}: writes `images.npy` (float32 [n, m, m]), `radii.npy`
 *   (float64 [n]) and `dataset.json` (the parameters and a few statistics).
 * - {@linkcode trainStage}: trains on a dataset stage's outputs and writes `weights.json` +
 *   `weights.bin` (the format of `weights_io.ts`, loadable with `loadAutoencoder(outDir)`)
 *   and `loss.json` (`../train/loss_file.ts`), through the one training-stage factory
 *   (`../train/training_stage.ts`). Checkpoints go to `ctx.scratchDir/checkpoints`, so an
 *   interrupted stage resumes where it stopped.
 *
 * Every output is a pure function of the parameters and inputs (no timings inside them):
 * timings and the adapter go to the manifest through `ctx.record`.
 *
 * @module
 */
import type {
  CodeValue,
  Context,
  Json,
  OutputRef,
  ParamDefs,
  Stage,
} from "../../pipeline/stage.ts";
import { cpuThreadShare } from "./kernels/cpu_threads.ts";
import { measuredStepTime } from "./step_times.ts";
import { type DiskGeometry, generateDiskDataset, type RadiusSampler } from "./disks.ts";
import {
  type Activation,
  type Autoencoder,
  type AutoencoderConfig,
  createAutoencoder,
  diskAutoencoderConfig,
  latentSize,
} from "./model.ts";
import { readNpy, readNpyFloat32, stableJson, writeNpy } from "./npy.ts";
import type { LossReduction } from "./regularisers.ts";
import * as tf from "@tensorflow/tfjs";
import { train, type TrainData, type TrainMode, type TrainSettings } from "./train.ts";
import type { BatchDraw } from "../train/loop.ts";
import { fastKernelsInstalled } from "./kernels/install.ts";
import { aloneReason, groupCompatibility, trainGroup } from "./group/group_train.ts";
import { saveWeights } from "./weights_io.ts";
import { termRunLoss } from "../train/loss_file.ts";
import {
  type RunIo,
  runIo,
  type RunPlan,
  singleRun,
  type TrainedRun,
  trainingStage,
} from "../train/training_stage.ts";

// ---------------------------------------------------------------------------------------------
// Dataset stage

/** Parameters of a disk dataset stage. */
export type DiskDatasetParams = {
  count: number;
  size: number;
  sigma: number;
  blur: string;
  samples: number;
  sampler: string;
  radiusMin: number;
  radiusMax: number;
  holeMin: number;
  holeMax: number;
  centre: number[];
  levels: number;
  seed: number;
};

/** Options of {@linkcode diskDatasetStage}; each value becomes a parameter's default. */
export interface DiskDatasetStageOptions {
  /** Stage id. */
  id: string;
  /** One line for `dag`. */
  description: string;
  /** Radius sampler (default uniform on (0, 32)). */
  sampler?: RadiusSampler;
  /** Number of images (default 3000, P§4.1). */
  count?: number;
  /** Number of images in the quick profile (default: the same). */
  quickCount?: number;
  /** `mc` (default, App. A) or `exact`. */
  blur?: "mc" | "exact";
  /** Monte Carlo samples (default 800). */
  samples?: number;
  /** Image side (default 64). */
  size?: number;
  /** Blur σ (default 0.5). */
  sigma?: number;
  /** Disk centre (row, column); default ((m−1)/2, (m−1)/2). */
  centre?: [number, number];
  /** Seed label (default 1): datasets differing only by it are independent draws. */
  seed?: number;
  /** The `code` profile's values, with their sources (`lib/ml/authors_code.ts`); none: not covered. */
  code?: Partial<Record<keyof DiskDatasetParams, CodeValue>>;
  /**
   * `import.meta.url` of the module that defines the stage: its code, every option given here
   * included, joins the cache key (the factory's own code comes with it, as an import).
   */
  module: string;
}

/** A stage generating blurred disks (App. A). */
export function diskDatasetStage(o: DiskDatasetStageOptions): Stage<DiskDatasetParams> {
  const sampler = o.sampler ?? { kind: "uniform", min: 0, max: 32 };
  const count = o.count ?? 3000;
  const params: ParamDefs = {
    count: {
      type: "integer",
      default: count,
      ...(o.quickCount !== undefined ? { quick: o.quickCount } : {}),
      min: 1,
      doc: "number of images (P§4.1: 3000)",
    },
    size: { type: "integer", default: o.size ?? 64, min: 2, doc: "image side m (P§3: 64)" },
    sigma: {
      type: "number",
      default: o.sigma ?? 0.5,
      min: 0,
      doc: "Gaussian blur σ in pixels (authors' code: 0.5)",
    },
    blur: {
      type: "string",
      default: o.blur ?? "mc",
      choices: ["mc", "exact"],
      doc: "mc: Monte Carlo as App. A; exact: exact radial profile (1 − Marcum Q)",
    },
    samples: {
      type: "integer",
      default: o.samples ?? 800,
      min: 1,
      doc: "Monte Carlo samples per image (authors' code: 800)",
    },
    sampler: {
      type: "string",
      default: sampler.kind,
      choices: ["uniform", "hole", "grid"],
      doc:
        "radius law: uniform on (min, max), uniform without [holeMin, holeMax], or a regular grid",
    },
    radiusMin: {
      type: "number",
      default: sampler.min,
      min: 0,
      doc: "smallest radius (exclusive for random laws)",
    },
    radiusMax: {
      type: "number",
      default: sampler.max,
      min: 0,
      doc: "largest radius (P§4.1: m/2 = 32)",
    },
    holeMin: {
      type: "number",
      default: sampler.kind === "hole" ? sampler.holeMin : 11,
      doc: "start of the missing radii (P-Fig 6: 11); used by sampler=hole",
    },
    holeMax: {
      type: "number",
      default: sampler.kind === "hole" ? sampler.holeMax : 18,
      doc: "end of the missing radii (P-Fig 6: 18); used by sampler=hole",
    },
    centre: {
      type: "number[]",
      default: o.centre ?? [],
      doc: "disk centre [row, column]; empty = ((m−1)/2, (m−1)/2) = (31.5, 31.5) for m = 64",
    },
    levels: {
      type: "integer",
      default: 0,
      min: 0,
      max: 65535,
      doc:
        "0: grey levels kept as computed (float32); L: stored as ⌊L·v⌋/L, as an image file of L + 1 levels would (the authors' code writes 8-bit PNGs: 255)",
    },
    seed: { type: "integer", default: o.seed ?? 1, doc: "seed label: changes every draw" },
  };
  for (const [name, c] of Object.entries(o.code ?? {})) {
    if (!params[name]) {
      throw new Error(`Cannot declare the code value of "${name}": unknown; see diskDatasetStage`);
    }
    params[name] = { ...params[name], code: c };
  }
  return {
    id: o.id,
    description: o.description,
    module: o.module,
    params,
    inputs: {},
    outputs: ["images.npy", "radii.npy", "dataset.json"],
    estimate: (p) => (p.blur === "exact" ? p.count * 0.003 : (p.count * p.samples) / 900_000),
    async run(ctx: Context<DiskDatasetParams>) {
      const p = ctx.params;
      const radiusSampler: RadiusSampler = p.sampler === "hole"
        ? {
          kind: "hole",
          min: p.radiusMin,
          max: p.radiusMax,
          holeMin: p.holeMin,
          holeMax: p.holeMax,
        }
        : { kind: p.sampler as "uniform" | "grid", min: p.radiusMin, max: p.radiusMax };
      const geometry: DiskGeometry = {
        size: p.size,
        sigma: p.sigma,
        ...(p.centre.length === 2
          ? { centre: [p.centre[0], p.centre[1]] as [number, number] }
          : {}),
      };
      if (p.centre.length !== 0 && p.centre.length !== 2) {
        throw new Error(
          `Cannot generate "${ctx.id}": centre must be empty or [row, column]; fix --set centre`,
        );
      }
      const t0 = performance.now();
      const ds = generateDiskDataset(
        {
          count: p.count,
          geometry,
          sampler: radiusSampler,
          blur: p.blur as "mc" | "exact",
          samples: p.samples,
        },
        ctx.rng,
      );
      ctx.record("generation_seconds", (performance.now() - t0) / 1000);
      if (p.levels > 0) quantise(ds.images, p.levels);
      await writeNpy(ctx.outPath("images.npy"), {
        data: ds.images,
        shape: [p.count, p.size, p.size],
      });
      await writeNpy(ctx.outPath("radii.npy"), { data: ds.radii, shape: [p.count] });
      let lo = Infinity, hi = -Infinity;
      for (const r of ds.radii) [lo, hi] = [Math.min(lo, r), Math.max(hi, r)];
      const meta = {
        params: p,
        geometry: { ...geometry, centre: geometry.centre ?? [(p.size - 1) / 2, (p.size - 1) / 2] },
        sampler: radiusSampler,
        count: p.count,
        radii: { min: lo, max: hi },
        layout:
          "images.npy: float32 [n, m, m], row-major, pixel (i, j) at point (i, j); radii.npy: float64 [n]",
      };
      await Deno.writeTextFile(ctx.outPath("dataset.json"), stableJson(meta) + "\n");
    },
  };
}

/**
 * Grey levels as an image file of L + 1 levels stores them: ⌊L·v⌋/L for v clamped to [0, 1]
 * (the authors' `np.uint8(255·img)` truncates, and reading divides by 255).
 */
export function quantise(images: Float32Array, levels: number): void {
  for (let i = 0; i < images.length; i++) {
    const v = Math.min(1, Math.max(0, images[i]));
    images[i] = Math.floor(levels * v) / levels;
  }
}

// ---------------------------------------------------------------------------------------------
// Training stage

/** Parameters of a training stage. */
export type TrainStageParams = {
  seed: number;
  iterations: number;
  batchSize: number;
  learningRate: number;
  loss: string;
  mode: string;
  encoderDepths: number[];
  decoderDepths: number[];
  encoderBias: boolean;
  decoderBias: boolean;
  latentActivation: string;
  outputActivation: string;
  alpha: number;
  padding: string;
  latentDistanceLambda: number;
  neighbours: number;
  weightDecayLambda: number;
  encoderWeightDecayLambda: number;
  denoisingLambda: number;
  denoisingSigma: number;
  contractiveLambda: number;
  batchDraw: string;
  keepBest: number;
  logEvery: number;
  checkpointEvery: number;
};

/** Options of {@linkcode trainStage}; most values become parameters' defaults. */
export interface TrainStageOptions {
  /** Stage id. */
  id: string;
  /** One line for `dag`. */
  description: string;
  /**
   * The dataset: a dataset stage's id (its `images.npy` and `radii.npy` are used), or the
   * reference of an images `.npy` (`"stage-id:file.npy"`).
   */
  dataset: string;
  /** Keys (radii) for ψ1 neighbours, when `dataset` is a reference; default none. */
  keys?: OutputRef;
  /** Codes `.npy` (n × d) for modes `encoder` (targets) and `decoder` (inputs). */
  codes?: OutputRef;
  /** Base architecture (default the disk autoencoder); depths, biases and activations become parameters. */
  config?: AutoencoderConfig;
  /** Defaults and quick values of any parameter, e.g. `{ iterations: { default: 10000, quick: 300 } }`. */
  params?: Partial<Record<keyof TrainStageParams, { default?: Json; quick?: Json }>>;
  /** The `code` profile's values, with their sources (`lib/ml/authors_code.ts`); none: not covered. */
  code?: TrainCodeValues;
  /** `import.meta.url` of the module that defines the stage (see {@linkcode DiskDatasetStageOptions}). */
  module: string;
}

/** The authors' code's setting of training parameters, with their sources. */
export type TrainCodeValues = Partial<Record<keyof TrainStageParams, CodeValue>>;

/** Default number of updates (authors' code: 10,000). */
export const PAPER_ITERATIONS = 10_000;
/**
 * Quick profile: batch 8, 1500 updates, learning rate 0.005. Measured on the 2-core CPU of
 * development: about 35 ms per update (50 s per training) with the JavaScript kernels, about 10 ms
 * with the WebAssembly ones (2026-12-02), and the disk autoencoder then
 * reaches a mean IoU of about 0.93 on test radii 2–30 (two seeds), where batch 32 × 500
 * updates at lr 0.001 reached only 0.48. The larger rate is a quick-profile concession.
 */
export const QUICK_ITERATIONS = 1500;
/** Quick-profile batch size. */
export const QUICK_BATCH = 8;
/** Quick-profile learning rate. */
export const QUICK_LEARNING_RATE = 0.005;

/**
 * Seconds per update of the disk model: on the cpu, the measured time of `./step_times.json`
 * (the code hash counts that file as code, so recalibrating re-keys the trainings; without it, the values measured
 * with the WebAssembly kernels on 2026-12-02: 7 ms + 0.4 ms per image on one thread), scaled
 * by {@linkcode cpuThreadShare}; on a GPU, a guess until measured there.
 */
export function secondsPerUpdate(batchSize: number, backend: string, threads = 1): number {
  if (backend !== "cpu") return 0.01 + 0.0001 * batchSize;
  const t = measuredStepTime("disk", "cpu", { fixed: 0.007, perImage: 0.0004 });
  return (t.fixed + t.perImage * batchSize) * cpuThreadShare(threads);
}

/** The parameter declarations of a training stage. */
export function trainParamDefs(
  config: AutoencoderConfig,
  overrides: TrainStageOptions["params"] = {},
  code: TrainCodeValues = {},
): ParamDefs {
  const base: ParamDefs = {
    seed: {
      type: "integer",
      default: 1,
      doc: "training seed: initial weights, batch order, neighbours, noise",
    },
    iterations: {
      type: "integer",
      default: PAPER_ITERATIONS,
      quick: QUICK_ITERATIONS,
      min: 0,
      doc: "number of Adam updates (authors' code: 10,000)",
    },
    batchSize: {
      type: "integer",
      default: 300,
      quick: QUICK_BATCH,
      min: 1,
      doc: "batch size (P-Tab 1: 300)",
    },
    learningRate: {
      type: "number",
      default: 0.001,
      quick: QUICK_LEARNING_RATE,
      min: 0,
      doc:
        "Adam learning rate (P-Tab 1: 0.001; quick profile 0.005 to converge in 1500 small steps)",
    },
    loss: {
      type: "string",
      default: "mean",
      choices: ["sum", "mean"],
      doc:
        "mean: per-pixel mean squared error as the authors' Keras code (λ in its scale); sum: P Eq. 1 per image, averaged over the batch",
    },
    mode: {
      type: "string",
      default: "autoencoder",
      choices: ["autoencoder", "encoder", "decoder"],
      doc: "what is trained: x→D(E(x)), x→E(x) against codes, or codes→D(z)",
    },
    encoderDepths: {
      type: "number[]",
      default: config.encoderDepths ?? [],
      doc: "encoder depths from input to code (P-Tab 1: 1 8 4 4 3 2 1); empty = no encoder",
    },
    decoderDepths: {
      type: "number[]",
      default: config.decoderDepths ?? [],
      doc: "decoder depths from code to output (mirror: 1 2 3 4 4 8 1); empty = no decoder",
    },
    encoderBias: { type: "boolean", default: config.encoderBias, doc: "biases in the encoder" },
    decoderBias: {
      type: "boolean",
      default: config.decoderBias,
      doc: "biases in the decoder (P§4.3 removes them)",
    },
    latentActivation: {
      type: "string",
      default: config.latentActivation,
      choices: ["leaky_relu", "linear", "relu", "sigmoid"],
      doc: "activation on z (authors' code: leaky ReLU)",
    },
    outputActivation: {
      type: "string",
      default: config.outputActivation,
      choices: ["leaky_relu", "linear", "relu", "sigmoid"],
      doc: "activation on the output (authors' code: leaky ReLU, no sigmoid)",
    },
    alpha: {
      type: "number",
      default: config.alpha,
      min: 0,
      max: 1,
      doc: "leaky ReLU slope for negative inputs (P Eq. 2: 0.2)",
    },
    padding: {
      type: "string",
      default: config.padding ?? "same",
      choices: ["same", "valid"],
      doc:
        "padding of every convolution: same (64 → 32 → … → 1, P-Tab 1) or valid (63 → 31 → … → 1)",
    },
    latentDistanceLambda: {
      type: "number",
      default: 0,
      min: 0,
      doc: "λ of ψ1, latent distance preservation (P§4.4.1)",
    },
    neighbours: {
      type: "integer",
      default: 5,
      min: 1,
      doc: "ψ1 neighbour: a random one of the k nearest radii",
    },
    weightDecayLambda: {
      type: "number",
      default: 0,
      min: 0,
      doc: "λ of ψ2, encoder + decoder kernel l2",
    },
    encoderWeightDecayLambda: {
      type: "number",
      default: 0,
      min: 0,
      doc: "λ of ψ3, encoder kernel l2",
    },
    denoisingLambda: {
      type: "number",
      default: 0,
      min: 0,
      doc: "λ of S24's denoising term ‖D(E(x+η)) − x‖²",
    },
    denoisingSigma: { type: "number", default: 0.1, min: 0, doc: "σ of the denoising noise η" },
    contractiveLambda: {
      type: "number",
      default: 0,
      min: 0,
      doc: "λ of the contractive term ‖∂E/∂x‖²_F",
    },
    batchDraw: {
      type: "string",
      default: "epoch",
      choices: ["epoch", "subset"],
      doc:
        "epoch: seeded permutations cut into batches, every image once per epoch; subset: a fresh random subset of batchSize images at every update",
    },
    keepBest: {
      type: "integer",
      default: 0,
      min: 0,
      doc:
        "0: the weights after the last update; K: those after the update, among every K-th, of lowest batch loss",
    },
    logEvery: {
      type: "integer",
      default: 100,
      quick: 50,
      min: 1,
      doc: "record the loss every this many updates",
    },
    checkpointEvery: {
      type: "integer",
      default: 1000,
      quick: 500,
      min: 1,
      doc: "checkpoint every this many updates",
    },
  };
  for (const [name, o] of Object.entries(overrides ?? {})) {
    const def = base[name];
    if (!def) {
      throw new Error(`Cannot declare training parameter "${name}": unknown; see trainParamDefs`);
    }
    base[name] = {
      ...def,
      ...(o?.default !== undefined ? { default: o.default } : {}),
      ...(o?.quick !== undefined ? { quick: o.quick } : {}),
    };
  }
  for (const [name, c] of Object.entries(code)) {
    if (!base[name]) {
      throw new Error(`Cannot declare the code value of "${name}": unknown; see trainParamDefs`);
    }
    base[name] = { ...base[name], code: c };
  }
  return base;
}

/** The configuration a training stage builds from its base and parameters. */
export function stageConfig(
  base: AutoencoderConfig,
  p: TrainStageParams,
  inputShape: number[] = base.inputShape,
): AutoencoderConfig {
  const config: AutoencoderConfig = {
    ...base,
    inputShape,
    encoderDepths: p.encoderDepths.length > 0 ? p.encoderDepths : null,
    decoderDepths: p.decoderDepths.length > 0 ? p.decoderDepths : null,
    encoderBias: p.encoderBias,
    decoderBias: p.decoderBias,
    latentActivation: p.latentActivation as Activation,
    outputActivation: p.outputActivation as Activation,
    alpha: p.alpha,
  };
  // Written only when not the default, so that the configurations saved so far stay as they were.
  if (p.padding === "valid") config.padding = "valid";
  else delete config.padding;
  return config;
}

/**
 * The settings `train()` (or a group) gets from a training stage's parameters, its
 * architecture and its seed; no checkpoint directory (the stage adds its own).
 */
export function trainSettings(
  p: TrainStageParams,
  config: AutoencoderConfig,
  seed: number,
): TrainSettings {
  return {
    config,
    seed,
    iterations: p.iterations,
    batchSize: p.batchSize,
    loss: p.loss as LossReduction,
    mode: p.mode as TrainMode,
    adam: { learningRate: p.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    regularisers: {
      latentDistance: { lambda: p.latentDistanceLambda, neighbours: p.neighbours },
      weightDecay: { lambda: p.weightDecayLambda },
      encoderWeightDecay: { lambda: p.encoderWeightDecayLambda },
      denoising: { lambda: p.denoisingLambda, sigma: p.denoisingSigma },
      contractive: { lambda: p.contractiveLambda },
    },
    batchDraw: p.batchDraw as BatchDraw,
    keepBest: p.keepBest,
    logEvery: p.logEvery,
    checkpointEvery: p.checkpointEvery,
  };
}

/** What a disk-autoencoder training stage loads once (for itself or its whole group). */
interface LoadedData {
  data: TrainData;
  config: AutoencoderConfig;
}

/**
 * A stage training a model on a dataset, made by the one training-stage factory
 * (`../train/training_stage.ts`). The training seed is `ctx.rng.fork("train").seed` (ctx.rng
 * derives from the stage id and every parameter, `seed` included).
 */
export function trainStage(o: TrainStageOptions): Stage<TrainStageParams> {
  const base = o.config ?? diskAutoencoderConfig();
  const inputs: Record<string, OutputRef> = {};
  if (o.dataset.includes(":")) {
    inputs.images = o.dataset as OutputRef;
    if (o.keys) inputs.keys = o.keys;
  } else {
    inputs.images = `${o.dataset}:images.npy`;
    inputs.keys = `${o.dataset}:radii.npy`;
  }
  if (o.codes) inputs.codes = o.codes;
  return trainingStage<TrainStageParams, LoadedData, Autoencoder>({
    id: o.id,
    description: o.description,
    module: o.module,
    params: trainParamDefs(base, o.params, o.code),
    inputs,
    models: ["weights.json", "weights.bin"],
    estimate: (p, backend, threads) =>
      p.iterations * secondsPerUpdate(p.batchSize, backend, threads),
    load: loadData,
    async train(ctx, loaded, run, io) {
      const grouping = groupingOf(ctx.params, ctx.backend);
      if ("alone" in grouping) io.onLog(`trains alone: this training ${grouping.alone}`);
      return await trainAlone(ctx, loaded, run, io);
    },
    async save(ctx, { data }, [run]) {
      const kept = run.loss.kept ? { kept: run.loss.kept } : {};
      await saveWeights(run.model, ctx.outPath("weights.json"), ctx.outPath("weights.bin"), {
        training: { seed: run.loss.seed, count: data.count, params: ctx.params, ...kept },
      });
    },
    dispose: (model) => model.dispose(),
    group: {
      // Trainings that differ only in seed, regularisers (ψ1, ψ2, ψ3, denoising: λ, k, σ) and
      // number of updates step together (`./group/group_train.ts`); the others train alone.
      key: (p, backend) => {
        const grouping = groupingOf(p, backend);
        return "key" in grouping ? grouping.key : null;
      },
      async trainGroup(ctxs, { data, config }) {
        const plans = ctxs.map((ctx) => singleRun(ctx));
        const trained: TrainedRun<Autoencoder>[] = [];
        if (!fastKernelsInstalled(tf.getBackend())) {
          // Without the fast kernels (a CPU without WebAssembly SIMD) there are no grouped
          // ones either: each member trains alone, as it would in a group of one.
          for (const [k, ctx] of ctxs.entries()) {
            ctx.log(`training alone: backend "${tf.getBackend()}" has no grouped kernels here`);
            trained.push(
              await trainAlone(ctx, { data, config }, plans[k], runIo(ctx, plans[k])),
            );
          }
          return trained;
        }
        // Each member checkpoints where it would alone, so either resumes the other's.
        const members: TrainSettings[] = ctxs.map((ctx, k) => ({
          ...trainSettings(ctx.params, config, plans[k].seed),
          checkpointDir: runIo(ctx, plans[k]).checkpointDir,
        }));
        const result = await trainGroup(data, members, {
          onLog: (k, m) => ctxs[k].log(m),
          onProgress: (step, _total, values) =>
            ctxs.forEach((ctx, k) => {
              const total = members[k].iterations;
              if (step <= total) ctx.progress({ step, total, values: values[k] });
            }),
        });
        for (const [k, r] of result.members.entries()) {
          const model = createAutoencoder(config, 0);
          model.writeWeights(r.weights);
          trained.push({
            model,
            seconds: result.seconds,
            stepsRun: r.stepsRun,
            resumedFrom: r.resumedFrom,
            loss: termRunLoss("", plans[k].seed, r.lossCurve, r.kept),
          });
        }
        return trained;
      },
    },
  });

  /** Trains one stage's model by itself (`train()`) from its run's seed. */
  async function trainAlone(
    ctx: Context<TrainStageParams>,
    { data, config }: LoadedData,
    run: RunPlan,
    io: RunIo,
  ): Promise<TrainedRun<Autoencoder>> {
    const result = await train(data, {
      ...trainSettings(ctx.params, config, run.seed),
      checkpointDir: io.checkpointDir,
      onProgress: io.onProgress,
      onLog: io.onLog,
    });
    return { ...result, loss: termRunLoss(run.label, run.seed, result.lossCurve, result.kept) };
  }

  /**
   * A stage's group key (the group's rule, `groupCompatibility`, on its settings, with the
   * backend), or why it trains alone. The architecture's input shape comes from the data, which
   * the runner checks apart (members read inputs of the same bytes).
   */
  function groupingOf(p: TrainStageParams, backend: string): { key: string } | { alone: string } {
    if (backend !== "cpu" && backend !== "webgpu") {
      return { alone: `runs on backend "${backend}", which has no grouped kernels` };
    }
    const settings = trainSettings(p, stageConfig(base, p), 0);
    const why = aloneReason(settings);
    return why ? { alone: why } : { key: `${backend}\0${groupCompatibility(settings)}` };
  }

  /** The dataset and the architecture it implies. */
  async function loadData(ctx: Context<TrainStageParams>): Promise<LoadedData> {
    const p = ctx.params;
    const images = await readNpyFloat32(ctx.inputs.images);
    const count = images.shape[0];
    // An image model takes the data set's image size (64 in the paper, 63 in the authors' code).
    const [, H, W] = images.shape;
    const imageModel = base.inputShape[0] > 1 && images.shape.length === 3;
    const config = stageConfig(
      base,
      p,
      imageModel ? [H, W, base.inputShape[2]] : base.inputShape,
    );
    const data: TrainData = { count, images: images.data };
    if (ctx.inputs.keys) data.keys = (await readNpy(ctx.inputs.keys)).data;
    if (ctx.inputs.codes) {
      const codes = await readNpyFloat32(ctx.inputs.codes);
      if (codes.data.length !== count * latentSize(config)) {
        throw new Error(
          `Cannot train "${ctx.id}": codes hold ${codes.data.length} values for ${count} examples of d = ${
            latentSize(config)
          }`,
        );
      }
      data.codes = codes.data;
    }
    return { data, config };
  }
}
