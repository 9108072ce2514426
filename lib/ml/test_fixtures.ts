/**
 * Shared test fixtures (not a test file): a hand-computable model, a tiny autoencoder, a
 * stand-in disk autoencoder with known answers and a fake pipeline context, so tests do not depend on the engine's implementation.
 *
 * @module
 */
import { type Profile, profileValue } from "../../pipeline/params.ts";
import * as tf from "@tensorflow/tfjs";
import type { Context, Json, Progress, Stage } from "../../pipeline/stage.ts";
import { type Autoencoder, type AutoencoderConfig, diskAutoencoderConfig } from "./model.ts";
import { createRng, deriveSeed } from "./random.ts";
import { stableJson } from "./npy.ts";
import { generateDiskDataset, uniformRadii } from "./disks.ts";
import type { TrainData } from "./train.ts";

/**
 * A hand-computable model: 1-D input of 2 samples, one layer each side, no biases, linear.
 * Encoder kernel w = [1, 1, 0] reads x0, x1 and the zero pad: z = x0 + x1. Decoder kernel
 * w' = [1, 1, 0] on U(z) = [z, 0]: D(z) = [z, z]. So D(E(x)) = [x0 + x1, x0 + x1] and
 * ∂z/∂x = [1, 1].
 */
export const HAND: AutoencoderConfig = diskAutoencoderConfig({
  inputShape: [1, 2, 1],
  kernelSize: [1, 3],
  strides: [1, 2],
  encoderDepths: [1, 1],
  decoderDepths: [1, 1],
  encoderBias: false,
  decoderBias: false,
  hiddenActivation: "linear",
  latentActivation: "linear",
  outputActivation: "linear",
});

/** The hand model's weights. */
export const HAND_WEIGHTS: Record<string, Float32Array> = {
  encoder_0_kernel: new Float32Array([1, 1, 0]),
  decoder_0_kernel: new Float32Array([1, 1, 0]),
};

/** A 16×16 autoencoder with four layers each side. */
export const TINY: AutoencoderConfig = diskAutoencoderConfig({
  inputShape: [16, 16, 1],
  encoderDepths: [1, 4, 4, 2, 1],
  decoderDepths: [1, 2, 4, 4, 1],
});

/**
 * 40 blurred disks of 16×16 (radii U(0, 8), exact blur), keyed by radius: training data for
 * the tiny autoencoder, drawn from `seed`.
 */
export function tinyDisks(seed: number): TrainData {
  const disks = generateDiskDataset(
    {
      count: 40,
      geometry: { size: 16, sigma: 0.5 },
      sampler: uniformRadii(8),
      blur: "exact",
      samples: 1,
    },
    createRng(seed),
  );
  return { count: 40, images: disks.images, keys: disks.radii };
}

/** What a fake context recorded. */
export interface FakeRecords {
  /** `ctx.record` calls. */
  records: Record<string, Json>;
  /** `ctx.log` lines. */
  logs: string[];
  /** `ctx.progress` calls. */
  progress: Progress[];
}

/**
 * A context for running a stage in a test: merged parameters (defaults, the profile's
 * values, then overrides), temporary directories and a generator seeded from the id and
 * parameters.
 */
export function fakeContext<P>(
  stage: Stage<P>,
  options: {
    root: string;
    profile?: Profile;
    set?: Record<string, Json>;
    inputs?: Record<string, string>;
    backend?: string;
    scratchDir?: string;
  },
): { ctx: Context<P>; recorded: FakeRecords } {
  const profile = options.profile ?? "paper";
  const params: Record<string, Json> = {};
  for (const [name, def] of Object.entries(stage.params)) params[name] = profileValue(def, profile);
  Object.assign(params, options.set ?? {});
  const outDir = `${options.root}/out-${stage.id}`;
  Deno.mkdirSync(outDir, { recursive: true });
  const scratchDir = options.scratchDir ?? `${options.root}/scratch-${stage.id}`;
  Deno.mkdirSync(scratchDir, { recursive: true });
  const recorded: FakeRecords = { records: {}, logs: [], progress: [] };
  let seed = 0x9e3779b9;
  for (const ch of `${stage.id}/${stableJson(params)}`) seed = deriveSeed(seed, ch.charCodeAt(0));
  const ctx: Context<P> = {
    id: stage.id,
    params: params as P,
    profile,
    backend: options.backend ?? "cpu",
    threads: 1,
    inputs: options.inputs ?? {},
    outDir,
    outPath: (name) => `${outDir}/${name}`,
    scratchDir,
    rng: createRng(seed),
    log: (m) => recorded.logs.push(m),
    progress: (p) => recorded.progress.push(p),
    record: (k, v) => (recorded.records[k] = v),
  };
  return { ctx, recorded };
}

/** Options of {@linkcode areaModel}. */
export interface AreaModelOptions {
  /** The configuration the stand-in reports (its images are `inputShape`'s m × m). */
  config: AutoencoderConfig;
  /** Disk centre (row, column); default the image's centre ((m − 1)/2, (m − 1)/2). */
  centre?: readonly [number, number];
  /** Radii in [lo, hi] the decoder draws nothing for: a model that fails exactly there. */
  broken?: readonly [number, number];
}

/**
 * A stand-in autoencoder with known answers, for tests of evaluation code: the code is the
 * image's mean (the disk's area over m², so z is affine in r², not in r), and the decoder draws
 * the disk of that area back with a soft edge (except for radii in `broken`).
 */
export function areaModel(o: AreaModelOptions): Autoencoder {
  const m = o.config.inputShape[0];
  const [cy, cx] = o.centre ?? [(m - 1) / 2, (m - 1) / 2];
  const dist = tf.tensor4d(
    Float32Array.from(
      { length: m * m },
      (_, p) => Math.hypot(Math.floor(p / m) - cy, (p % m) - cx),
    ),
    [1, m, m, 1],
  );
  const encode = (x: tf.Tensor) =>
    tf.tidy(() => tf.mean(tf.reshape(x, [-1, m * m]), 1, true) as tf.Tensor2D);
  const decode = (z: tf.Tensor) =>
    tf.tidy(() => {
      const r = tf.sqrt(tf.mul(tf.reshape(z, [-1, 1, 1, 1]), (m * m) / Math.PI));
      const disk = tf.sigmoid(tf.div(tf.sub(r, dist), 0.3));
      if (!o.broken) return disk as tf.Tensor4D;
      // 1 below and above the broken range, 0 in it (step(x) = 1 for x > 0).
      const keep = tf.add(tf.step(tf.sub(o.broken[0], r)), tf.step(tf.sub(r, o.broken[1])));
      return tf.mul(disk, keep) as tf.Tensor4D;
    });
  return {
    config: o.config,
    latentSize: 1,
    variables: [],
    encoderWeights: [],
    decoderWeights: [],
    encode,
    decode,
    reconstruct: (x) => tf.tidy(() => decode(encode(x))),
    readWeights: () => Promise.resolve({}),
    writeWeights: () => {},
    dispose: () => dist.dispose(),
  };
}
