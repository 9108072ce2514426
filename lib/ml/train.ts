/**
 * Deterministic training of the autoencoder (or of an encoder or decoder alone).
 *
 * - Optimiser: Adam as Keras (`adam.ts`), lr 0.001, batch 300, a fixed number of updates.
 * - Loss: `data + Σ λ_i · term_i` (terms and reductions defined in `regularisers.ts`; the
 *   image-sized terms and weight decays are computed by `fused_losses.ts`, same values,
 *   gradients that upload nothing).
 * - Batches: the training engine's order (`lib/train/loop.ts`: epoch e is the permutation
 *   `permutation(n, rng(seed, "order", e))` cut into ⌊n/B⌋ batches of B; with `batchDraw:
 *   "subset"`, the authors' code's fresh subset per update, update t is an epoch of its own
 *   and `keepBest` ends with the weights of its lowest candidate loss). The ψ1 neighbour
 *   of each entry is one of the k nearest keys (radii) of its example, picked with
 *   `rng(seed, "neighbours", e)`; denoising noise for update t comes from `rng(seed, "noise", t)`; initial weights from
 *   `deriveSeed(seed, "init")`. Every draw is a pure function of (seed, purpose,
 *   epoch or step), so a resumed run draws exactly what an uninterrupted one draws.
 * - Device traffic: the dataset is uploaded once; each epoch uploads its batch order (and
 *   neighbour choice) once, and batches are gathered on the device. Nothing is read back
 *   except on logging steps (every `logEvery` updates, plus the first and the last). No
 *   tensor is made from JS data during an update (a test counts them), with two exceptions
 *   when those terms are on: the denoising noise (B·P values per update, drawn from our
 *   generator) and the small constants tfjs's own gradients build inside the contractive
 *   term's double backprop.
 * - The loop, resuming and checkpoints are the engine's (`lib/train/loop.ts`); this module is
 *   the disk autoencoder's family of it. Checkpoints every `checkpointEvery` updates;
 *   `train()` resumes from the newest matching checkpoint and reaches the same final weights
 *   bit-for-bit (on the same backend and machine).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type AdamSettings, KERAS_ADAM } from "./adam.ts";
import {
  type BatchDraw,
  type FamilyState,
  fingerprintOf,
  type KeptUpdate,
  runTraining,
  type TrainingFamily,
} from "../train/loop.ts";
import {
  type Autoencoder,
  type AutoencoderConfig,
  createAutoencoder,
  latentSize,
} from "./model.ts";
import { stableJson } from "./npy.ts";
import { createRng, deriveSeed } from "./random.ts";
import { FusedLosses } from "./fused_losses.ts";
import { contractiveTerm, type LossReduction, nearestNeighbours } from "./regularisers.ts";
import { type HostTensor, modelTensors } from "./weights_io.ts";
import { directAutoencoderStep } from "./direct_step_cpu.ts";
import { valuesForThreads } from "./kernels/cpu_threads.ts";

/** What is trained: `autoencoder` x → D(E(x)) vs x; `encoder` x → E(x) vs codes; `decoder` codes → D(z) vs x. */
export type TrainMode = "autoencoder" | "encoder" | "decoder";

/** Regularisers; each is on when present with λ > 0. Terms are defined in `regularisers.ts`. */
export interface RegularisationSettings {
  /** ψ1, latent distance preservation with one of the k nearest neighbours (by key). */
  latentDistance?: { lambda: number; neighbours: number };
  /** ψ2, squared norm of encoder and decoder kernels. */
  weightDecay?: { lambda: number };
  /** ψ3, squared norm of encoder kernels only. */
  encoderWeightDecay?: { lambda: number };
  /** S24's denoising term with noise N(0, sigma²). */
  denoising?: { lambda: number; sigma: number };
  /** Contractive term ‖∂E/∂x‖²_F. */
  contractive?: { lambda: number };
}

/** Training settings. */
export interface TrainSettings {
  /** The architecture. */
  config: AutoencoderConfig;
  /** The one seed every draw derives from. */
  seed: number;
  /** Number of updates. */
  iterations: number;
  /** Batch size B (clamped to the dataset size). */
  batchSize: number;
  /** Reduction of the image-sized terms. */
  loss: LossReduction;
  /** What is trained (default `autoencoder`). */
  mode?: TrainMode;
  /** Start from these weights (by variable name) instead of the seeded Glorot draw. */
  initialWeights?: Record<string, Float32Array>;
  /** Adam's settings (default Keras' with lr 0.001). */
  adam?: AdamSettings;
  /** Regularisers (default none). */
  regularisers?: RegularisationSettings;
  /** `epoch` (default): per-epoch permutations; `subset`: a fresh random subset per update. */
  batchDraw?: BatchDraw;
  /** Keep the weights of the lowest batch loss among every this-many-th update (0: the last). */
  keepBest?: number;
  /** Record the loss every this many updates (default 100). */
  logEvery?: number;
  /** Save a checkpoint every this many updates (default: never). */
  checkpointEvery?: number;
  /** Where checkpoints live; resuming happens when it holds a matching one. */
  checkpointDir?: string;
  /** Called after every update with the latest recorded values (cheap: no read-back). */
  onProgress?: (step: number, total: number, values: Record<string, number>) => void;
  /** Log lines (resuming, checkpoints). */
  onLog?: (message: string) => void;
  /** Aborting it stops training before the next update (as an interruption would). */
  signal?: AbortSignal;
}

/** The training examples. */
export interface TrainData {
  /** Number of examples n. */
  count: number;
  /** n × (H·W·C) values: inputs (autoencoder, encoder) or targets (decoder). */
  images: Float32Array;
  /** n × d codes: targets (encoder mode) or inputs (decoder mode). */
  codes?: Float32Array;
  /** One scalar per example (the radius) ordering neighbours for ψ1. */
  keys?: ArrayLike<number>;
}

/** One point of the loss curve: the batch loss at update `step` (before that update). */
export interface LossRecord {
  /** 1-based update number. */
  step: number;
  /** Total loss data + Σ λ·term. */
  loss: number;
  /** Raw (unweighted) terms: `data` and each active regulariser. */
  terms: Record<string, number>;
}

/** What {@linkcode train} returns; the caller owns (and disposes) the model. */
export interface TrainResult {
  /** The trained model. */
  model: Autoencoder;
  /** Loss records, including those before a resume. */
  lossCurve: LossRecord[];
  /** Step of the checkpoint resumed from, or null. */
  resumedFrom: number | null;
  /** With `keepBest`: the update whose weights the model holds; else null. */
  kept: KeptUpdate | null;
  /** Updates run by this call. */
  stepsRun: number;
  /** Wall time of the updates of this call, seconds. */
  seconds: number;
  /** The tfjs backend used. */
  backend: string;
}

const DEFAULT_LOG_EVERY = 100;

/** Settings that decide the trajectory, as hashed into checkpoints. */
function trajectorySettings(s: TrainSettings, count: number) {
  return {
    config: s.config,
    seed: s.seed >>> 0,
    iterations: s.iterations,
    batchSize: s.batchSize,
    loss: s.loss,
    mode: s.mode ?? "autoencoder",
    adam: s.adam ?? KERAS_ADAM,
    regularisers: s.regularisers ?? {},
    count,
    // Only when set, so that the fingerprints of trainings without them stay as they were.
    ...(s.batchDraw && s.batchDraw !== "epoch" ? { batchDraw: s.batchDraw } : {}),
    ...(s.keepBest ? { keepBest: s.keepBest } : {}),
  };
}

/** Fingerprint of the settings and data: a checkpoint is resumed only when it matches. */
export function trainingFingerprint(data: TrainData, settings: TrainSettings): Promise<string> {
  const keys = data.keys ? Float64Array.from(data.keys) : new Float64Array(0);
  const init = settings.initialWeights ?? {};
  const names = Object.keys(init).sort();
  return fingerprintOf([
    stableJson(trajectorySettings(settings, data.count)),
    data.images,
    data.codes ?? new Float32Array(0),
    keys,
    stableJson(names),
    ...names.map((k) => init[k]),
  ]);
}

function checkSettings(data: TrainData, s: TrainSettings): void {
  const fail = (why: string): never => {
    throw new Error(`Cannot train: ${why}; fix the settings`);
  };
  const mode = s.mode ?? "autoencoder";
  const c = s.config;
  const P = c.inputShape.reduce((a, b) => a * b, 1);
  if (!(Number.isInteger(s.iterations) && s.iterations >= 0)) {
    fail(`iterations must be a non-negative integer`);
  }
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 1)) {
    fail(`batchSize must be a positive integer`);
  }
  if (data.count < 1 || data.images.length !== data.count * P) {
    fail(`images hold ${data.images.length} values, expected count × ${P} = ${data.count * P}`);
  }
  if (mode !== "decoder" && !c.encoderDepths) fail(`mode "${mode}" needs an encoder`);
  if (mode !== "encoder" && !c.decoderDepths) fail(`mode "${mode}" needs a decoder`);
  if (mode !== "autoencoder" && data.codes?.length !== data.count * latentSize(c)) {
    fail(`mode "${mode}" needs codes: count × d = ${data.count * latentSize(c)} values`);
  }
  const r = s.regularisers ?? {};
  if ((r.latentDistance?.lambda ?? 0) > 0) {
    if (mode === "decoder") fail(`ψ1 needs an encoder`);
    if (!data.keys || data.keys.length !== data.count) {
      fail(`ψ1 needs one key (radius) per example`);
    }
  }
  if ((r.encoderWeightDecay?.lambda ?? 0) > 0 && mode === "decoder") fail(`ψ3 needs an encoder`);
  if ((r.denoising?.lambda ?? 0) > 0 && mode !== "autoencoder") {
    fail(`the denoising term needs an autoencoder`);
  }
  if ((r.contractive?.lambda ?? 0) > 0 && mode === "decoder") {
    fail(`the contractive term needs an encoder`);
  }
}

/** What the disk autoencoder keeps per epoch: its batch order and ψ1's neighbours, on the device. */
export interface DiskEpochData {
  /** The epoch's batch order. */
  order: tf.Tensor1D;
  /** The ψ1 neighbour of each entry of the order, when ψ1 is on. */
  neighbour: tf.Tensor1D | null;
}

/**
 * The disk autoencoder as a family of the training engine (`lib/train/loop.ts`): its model,
 * optimiser and update, with every regulariser. The caller owns it: {@linkcode train} runs it
 * through the engine, and the bench times its {@linkcode TrainingFamily.update} alone.
 */
export interface DiskAutoencoderFamily extends TrainingFamily<DiskEpochData, LossRecord> {
  /** The model being trained. */
  readonly model: Autoencoder;
  /** Frees the optimiser, the device-resident data and the losses (not the model). */
  dispose(): void;
}

/**
 * Builds the disk autoencoder's family: the model from `deriveSeed(seed, "init")` (or the
 * given initial weights), Adam over the trained part, the dataset uploaded once.
 */
export function diskAutoencoderFamily(
  data: TrainData,
  settings: TrainSettings,
): DiskAutoencoderFamily {
  checkSettings(data, settings);
  const s = settings;
  const mode = s.mode ?? "autoencoder";
  const regs = s.regularisers ?? {};
  const on = (x?: { lambda: number }) => x !== undefined && x.lambda > 0;
  const config = s.config;
  const [H, W, C] = config.inputShape;
  const P = H * W * C;
  const d = latentSize(config);
  const n = data.count;
  const B = Math.min(s.batchSize, n);
  const seed = s.seed >>> 0;

  const model = createAutoencoder(config, deriveSeed(seed, "init"));
  const trained = mode === "autoencoder"
    ? model.variables
    : mode === "encoder"
    ? model.encoderWeights
    : model.decoderWeights;
  const adam = new Adam(
    trained.map((v) => ({ name: v.name, variable: v.variable })),
    s.adam ?? KERAS_ADAM,
  );
  const losses = new FusedLosses(s.loss, B, mode === "encoder" ? d : P);
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  try {
    if (s.initialWeights) model.writeWeights(s.initialWeights);
  } catch (e) {
    adam.dispose();
    losses.dispose();
    model.dispose();
    throw e;
  }
  // Device-resident data and constants, made once.
  // In shared memory when the cpu kernels run on several threads: each batch is gathered from it
  // by all of them.
  const imagesT = keep(tf.tensor4d(valuesForThreads(data.images), [n, H, W, C], "float32"));
  const codesT = mode === "autoencoder" ? null : keep(tf.tensor2d(data.codes!, [n, d], "float32"));
  const lambda = (x: number) => keep(tf.scalar(x, "float32"));
  const lam = {
    latent_distance: on(regs.latentDistance) ? lambda(regs.latentDistance!.lambda) : null,
    weight_decay: on(regs.weightDecay) ? lambda(regs.weightDecay!.lambda) : null,
    encoder_weight_decay: on(regs.encoderWeightDecay)
      ? lambda(regs.encoderWeightDecay!.lambda)
      : null,
    denoising: on(regs.denoising) ? lambda(regs.denoising!.lambda) : null,
    contractive: on(regs.contractive) ? lambda(regs.contractive!.lambda) : null,
  };
  const k = regs.latentDistance?.neighbours ?? 5;
  const neighbourTable = lam.latent_distance
    ? nearestNeighbours(data.keys!, Math.min(k, n - 1))
    : null;
  const kk = lam.latent_distance ? Math.min(k, n - 1) : 0;
  // The data term alone, in autoencoder mode: the kernels called straight where they can be.
  const direct = mode === "autoencoder" && Object.values(lam).every((l) => l === null)
    ? directAutoencoderStep(model, adam, imagesT, B, losses.squaredErrorScale)
    : null;

  return {
    model,
    epochData(epoch: number, used: Int32Array): DiskEpochData {
      let neighbour: tf.Tensor1D | null = null;
      if (neighbourTable) {
        const pick = createRng(deriveSeed(seed, "neighbours", epoch));
        const nb = new Int32Array(used.length);
        for (let i = 0; i < used.length; i++) {
          nb[i] = neighbourTable[used[i] * kk + Math.floor(pick.next() * kk)];
        }
        neighbour = tf.tensor1d(nb, "int32");
      }
      return { order: tf.tensor1d(used, "int32"), neighbour };
    },
    disposeEpochData(e: DiskEpochData): void {
      e.order.dispose();
      e.neighbour?.dispose();
    },
    update({ step: t, position: pos, data: et, logging }) {
      const loss = direct?.(et.order, pos * B, logging);
      if (loss !== undefined) return loss === null ? null : { data: loss, loss };
      let noise: tf.Tensor | null = null;
      if (lam.denoising) {
        const g = createRng(deriveSeed(seed, "noise", t));
        const sigma = regs.denoising!.sigma;
        const values = new Float32Array(B * P);
        for (let i = 0; i < values.length; i++) values[i] = sigma * g.normal();
        noise = tf.tensor4d(values, [B, H, W, C], "float32");
      }
      const kept: Record<string, tf.Scalar> = {};
      tf.tidy(() => {
        const idx = tf.slice(et.order, [pos * B], [B]);
        const lossFn = (): tf.Scalar => {
          const terms: Record<string, tf.Scalar> = {};
          let z: tf.Tensor2D | null = null;
          let x: tf.Tensor4D | null = null;
          if (mode === "autoencoder") {
            x = tf.gather(imagesT, idx);
            // Only ψ1 reads the codes: without it the model runs whole (one op on the cpu).
            if (lam.latent_distance) z = model.encode(x);
            terms.data = losses.squaredError(z ? model.decode(z) : model.reconstruct(x), x);
          } else if (mode === "encoder") {
            x = tf.gather(imagesT, idx);
            z = model.encode(x);
            terms.data = losses.squaredError(z, tf.gather(codesT!, idx));
          } else {
            terms.data = losses.squaredError(
              model.decode(tf.gather(codesT!, idx)),
              tf.gather(imagesT, idx),
            );
          }
          if (lam.latent_distance) {
            const xn = tf.gather(imagesT, tf.slice(et.neighbour!, [pos * B], [B]));
            terms.latent_distance = losses.latentDistance(x!, xn, z!, model.encode(xn));
          }
          if (lam.weight_decay) terms.weight_decay = losses.kernelSquaredNorm(model.variables);
          if (lam.encoder_weight_decay) {
            terms.encoder_weight_decay = losses.kernelSquaredNorm(model.encoderWeights);
          }
          if (lam.denoising) {
            terms.denoising = losses.squaredError(model.reconstruct(tf.add(x!, noise!)), x!);
          }
          if (lam.contractive) terms.contractive = contractiveTerm(model, x!);
          const parts: tf.Tensor[] = [terms.data];
          for (const [name, l] of Object.entries(lam)) {
            if (l) parts.push(tf.mul(l, terms[name]));
          }
          const total = (parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Scalar;
          if (logging) {
            for (const [name, v] of Object.entries(terms)) kept[name] = tf.keep(v);
          }
          return total;
        };
        const value = adam.minimise(lossFn);
        if (logging) kept.loss = tf.keep(value);
      });
      noise?.dispose();
      return logging ? kept : null;
    },
    record(step: number, values: Record<string, number>): LossRecord {
      const { loss, ...terms } = values;
      return { step, loss, terms };
    },
    progressValues(r: LossRecord): Record<string, number> {
      return { loss: r.loss, ...r.terms };
    },
    async saveState(): Promise<FamilyState> {
      const optimizer = Object.entries(await adam.readState()).map(([name, data]) => ({
        name,
        shape: [data.length],
        data,
      }));
      return { weights: await modelTensors(model), optimizer, weightsExtra: { config } };
    },
    loadState(weights: HostTensor[], optimizer: HostTensor[]): void {
      model.writeWeights(Object.fromEntries(weights.map((t) => [t.name, t.data])));
      adam.writeState(Object.fromEntries(optimizer.map((t) => [t.name, t.data])));
    },
    async settle(): Promise<void> {
      await model.variables[0].variable.data();
    },
    dispose(): void {
      for (const t of owned) t.dispose();
      losses.dispose();
      adam.dispose();
    },
  };
}

/**
 * Trains from scratch, or resumes from the newest matching checkpoint in
 * `settings.checkpointDir`. Deterministic: the same data, settings and backend give the
 * same weight bytes.
 */
export async function train(data: TrainData, settings: TrainSettings): Promise<TrainResult> {
  const family = diskAutoencoderFamily(data, settings);
  let ok = false;
  try {
    const run = await runTraining(family, {
      seed: settings.seed,
      count: data.count,
      batchSize: Math.min(settings.batchSize, data.count),
      iterations: settings.iterations,
      logEvery: settings.logEvery ?? DEFAULT_LOG_EVERY,
      batchDraw: settings.batchDraw,
      keepBest: settings.keepBest,
      checkpointEvery: settings.checkpointEvery,
      checkpointDir: settings.checkpointDir,
      fingerprint: () => trainingFingerprint(data, settings),
      onProgress: settings.onProgress,
      onLog: settings.onLog,
      signal: settings.signal,
    });
    ok = true;
    return { model: family.model, ...run, backend: tf.getBackend() };
  } finally {
    family.dispose();
    if (!ok) family.model.dispose();
  }
}
