/**
 * One training step of the progressive scheme (S45): a new encoder and a fresh decoder are
 * trained together, while the codes of the earlier (frozen) encoders enter the decoder as
 * fixed inputs. With no frozen component and a d-output encoder it trains the standard
 * autoencoder of the comparison (S49).
 *
 *   z_new = BN(E_new(x))                      (batch statistics, no scale/shift: `losses.ts`)
 *   z     = [z_frozen(x), z_new]
 *   L     = rec(D(z), x) + λ_cov · L_cov(z_frozen, z_new)
 *
 * The frozen encoders never change, so their normalised codes (population statistics) are
 * computed once for the whole training set by the caller and uploaded with the images: a step
 * costs one encoder and one decoder whatever k is, and the decoder sees during training
 * exactly the codes it gets at inference. (The authors' code re-ran the frozen encoders on each
 * batch in training mode, normalising them with batch statistics.)
 *
 * Determinism and device traffic follow `lib/ml/train.ts`: epoch e uses
 * `permutation(n, rng(seed, "order", e))` cut into ⌊n/B⌋ batches (the remainder dropped),
 * initial weights come from `deriveSeed(seed, "encoder")` and `deriveSeed(seed, "decoder")`;
 * images and frozen codes are uploaded once, each epoch uploads its order, batches are
 * gathered on the device, and nothing is read back except on logging steps. Checkpoints
 * (`lib/train/checkpoint.ts`) let an interrupted step resume to the same final weights.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Adam, type AdamSettings } from "../../lib/ml/adam.ts";
import { fingerprintOf, runTraining, type TrainingFamily } from "../../lib/train/loop.ts";
import {
  type Autoencoder,
  type AutoencoderConfig,
  createAutoencoder,
  latentSize,
} from "../../lib/ml/model.ts";
import { stableJson } from "../../lib/ml/npy.ts";
import { deriveSeed } from "../../lib/ml/random.ts";
import type { HostTensor } from "../../lib/ml/weights_io.ts";
import {
  batchNormalise,
  covarianceTerm,
  type ReconstructionLoss,
  reconstructionLoss,
} from "./losses.ts";

/** Settings of one step. */
export interface StepSettings {
  /** The new encoder (encoder-only configuration) with c outputs. */
  encoder: AutoencoderConfig;
  /** The decoder (decoder-only), reading f + c components. */
  decoder: AutoencoderConfig;
  /** Number f of frozen components given with the data. */
  frozenDims: number;
  /** The seed every draw derives from. */
  seed: number;
  /** Number of updates. */
  iterations: number;
  /** Batch size (clamped to the dataset size). */
  batchSize: number;
  /** Adam's settings (the authors: lr 0.001, β1 = 0.5, β2 = 0.999). */
  adam: AdamSettings;
  /** Reconstruction loss. */
  loss: ReconstructionLoss;
  /** λ_cov (S47; the authors: 1). */
  covLambda: number;
  /** ε of the normalisation. */
  bnEpsilon: number;
  /** Record the loss every this many updates (default 50). */
  logEvery?: number;
  /** Checkpoint every this many updates (default never). */
  checkpointEvery?: number;
  /** Where checkpoints live. */
  checkpointDir?: string;
  /** Called after every update with the latest recorded values. */
  onProgress?: (step: number, total: number, values: Record<string, number>) => void;
  /** Log lines. */
  onLog?: (message: string) => void;
}

/** The data of one step. */
export interface StepData {
  /** Number of images n. */
  count: number;
  /** n × H·W·C values. */
  images: Float32Array;
  /** n × f normalised codes of the frozen encoders (absent when f = 0). */
  frozenCodes?: Float32Array;
}

/** One recorded point of the loss curve (batch values before the update). */
export interface StepLossRecord {
  /** 1-based update number. */
  step: number;
  /** rec + λ·cov. */
  loss: number;
  /** Reconstruction term. */
  reconstruction: number;
  /** Covariance term (0 without frozen components). */
  covariance: number;
}

/** What {@linkcode trainStep} returns; the caller owns the models. */
export interface StepResult {
  /** The trained encoder. */
  encoder: Autoencoder;
  /** The trained decoder. */
  decoder: Autoencoder;
  /** Loss records (including those before a resume). */
  lossCurve: StepLossRecord[];
  /** Step resumed from, or null. */
  resumedFrom: number | null;
  /** Updates run by this call. */
  stepsRun: number;
  /** Wall time of the updates, seconds. */
  seconds: number;
}

function check(s: StepSettings, data: StepData): void {
  const fail = (why: string): never => {
    throw new Error(`Cannot train step: ${why}; fix the settings`);
  };
  const P = s.encoder.inputShape.reduce((a, b) => a * b, 1);
  if (!s.encoder.encoderDepths || s.encoder.decoderDepths) fail(`the encoder must be encoder-only`);
  if (!s.decoder.decoderDepths || s.decoder.encoderDepths) fail(`the decoder must be decoder-only`);
  if (latentSize(s.decoder) !== s.frozenDims + latentSize(s.encoder)) {
    fail(
      `the decoder reads ${latentSize(s.decoder)} components, frozen ${s.frozenDims} + new ${
        latentSize(s.encoder)
      }`,
    );
  }
  if (data.count < 2 || data.images.length !== data.count * P) {
    fail(`images hold ${data.images.length} values for ${data.count} × ${P}`);
  }
  if (s.frozenDims > 0 && data.frozenCodes?.length !== data.count * s.frozenDims) {
    fail(`frozen codes must be n × ${s.frozenDims}`);
  }
  if (!(Number.isInteger(s.iterations) && s.iterations >= 0)) {
    fail(`iterations must be a non-negative integer`);
  }
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 2)) {
    fail(`batchSize must be an integer ≥ 2 (batch statistics)`);
  }
  if (s.loss === "bce" && s.decoder.outputActivation !== "sigmoid") {
    fail(`bce needs a sigmoid output`);
  }
}

function fingerprint(s: StepSettings, data: StepData): Promise<string> {
  const {
    onProgress: _p,
    onLog: _l,
    checkpointDir: _c,
    logEvery: _e,
    checkpointEvery: _k,
    ...rest
  } = s;
  return fingerprintOf([
    stableJson({ ...rest, seed: s.seed >>> 0, count: data.count }),
    data.images,
    ...(data.frozenCodes ? [data.frozenCodes] : []),
  ]);
}

async function partTensors(prefix: string, m: Autoencoder): Promise<HostTensor[]> {
  const w = await m.readWeights();
  return m.variables.map((v) => ({
    name: `${prefix}/${v.name}`,
    shape: v.variable.shape,
    data: w[v.name],
  }));
}

/** Trains one step (from scratch, or from the newest matching checkpoint). Deterministic. */
export async function trainStep(data: StepData, s: StepSettings): Promise<StepResult> {
  check(s, data);
  const [H, W, C] = s.encoder.inputShape;
  const n = data.count, f = s.frozenDims;
  const B = Math.min(s.batchSize, n);
  const seed = s.seed >>> 0;
  const encoder = createAutoencoder(s.encoder, deriveSeed(seed, "encoder"));
  const decoder = createAutoencoder(s.decoder, deriveSeed(seed, "decoder"));
  const named = [
    ...encoder.variables.map((v) => ({ name: `encoder/${v.name}`, variable: v.variable })),
    ...decoder.variables.map((v) => ({ name: `decoder/${v.name}`, variable: v.variable })),
  ];
  const varList = named.map((v) => v.variable);
  const adam = new Adam(named, s.adam);
  const owned: tf.Tensor[] = [];
  let ok = false;
  try {
    const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
    const imagesT = keep(tf.tensor4d(data.images, [n, H, W, C], "float32"));
    const frozenT = f > 0 ? keep(tf.tensor2d(data.frozenCodes!, [n, f], "float32")) : null;
    const epsT = keep(tf.scalar(s.bnEpsilon, "float32"));
    const lambdaT = keep(tf.scalar(s.covLambda, "float32"));
    const useCov = f > 0 && s.covLambda > 0;
    const family: TrainingFamily<tf.Tensor1D, StepLossRecord> = {
      epochData: (_epoch, used) => tf.tensor1d(used, "int32"),
      disposeEpochData: (order) => order.dispose(),
      update({ position: pos, data: ord, logging }) {
        const kept: Record<string, tf.Scalar> = {};
        tf.tidy(() => {
          const idx = tf.slice(ord, [pos * B], [B]);
          const lossFn = (): tf.Scalar => {
            const x = tf.gather(imagesT, idx);
            const zNew = batchNormalise(encoder.encode(x), epsT);
            const zFrozen = frozenT ? tf.gather(frozenT, idx) as tf.Tensor2D : null;
            const z = zFrozen ? tf.concat([zFrozen, zNew], 1) : zNew;
            const rec = reconstructionLoss(decoder.decode(z), x, s.loss);
            const cov = useCov ? covarianceTerm(zFrozen!, zNew) : null;
            const total = (cov ? tf.add(rec, tf.mul(lambdaT, cov)) : rec) as tf.Scalar;
            if (logging) {
              kept.loss = tf.keep(total);
              kept.reconstruction = tf.keep(rec);
              if (cov) kept.covariance = tf.keep(cov);
            }
            return total;
          };
          const { grads } = tf.variableGrads(lossFn, varList);
          adam.apply(grads);
        });
        return logging ? kept : null;
      },
      record: (step, v) => ({
        step,
        loss: v.loss,
        reconstruction: v.reconstruction,
        covariance: v.covariance ?? 0,
      }),
      progressValues: (r) => ({
        loss: r.loss,
        reconstruction: r.reconstruction,
        covariance: r.covariance,
      }),
      async saveState() {
        const optimizer = Object.entries(await adam.readState()).map(([name, d]) => ({
          name,
          shape: [d.length],
          data: d,
        }));
        return {
          weights: [
            ...(await partTensors("encoder", encoder)),
            ...(await partTensors("decoder", decoder)),
          ],
          optimizer,
          weightsExtra: { encoder: s.encoder, decoder: s.decoder },
        };
      },
      loadState(weights, optimizer) {
        const byName = Object.fromEntries(weights.map((t) => [t.name, t.data]));
        const part = (prefix: string) =>
          Object.fromEntries(
            Object.entries(byName).filter(([k]) => k.startsWith(prefix + "/")).map((
              [k, v],
            ) => [k.slice(prefix.length + 1), v]),
          );
        encoder.writeWeights(part("encoder"));
        decoder.writeWeights(part("decoder"));
        adam.writeState(Object.fromEntries(optimizer.map((t) => [t.name, t.data])));
      },
      settle: async () => {
        await decoder.variables[0].variable.data();
      },
    };
    const run = await runTraining(family, {
      seed,
      count: n,
      batchSize: B,
      iterations: s.iterations,
      logEvery: s.logEvery ?? 50,
      checkpointEvery: s.checkpointEvery,
      checkpointDir: s.checkpointDir,
      fingerprint: () => fingerprint(s, data),
      onProgress: s.onProgress,
      onLog: s.onLog,
    });
    ok = true;
    return { encoder, decoder, ...run };
  } finally {
    for (const t of owned) t.dispose();
    adam.dispose();
    if (!ok) {
      encoder.dispose();
      decoder.dispose();
    }
  }
}

/**
 * Population mean and biased variance of each raw output of an encoder over n images
 * (float64 accumulation): the normalisation statistics used at inference.
 */
export async function populationMoments(
  encoder: Autoencoder,
  images: Float32Array,
  batch = 500,
): Promise<{ mean: Float32Array; variance: Float32Array }> {
  const [H, W, C] = encoder.config.inputShape;
  const P = H * W * C, c = encoder.latentSize, n = images.length / P;
  const sum = new Float64Array(c), sq = new Float64Array(c);
  const all = new Float64Array(n * c);
  for (let s0 = 0; s0 < n; s0 += batch) {
    const b = Math.min(batch, n - s0);
    const y = tf.tidy(() =>
      encoder.encode(tf.tensor4d(images.subarray(s0 * P, (s0 + b) * P), [b, H, W, C], "float32"))
    );
    const v = (await y.data()) as Float32Array;
    y.dispose();
    all.set(v, s0 * c);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) sum[j] += all[i * c + j];
  const mean = Float64Array.from(sum, (s) => s / n);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) sq[j] += (all[i * c + j] - mean[j]) ** 2;
  return { mean: Float32Array.from(mean), variance: Float32Array.from(sq, (s) => s / n) };
}
