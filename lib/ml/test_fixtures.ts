/**
 * Shared test fixtures (not a test file): a hand-computable model, a tiny autoencoder and a
 * fake pipeline context, so tests do not depend on the engine's implementation.
 *
 * @module
 */
import type { Context, Json, Progress, Stage } from "../../pipeline/stage.ts";
import { type AutoencoderConfig, diskAutoencoderConfig } from "./model.ts";
import { createRng, deriveSeed } from "./random.ts";
import { stableJson } from "./npy.ts";

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
    profile?: "paper" | "quick";
    set?: Record<string, Json>;
    inputs?: Record<string, string>;
    backend?: string;
    scratchDir?: string;
  },
): { ctx: Context<P>; recorded: FakeRecords } {
  const profile = options.profile ?? "paper";
  const params: Record<string, Json> = {};
  for (const [name, def] of Object.entries(stage.params)) {
    params[name] = profile === "quick" && def.quick !== undefined ? def.quick : def.default;
  }
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
