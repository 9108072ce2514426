/**
 * Running a trained model on host arrays: batched encode / decode / reconstruct from and to
 * `Float32Array`s, and loading a model saved by training (`weights.json` + `weights.bin`).
 * Read-backs are asynchronous: tfjs's webgpu backend cannot read synchronously under Deno.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Autoencoder } from "./model.ts";
import { loadWeightsModel } from "./weights_io.ts";

/** Options of the batched functions. */
export interface BatchOptions {
  /** Examples per device call (default 500). */
  batchSize?: number;
}

function valuesPerInput(model: Autoencoder): number {
  return model.config.inputShape.reduce((a, b) => a * b, 1);
}

async function batched(
  inputs: Float32Array,
  inSize: number,
  outSize: number,
  shape: (b: number) => number[],
  f: (x: tf.Tensor) => tf.Tensor,
  options: BatchOptions,
  what: string,
): Promise<Float32Array> {
  if (inputs.length % inSize !== 0) {
    throw new Error(
      `Cannot ${what}: ${inputs.length} values is not a whole number of ${inSize}-value examples`,
    );
  }
  const count = inputs.length / inSize;
  const out = new Float32Array(count * outSize);
  const size = Math.max(1, options.batchSize ?? 500);
  for (let start = 0; start < count; start += size) {
    const b = Math.min(size, count - start);
    const chunk = inputs.subarray(start * inSize, (start + b) * inSize);
    const y = tf.tidy(() => f(tf.tensor(chunk, shape(b), "float32")));
    try {
      out.set((await y.data()) as Float32Array, start * outSize);
    } finally {
      y.dispose();
    }
  }
  return out;
}

/** Codes of n inputs (n × H·W·C values) → n × d values. */
export function encodeBatched(
  model: Autoencoder,
  inputs: Float32Array,
  options: BatchOptions = {},
): Promise<Float32Array> {
  const [H, W, C] = model.config.inputShape;
  return batched(
    inputs,
    H * W * C,
    model.latentSize,
    (b) => [b, H, W, C],
    (x) => model.encode(x),
    options,
    "encode",
  );
}

/** Outputs of n codes (n × d values) → n × H·W·C values. */
export function decodeBatched(
  model: Autoencoder,
  codes: Float32Array,
  options: BatchOptions = {},
): Promise<Float32Array> {
  const d = model.latentSize;
  return batched(
    codes,
    d,
    valuesPerInput(model),
    (b) => [b, d],
    (z) => model.decode(z),
    options,
    "decode",
  );
}

/** D(E(x)) of n inputs → n × H·W·C values. */
export function reconstructBatched(
  model: Autoencoder,
  inputs: Float32Array,
  options: BatchOptions = {},
): Promise<Float32Array> {
  const [H, W, C] = model.config.inputShape;
  const P = H * W * C;
  return batched(
    inputs,
    P,
    P,
    (b) => [b, H, W, C],
    (x) => model.reconstruct(x),
    options,
    "reconstruct",
  );
}

/** Where saved weights are: a directory holding `weights.json` + `weights.bin`, a `.json` path (its `.bin` beside), or both paths. */
export type WeightsSource = string | { json: string; bin: string };

/** Resolves a {@linkcode WeightsSource} to the two file paths. */
export async function resolveWeightsSource(
  source: WeightsSource,
): Promise<{ json: string; bin: string }> {
  if (typeof source !== "string") return source;
  if (source.endsWith(".json")) return { json: source, bin: source.slice(0, -5) + ".bin" };
  const stat = await Deno.stat(source).catch(() => null);
  if (!stat?.isDirectory) {
    throw new Error(
      `Cannot load weights from "${source}": not a directory or a .json file; pass the stage's output directory or its weights.json`,
    );
  }
  const dir = source.endsWith("/") ? source : source + "/";
  return { json: dir + "weights.json", bin: dir + "weights.bin" };
}

/** Loads a trained model (the caller disposes it). The backend must be initialised first. */
export async function loadAutoencoder(source: WeightsSource): Promise<Autoencoder> {
  const { json, bin } = await resolveWeightsSource(source);
  return loadWeightsModel(json, bin);
}
