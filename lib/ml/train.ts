/**
 * Deterministic training of the autoencoder (or of an encoder or decoder alone).
 *
 * - Optimiser: Adam as Keras (`adam.ts`), lr 0.001, batch 300, a fixed number of updates.
 * - Loss: `data + Σ λ_i · term_i` (terms and reductions defined in `regularisers.ts`; the
 *   image-sized terms and weight decays are computed by `fused_losses.ts`, same values,
 *   gradients that upload nothing).
 * - Batches: epoch e uses the permutation `permutation(n, rng(seed, "order", e))`; its first
 *   ⌊n/B⌋·B entries are cut into ⌊n/B⌋ batches of B (the remainder of the permutation is
 *   dropped for that epoch; it differs every epoch). The ψ1 neighbour of each entry is one of
 *   the k nearest keys (radii) of its example, picked with `rng(seed, "neighbours", e)`;
 *   denoising noise for update t comes from `rng(seed, "noise", t)`; initial weights from
 *   `deriveSeed(seed, "init")`. Every draw is a pure function of (seed, purpose,
 *   epoch or step), so a resumed run draws exactly what an uninterrupted one draws.
 * - Device traffic: the dataset is uploaded once; each epoch uploads its batch order (and
 *   neighbour choice) once, and batches are gathered on the device. Nothing is read back
 *   except on logging steps (every `logEvery` updates, plus the first and the last). No
 *   tensor is made from JS data during an update (a test counts them), with two exceptions
 *   when those terms are on: the denoising noise (B·P values per update, drawn from our
 *   generator) and the small constants tfjs's own gradients build inside the contractive
 *   term's double backprop.
 * - Checkpoints every `checkpointEvery` updates (`checkpoint.ts`); `train()` resumes from the
 *   newest matching checkpoint and reaches the same final weights bit-for-bit (on the same
 *   backend and machine).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type AdamSettings, KERAS_ADAM } from "./adam.ts";
import { throwIfDeviceFailed } from "./backend.ts";
import { loadLatestCheckpoint, saveCheckpoint } from "../train/checkpoint.ts";
import {
  type Autoencoder,
  type AutoencoderConfig,
  createAutoencoder,
  latentSize,
} from "./model.ts";
import { stableJson } from "./npy.ts";
import { createRng, deriveSeed, permutation } from "./random.ts";
import { FusedLosses } from "./fused_losses.ts";
import { contractiveTerm, type LossReduction, nearestNeighbours } from "./regularisers.ts";
import { modelTensors } from "./weights_io.ts";

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
  };
}

async function sha256Hex(parts: (string | ArrayBufferView)[]): Promise<string> {
  const chunks = parts.map((p) =>
    typeof p === "string"
      ? new TextEncoder().encode(p)
      : new Uint8Array(p.buffer, p.byteOffset, p.byteLength)
  );
  const total = new Uint8Array(chunks.reduce((a, c) => a + c.length + 8, 0));
  let at = 0;
  for (const c of chunks) {
    new DataView(total.buffer).setFloat64(at, c.length, true); // length prefix: unambiguous
    total.set(c, at + 8);
    at += c.length + 8;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", total));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Fingerprint of the settings and data: a checkpoint is resumed only when it matches. */
export function trainingFingerprint(data: TrainData, settings: TrainSettings): Promise<string> {
  const keys = data.keys ? Float64Array.from(data.keys) : new Float64Array(0);
  const init = settings.initialWeights ?? {};
  const names = Object.keys(init).sort();
  return sha256Hex([
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

/**
 * Trains from scratch, or resumes from the newest matching checkpoint in
 * `settings.checkpointDir`. Deterministic: the same data, settings and backend give the
 * same weight bytes.
 */
export async function train(data: TrainData, settings: TrainSettings): Promise<TrainResult> {
  checkSettings(data, settings);
  const s = settings;
  const mode = s.mode ?? "autoencoder";
  const reduction = s.loss;
  const regs = s.regularisers ?? {};
  const on = (x?: { lambda: number }) => x !== undefined && x.lambda > 0;
  const logEvery = Math.max(1, s.logEvery ?? DEFAULT_LOG_EVERY);
  const config = s.config;
  const [H, W, C] = config.inputShape;
  const P = H * W * C;
  const d = latentSize(config);
  const n = data.count;
  const B = Math.min(s.batchSize, n);
  const stepsPerEpoch = Math.floor(n / B);
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
  const owned: tf.Tensor[] = [];
  let epochTensors: { epoch: number; order: tf.Tensor1D; neighbour: tf.Tensor1D | null } | null =
    null;
  const losses = new FusedLosses(reduction, B, mode === "encoder" ? d : P);
  let ok = false;
  try {
    if (s.initialWeights) model.writeWeights(s.initialWeights);
    // Resume.
    let lossCurve: LossRecord[] = [];
    let start = 0;
    let resumedFrom: number | null = null;
    const fingerprint = s.checkpointDir ? await trainingFingerprint(data, s) : "";
    if (s.checkpointDir) {
      const ckpt = await loadLatestCheckpoint(s.checkpointDir, fingerprint, s.onLog);
      if (ckpt && ckpt.state.step <= s.iterations) {
        model.writeWeights(Object.fromEntries(ckpt.weights.map((t) => [t.name, t.data])));
        adam.writeState(Object.fromEntries(ckpt.optimizer.map((t) => [t.name, t.data])));
        start = resumedFrom = ckpt.state.step;
        lossCurve = ckpt.state.lossCurve as LossRecord[];
        s.onLog?.(`resumed from checkpoint at step ${start}`);
      }
    }

    // Device-resident data and constants, made once.
    const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
    const imagesT = keep(tf.tensor4d(data.images, [n, H, W, C], "float32"));
    const codesT = mode === "autoencoder"
      ? null
      : keep(tf.tensor2d(data.codes!, [n, d], "float32"));
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

    const epochData = (epoch: number) => {
      const perm = permutation(n, createRng(deriveSeed(seed, "order", epoch)));
      const used = perm.subarray(0, stepsPerEpoch * B);
      let neighbour: tf.Tensor1D | null = null;
      if (neighbourTable) {
        const pick = createRng(deriveSeed(seed, "neighbours", epoch));
        const nb = new Int32Array(used.length);
        for (let i = 0; i < used.length; i++) {
          nb[i] = neighbourTable[used[i] * kk + Math.floor(pick.next() * kk)];
        }
        neighbour = tf.tensor1d(nb, "int32");
      }
      return { epoch, order: tf.tensor1d(used, "int32"), neighbour };
    };

    let lastValues: Record<string, number> = {};
    if (lossCurve.length > 0) {
      const last = lossCurve[lossCurve.length - 1];
      lastValues = { loss: last.loss, ...last.terms };
    }
    const t0 = performance.now();
    for (let t = start; t < s.iterations; t++) {
      s.signal?.throwIfAborted();
      const epoch = Math.floor(t / stepsPerEpoch), pos = t % stepsPerEpoch;
      if (epochTensors?.epoch !== epoch) {
        epochTensors?.order.dispose();
        epochTensors?.neighbour?.dispose();
        epochTensors = null;
        epochTensors = epochData(epoch);
      }
      let noise: tf.Tensor | null = null;
      if (lam.denoising) {
        const g = createRng(deriveSeed(seed, "noise", t));
        const sigma = regs.denoising!.sigma;
        const values = new Float32Array(B * P);
        for (let i = 0; i < values.length; i++) values[i] = sigma * g.normal();
        noise = tf.tensor4d(values, [B, H, W, C], "float32");
      }
      const logging = t === 0 || (t + 1) % logEvery === 0 || t + 1 === s.iterations;
      const kept: Record<string, tf.Scalar> = {};
      const et = epochTensors;
      tf.tidy(() => {
        const idx = tf.slice(et.order, [pos * B], [B]);
        const lossFn = (): tf.Scalar => {
          const terms: Record<string, tf.Scalar> = {};
          let z: tf.Tensor2D | null = null;
          let x: tf.Tensor4D | null = null;
          if (mode === "autoencoder") {
            x = tf.gather(imagesT, idx);
            z = model.encode(x);
            terms.data = losses.squaredError(model.decode(z), x);
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
      if (logging) {
        const values: Record<string, number> = {};
        for (const [name, v] of Object.entries(kept)) {
          values[name] = ((await v.data()) as Float32Array)[0];
        }
        // The total is the data term itself when no regulariser is on: dispose each once.
        for (const v of new Set(Object.values(kept))) v.dispose();
        throwIfDeviceFailed();
        const { loss, ...terms } = values;
        lossCurve.push({ step: t + 1, loss, terms });
        lastValues = values;
      }
      s.onProgress?.(t + 1, s.iterations, lastValues);
      if (
        s.checkpointDir && s.checkpointEvery && (t + 1) % s.checkpointEvery === 0 &&
        t + 1 < s.iterations
      ) {
        const optimizer = Object.entries(await adam.readState()).map(([name, data]) => ({
          name,
          shape: [data.length],
          data,
        }));
        await saveCheckpoint(s.checkpointDir, {
          state: { step: t + 1, seed, fingerprint, lossCurve },
          weights: await modelTensors(model),
          optimizer,
          weightsExtra: { config },
        });
        s.onLog?.(`checkpoint at step ${t + 1}`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    // The last update after the last record: wait for it, then look for device errors.
    await model.variables[0].variable.data();
    throwIfDeviceFailed();
    ok = true;
    return {
      model,
      lossCurve,
      resumedFrom,
      stepsRun: s.iterations - start,
      seconds,
      backend: tf.getBackend(),
    };
  } finally {
    epochTensors?.order.dispose();
    epochTensors?.neighbour?.dispose();
    for (const t of owned) t.dispose();
    losses.dispose();
    adam.dispose();
    if (!ok) model.dispose();
  }
}
