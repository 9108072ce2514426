/**
 * Running a trained latent model (`latent_model.ts`) on host arrays, batch by batch:
 * normalised codes of images, images of codes, and the per-pixel reconstruction error.
 * Read-backs are asynchronous (the webgpu backend cannot read synchronously under Deno).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LatentModel } from "./latent_model.ts";

const BATCH = 250;

function pixels(model: LatentModel): number[] {
  return model.decoder.config.inputShape;
}

/** Normalised codes of n images (n × H·W·C values) → n × d values. */
export async function encodeImages(
  model: LatentModel,
  images: Float32Array,
): Promise<Float32Array> {
  const [H, W, C] = pixels(model);
  const P = H * W * C, d = model.latentSize;
  if (images.length % P !== 0) {
    throw new Error(
      `Cannot encode ${images.length} values: not a whole number of ${H}×${W}×${C} images`,
    );
  }
  const n = images.length / P;
  const out = new Float32Array(n * d);
  for (let s = 0; s < n; s += BATCH) {
    const b = Math.min(BATCH, n - s);
    const z = tf.tidy(() =>
      model.encode(tf.tensor4d(images.subarray(s * P, (s + b) * P), [b, H, W, C], "float32"))
    );
    out.set((await z.data()) as Float32Array, s * d);
    z.dispose();
  }
  return out;
}

/** Images of n codes (n × d values) → n × H·W·C values. */
export async function decodeCodes(model: LatentModel, codes: Float32Array): Promise<Float32Array> {
  const [H, W, C] = pixels(model);
  const P = H * W * C, d = model.latentSize;
  if (codes.length % d !== 0) {
    throw new Error(
      `Cannot decode ${codes.length} values: not a whole number of ${d}-component codes`,
    );
  }
  const n = codes.length / d;
  const out = new Float32Array(n * P);
  for (let s = 0; s < n; s += BATCH) {
    const b = Math.min(BATCH, n - s);
    const y = tf.tidy(() =>
      model.decode(tf.tensor2d(codes.subarray(s * d, (s + b) * d), [b, d], "float32"))
    );
    out.set((await y.data()) as Float32Array, s * P);
    y.dispose();
  }
  return out;
}

/** Mean over images and pixels of (D(E(x)) − x)² (float64 accumulation). */
export async function reconstructionMse(model: LatentModel, images: Float32Array): Promise<number> {
  const y = await decodeCodes(model, await encodeImages(model, images));
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - images[i]) ** 2;
  return s / y.length;
}
