/**
 * Deterministic DCGAN training, as iGAN's `train_dcgan.py` does it, with the performance rules
 * of `lib/ml/train.ts`.
 *
 * - Updates: iteration t is one discriminator update then one generator update (iGAN
 *   alternates them, `update_k = 2`). D minimises BCE(D(x), 1) + BCE(D(G(z)), 0) on a real
 *   batch and a generated batch (each normalised with its own batch statistics); G minimises
 *   the non-saturating BCE(D(G(z')), 1) with a fresh z'. Losses are computed from logits
 *   (softplus), which is BCE without the overflow of log(sigmoid).
 * - Optimiser: Adam (lr 2e-4, β1 0.5) with iGAN's l2 term on the gradient and iGAN's schedule
 *   (constant, then linear decay to zero from `decayStart`), one optimiser per network.
 * - Prior: z uniform on [−1, 1]^d (DCGAN, iGAN).
 * - Draws: epoch e uses the batch order `permutation(n, rng(seed, "order", e))` (the first
 *   ⌊n/B⌋·B entries, cut into ⌊n/B⌋ batches) and the latent draws
 *   `rng(seed, "z", e)` (first the D batches, then the G batches); initial weights come from
 *   `deriveSeed(seed, "init")`. Every draw is a pure function of (seed, purpose, epoch), so a
 *   resumed run draws exactly what an uninterrupted one draws.
 * - Device traffic: the images are uploaded once; each epoch uploads its batch order, its
 *   latent draws and its learning-rate factors once; batches are gathered on the device.
 *   Nothing is read back except on logging steps.
 * - After the last update, G's batch-norm population statistics are estimated from a regular
 *   grid of z (see `model.ts`).
 * - Checkpoints every `checkpointEvery` iterations (`lib/train/checkpoint.ts`); a resumed run
 *   reaches the same final weights bit for bit (same backend, same machine).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fingerprintOf, runTraining, type TrainingFamily } from "../../lib/train/loop.ts";
import { stableJson } from "../../lib/ml/npy.ts";
import { createRng, deriveSeed } from "../../lib/ml/random.ts";
import { Adam, type AdamSettings } from "../../lib/ml/adam.ts";
import { DCGAN_ADAM, learningRateFactor } from "./adam.ts";
import { createDcgan, type Dcgan, type DcganConfig } from "./model.ts";

/** Training settings. */
export interface DcganTrainSettings {
  /** The architecture. */
  config: DcganConfig;
  /** The one seed every draw derives from. */
  seed: number;
  /** Iterations, each one D update and one G update. */
  iterations: number;
  /** Batch size B (clamped to the dataset size). */
  batchSize: number;
  /** Adam's settings, shared by both networks (default DCGAN's with iGAN's l2). */
  adam?: AdamSettings;
  /** Iteration from which the learning rate decays linearly to 0 (iGAN: half; default: none). */
  decayStart?: number;
  /** Points of the z grid that estimates G's batch-norm statistics (default 1024). */
  statisticsPoints?: number;
  /** Record the losses every this many iterations (default 50). */
  logEvery?: number;
  /** Save a checkpoint every this many iterations (default: never). */
  checkpointEvery?: number;
  /** Where checkpoints live; resuming happens when it holds a matching one. */
  checkpointDir?: string;
  /** Called after every iteration with the latest recorded values (no read-back). */
  onProgress?: (step: number, total: number, values: Record<string, number>) => void;
  /** Log lines (resuming, checkpoints). */
  onLog?: (message: string) => void;
  /** Aborting it stops training before the next iteration. */
  signal?: AbortSignal;
}

/** One point of the loss curves, measured on the batches of iteration `step` (before its updates). */
export interface GanLossRecord {
  /** 1-based iteration. */
  step: number;
  /** D's loss BCE(D(x), 1) + BCE(D(G(z)), 0). */
  discriminator: number;
  /** G's loss BCE(D(G(z')), 1). */
  generator: number;
  /** Mean D output (probability) on the real batch. */
  realScore: number;
  /** Mean D output on the generated batch of the D update. */
  fakeScore: number;
}

/** What {@linkcode trainDcgan} returns; the caller owns (and disposes) the model. */
export interface DcganTrainResult {
  /** The trained model, with population statistics set. */
  model: Dcgan;
  /** Loss records, including those before a resume. */
  lossCurve: GanLossRecord[];
  /** Iteration of the checkpoint resumed from, or null. */
  resumedFrom: number | null;
  /** Iterations run by this call. */
  stepsRun: number;
  /** Wall time of the iterations of this call, seconds. */
  seconds: number;
}

/** The regular grid of z used for G's population statistics: midpoints of n cells of [−1, 1]. */
export function statisticsGrid(n: number): Float32Array {
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) z[i] = -1 + (2 * i + 1) / n;
  return z;
}

/**
 * Latent values for the population statistics: the midpoint grid for d = 1 (an accurate
 * quadrature of the uniform prior); for d > 1, n seeded uniform draws.
 */
export function statisticsLatents(n: number, d: number, seed: number): Float32Array {
  if (d === 1) return statisticsGrid(n);
  const rng = createRng(deriveSeed(seed, "statistics"));
  return Float32Array.from({ length: n * d }, () => 2 * rng.next() - 1);
}

/** Fingerprint of the settings and data: a checkpoint is resumed only when it matches. */
export function dcganFingerprint(
  images: Float32Array,
  count: number,
  s: DcganTrainSettings,
): Promise<string> {
  const trajectory = {
    config: s.config,
    seed: s.seed >>> 0,
    iterations: s.iterations,
    batchSize: s.batchSize,
    adam: s.adam ?? DCGAN_ADAM,
    decayStart: s.decayStart ?? s.iterations,
    count,
  };
  return fingerprintOf([stableJson(trajectory), images]);
}

/**
 * Trains a DCGAN on `count` images of `imageSize²` grey levels in [0, 1], from scratch or
 * from the newest matching checkpoint. Deterministic: the same data, settings and backend
 * give the same weight bytes.
 */
export async function trainDcgan(
  images: Float32Array,
  count: number,
  settings: DcganTrainSettings,
): Promise<DcganTrainResult> {
  const s = settings;
  const c = s.config;
  const side = c.imageSize, P = side * side, d = c.latentSize;
  if (count < 1 || images.length !== count * P) {
    throw new Error(
      `Cannot train DCGAN: images hold ${images.length} values, expected ${count} × ${P}; fix the dataset`,
    );
  }
  if (!(Number.isInteger(s.iterations) && s.iterations >= 0)) {
    throw new Error(
      `Cannot train DCGAN: iterations must be a non-negative integer; fix the settings`,
    );
  }
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 2)) {
    throw new Error(
      `Cannot train DCGAN: batchSize must be an integer ≥ 2 (batch statistics); fix the settings`,
    );
  }
  const T = s.iterations;
  const B = Math.min(s.batchSize, count);
  const stepsPerEpoch = Math.floor(count / B);
  const seed = s.seed >>> 0;
  const decayStart = s.decayStart ?? T;
  const adamSettings = s.adam ?? DCGAN_ADAM;

  const model = createDcgan(c, deriveSeed(seed, "init"));
  const gVars = model.generatorVariables, dVars = model.discriminatorVariables;
  const gAdam = new Adam(
    gVars.map((t) => ({ name: t.name, variable: t.variable })),
    adamSettings,
  );
  const dAdam = new Adam(
    dVars.map((t) => ({ name: t.name, variable: t.variable })),
    adamSettings,
  );
  const owned: tf.Tensor[] = [];
  type EpochTensors = {
    /** Batch order (device gather), or the epoch's images in that order (host copy). */
    real: tf.Tensor1D | tf.Tensor4D;
    z: tf.Tensor2D;
    factors: tf.Tensor1D;
  };
  let ok = false;
  try {
    const keep = <X extends tf.Tensor>(t: X): X => (owned.push(t), t);
    const hostOrder = tf.getBackend() === "cpu";
    const imagesT = hostOrder ? null : keep(tf.tensor4d(images, [count, side, side, 1], "float32"));
    const softplusMean = (x: tf.Tensor) => tf.mean(tf.softplus(x)) as tf.Scalar;

    const family: TrainingFamily<EpochTensors, GanLossRecord> = {
      epochData(epoch: number, used: Int32Array): EpochTensors {
        const rng = createRng(deriveSeed(seed, "z", epoch));
        // Rows [0, S·B) feed the D updates, rows [S·B, 2·S·B) the G updates.
        const z = new Float32Array(2 * stepsPerEpoch * B * d);
        for (let i = 0; i < z.length; i++) z[i] = 2 * rng.next() - 1;
        const factors = new Float32Array(stepsPerEpoch);
        for (let i = 0; i < stepsPerEpoch; i++) {
          factors[i] = learningRateFactor(epoch * stepsPerEpoch + i, T, decayStart);
        }
        let real: tf.Tensor1D | tf.Tensor4D;
        if (hostOrder) {
          const ordered = new Float32Array(used.length * P);
          used.forEach((k, i) => ordered.set(images.subarray(k * P, (k + 1) * P), i * P));
          real = tf.tensor4d(ordered, [used.length, side, side, 1], "float32");
        } else {
          real = tf.tensor1d(used, "int32");
        }
        return {
          real,
          z: tf.tensor2d(z, [2 * stepsPerEpoch * B, d], "float32"),
          factors: tf.tensor1d(factors, "float32"),
        };
      },
      disposeEpochData(e: EpochTensors): void {
        for (const t of [e.real, e.z, e.factors]) t.dispose();
      },
      update({ position: pos, data: et, logging }) {
        const kept: Record<string, tf.Scalar> = {};
        tf.tidy(() => {
          const factor = tf.reshape(tf.slice(et.factors, [pos], [1]), []) as tf.Scalar;
          const real = imagesT
            ? tf.gather(imagesT, tf.slice(et.real as tf.Tensor1D, [pos * B], [B]))
            : tf.slice(et.real as tf.Tensor4D, [pos * B, 0, 0, 0], [B, side, side, 1]);
          const zD = tf.slice(et.z, [pos * B, 0], [B, d]);
          const zG = tf.slice(et.z, [(stepsPerEpoch + pos) * B, 0], [B, d]);
          // D update: the generated batch is a constant here (G is not differentiated).
          const fake = model.generate(zD, "batch");
          let realLogits: tf.Tensor | null = null, fakeLogits: tf.Tensor | null = null;
          const dStep = tf.variableGrads(() => {
            const lr = model.discriminate(real), lf = model.discriminate(fake);
            if (logging) [realLogits, fakeLogits] = [tf.keep(lr), tf.keep(lf)];
            // BCE(σ(l), 1) = softplus(−l); BCE(σ(l), 0) = softplus(l).
            return tf.add(softplusMean(tf.neg(lr)), softplusMean(lf)) as tf.Scalar;
          }, dVars.map((v) => v.variable));
          dAdam.apply(dStep.grads, factor);
          // G update, through the just-updated D.
          const gStep = tf.variableGrads(
            () => softplusMean(tf.neg(model.discriminate(model.generate(zG, "batch")))),
            gVars.map((v) => v.variable),
          );
          gAdam.apply(gStep.grads, factor);
          if (logging) {
            kept.discriminator = tf.keep(dStep.value);
            kept.generator = tf.keep(gStep.value);
            kept.realScore = tf.keep(tf.mean(tf.sigmoid(realLogits!)) as tf.Scalar);
            kept.fakeScore = tf.keep(tf.mean(tf.sigmoid(fakeLogits!)) as tf.Scalar);
            (realLogits as tf.Tensor | null)?.dispose();
            (fakeLogits as tf.Tensor | null)?.dispose();
          }
        });
        return logging ? kept : null;
      },
      record: (step, v) => ({
        step,
        discriminator: v.discriminator,
        generator: v.generator,
        realScore: v.realScore,
        fakeScore: v.fakeScore,
      }),
      progressValues: (r) => ({
        d_loss: r.discriminator,
        g_loss: r.generator,
        d_real: r.realScore,
        d_fake: r.fakeScore,
      }),
      async saveState() {
        const optimizer = [
          ...Object.entries(await gAdam.readState()).map(([k, v]) =>
            [`generator/${k}`, v] as const
          ),
          ...Object.entries(await dAdam.readState()).map(([k, v]) =>
            [`discriminator/${k}`, v] as const
          ),
        ].map(([name, data]) => ({ name, shape: [data.length], data }));
        const values = await model.readWeights();
        return {
          weights: model.tensors.map((x) => ({
            name: x.name,
            shape: x.variable.shape,
            data: values[x.name],
          })),
          optimizer,
          weightsExtra: { config: c },
        };
      },
      loadState(weights, optimizer) {
        model.writeWeights(Object.fromEntries(weights.map((t) => [t.name, t.data])));
        const opt = Object.fromEntries(optimizer.map((t) => [t.name, t.data]));
        const part = (prefix: string) =>
          Object.fromEntries(
            Object.entries(opt).filter(([k]) => k.startsWith(prefix)).map((
              [k, v],
            ) => [k.slice(prefix.length), v]),
          );
        gAdam.writeState(part("generator/"));
        dAdam.writeState(part("discriminator/"));
      },
      settle: async () => {
        await gVars[0].variable.data();
      },
    };
    const run = await runTraining(family, {
      seed,
      count,
      batchSize: B,
      iterations: T,
      logEvery: s.logEvery ?? 50,
      checkpointEvery: s.checkpointEvery,
      checkpointDir: s.checkpointDir,
      fingerprint: () => dcganFingerprint(images, count, s),
      unit: "iteration",
      onProgress: s.onProgress,
      onLog: s.onLog,
      signal: s.signal,
    });
    const zStats = statisticsLatents(s.statisticsPoints ?? 1024, d, seed);
    tf.tidy(() =>
      model.estimatePopulationStatistics(tf.tensor2d(zStats, [zStats.length / d, d], "float32"))
    );
    ok = true;
    return { model, ...run };
  } finally {
    for (const t of owned) t.dispose();
    gAdam.dispose();
    dAdam.dispose();
    if (!ok) model.dispose();
  }
}
