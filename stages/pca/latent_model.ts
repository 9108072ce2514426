/**
 * The model shared by the PCA-like autoencoder (S44–S47) and its standard baseline: a list of
 * encoders whose outputs are concatenated, batch normalisation without learned scale and
 * shift right before the latent space (E[z] = 0, S47: β = 0, and unit variance), and one
 * decoder reading the whole code.
 *
 * - PCA-like autoencoder after step k: encoders E_1 … E_k, each with one output (its own
 *   network, trained at step i and frozen afterwards), and the decoder D_k trained at step k.
 * - Standard autoencoder: one encoder with d outputs, the decoder D, trained together.
 *
 * Each encoder and the decoder are built by `lib/ml/model.ts` (encoder-only and
 * decoder-only configurations of the disk autoencoder's family). Normalisation at inference
 * uses population statistics: z_j = (y_j − μ_j) / √(v_j + ε), with μ_j and v_j the mean and
 * (biased) variance of the raw output y_j over the whole training set, measured once the
 * component's training ended (PyTorch keeps running averages instead; the population values
 * are what those averages estimate, without their dependence on the last batches).
 *
 * Saved as one bundle (`weights_io.ts` format) `model.json` + `model.bin`: tensors
 * `encoder<i>/<variable>`, `decoder/<variable>`, `bn/mean`, `bn/var`; the header holds the
 * configurations and ε.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type Autoencoder,
  type AutoencoderConfig,
  createAutoencoder,
  latentSize,
} from "../../lib/ml/model.ts";
import { type HostTensor, readBundle, writeBundle } from "../../lib/ml/weights_io.ts";

/** The architecture as data. */
export interface LatentModelConfig {
  /** The encoders (encoder-only configurations), in code order. */
  encoders: AutoencoderConfig[];
  /** The decoder (decoder-only configuration); its code depth is the sum of the encoders' outputs. */
  decoder: AutoencoderConfig;
  /** ε of the normalisation (PyTorch's default 1e-5). */
  bnEpsilon: number;
}

/** Format tag of saved latent models. */
export const LATENT_MODEL_FORMAT = "latent-model/1";

/** A built model. */
export interface LatentModel {
  /** The architecture. */
  readonly config: LatentModelConfig;
  /** The encoders. */
  readonly encoders: Autoencoder[];
  /** The decoder. */
  readonly decoder: Autoencoder;
  /** Population mean of each raw code component. */
  readonly bnMean: Float32Array;
  /** Population (biased) variance of each raw code component. */
  readonly bnVar: Float32Array;
  /** Code size d. */
  readonly latentSize: number;
  /** x [B, H, W, C] → normalised codes [B, d]. */
  encode(x: tf.Tensor): tf.Tensor2D;
  /** Normalised codes [B, d] → images [B, H, W, C]. */
  decode(z: tf.Tensor): tf.Tensor4D;
  /** Frees every tensor. */
  dispose(): void;
}

/** Checks a configuration: encoders without decoders, a decoder reading every component. */
export function validateLatentConfig(c: LatentModelConfig): void {
  const fail = (why: string): never => {
    throw new Error(`Cannot build latent model: ${why}; fix the configuration`);
  };
  if (c.encoders.length === 0) fail(`it has no encoder`);
  for (const e of c.encoders) {
    if (!e.encoderDepths || e.decoderDepths) fail(`every encoder must be encoder-only`);
  }
  if (!c.decoder.decoderDepths || c.decoder.encoderDepths) fail(`the decoder must be decoder-only`);
  const d = c.encoders.reduce((s, e) => s + latentSize(e), 0);
  if (latentSize(c.decoder) !== d) {
    fail(`the decoder reads ${latentSize(c.decoder)} components, the encoders give ${d}`);
  }
  if (!(c.bnEpsilon > 0)) fail(`bnEpsilon must be positive`);
}

/** Code size of a configuration. */
export function latentModelSize(c: LatentModelConfig): number {
  return c.encoders.reduce((s, e) => s + latentSize(e), 0);
}

/**
 * Assembles a model from built parts (taking ownership of them) and normalisation statistics.
 */
export function assembleLatentModel(
  config: LatentModelConfig,
  encoders: Autoencoder[],
  decoder: Autoencoder,
  bnMean: Float32Array,
  bnVar: Float32Array,
): LatentModel {
  validateLatentConfig(config);
  const d = latentModelSize(config);
  if (bnMean.length !== d || bnVar.length !== d) {
    throw new Error(
      `Cannot assemble latent model: ${bnMean.length} means and ${bnVar.length} variances for d = ${d}`,
    );
  }
  const mean = tf.tensor2d(bnMean, [1, d], "float32");
  // 1/√(v + ε), computed in float64 then rounded once.
  const invStd = tf.tensor2d(Float32Array.from(bnVar, (v) => 1 / Math.sqrt(v + config.bnEpsilon)), [
    1,
    d,
  ], "float32");
  let disposed = false;
  return {
    config,
    encoders,
    decoder,
    bnMean,
    bnVar,
    latentSize: d,
    encode(x) {
      return tf.tidy(() => {
        const raw = encoders.length === 1
          ? encoders[0].encode(x)
          : tf.concat(encoders.map((e) => e.encode(x)), 1);
        return tf.mul(tf.sub(raw, mean), invStd) as tf.Tensor2D;
      });
    },
    decode(z) {
      return decoder.decode(z);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const e of encoders) e.dispose();
      decoder.dispose();
      mean.dispose();
      invStd.dispose();
    },
  };
}

/** The model's tensors as host tensors, in bundle order (reads back from the device). */
export async function latentModelTensors(model: LatentModel): Promise<HostTensor[]> {
  const out: HostTensor[] = [];
  for (let i = 0; i < model.encoders.length; i++) {
    const w = await model.encoders[i].readWeights();
    for (const v of model.encoders[i].variables) {
      out.push({ name: `encoder${i}/${v.name}`, shape: v.variable.shape, data: w[v.name] });
    }
  }
  const w = await model.decoder.readWeights();
  for (const v of model.decoder.variables) {
    out.push({ name: `decoder/${v.name}`, shape: v.variable.shape, data: w[v.name] });
  }
  out.push({ name: "bn/mean", shape: [model.latentSize], data: model.bnMean });
  out.push({ name: "bn/var", shape: [model.latentSize], data: model.bnVar });
  return out;
}

/** Saves a model as `<jsonPath>` + `<binPath>`, with extra header fields. */
export async function saveLatentModel(
  model: LatentModel,
  jsonPath: string,
  binPath: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await writeBundle(jsonPath, binPath, LATENT_MODEL_FORMAT, await latentModelTensors(model), {
    ...extra,
    latentModel: model.config,
  });
}

/** Reads a saved model's configuration and raw values (no tensors built). */
export async function readLatentModel(
  jsonPath: string,
  binPath: string,
): Promise<
  { config: LatentModelConfig; values: Map<string, HostTensor>; header: Record<string, unknown> }
> {
  const { header, tensors } = await readBundle(jsonPath, binPath);
  if (header.format !== LATENT_MODEL_FORMAT) {
    throw new Error(
      `Cannot load latent model "${jsonPath}": format "${header.format}", expected "${LATENT_MODEL_FORMAT}"`,
    );
  }
  return { config: header.latentModel as LatentModelConfig, values: tensors, header };
}

/** Values of one part (`encoder<i>` or `decoder`) by variable name. */
export function partValues(
  values: Map<string, HostTensor>,
  part: string,
): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of values) {
    if (name.startsWith(part + "/")) out[name.slice(part.length + 1)] = t.data;
  }
  return out;
}

/** Builds a part from saved values (the seed is irrelevant: every value is overwritten). */
export function buildPart(
  config: AutoencoderConfig,
  values: Record<string, Float32Array>,
): Autoencoder {
  const m = createAutoencoder(config, 0);
  try {
    m.writeWeights(values);
  } catch (e) {
    m.dispose();
    throw e;
  }
  return m;
}

/** Loads a saved model (the backend must be initialised first; the caller disposes it). */
export async function loadLatentModel(jsonPath: string, binPath: string): Promise<LatentModel> {
  const { config, values } = await readLatentModel(jsonPath, binPath);
  validateLatentConfig(config);
  const mean = values.get("bn/mean"), v = values.get("bn/var");
  if (!mean || !v) {
    throw new Error(
      `Cannot load latent model "${jsonPath}": no bn/mean or bn/var; is it a latent-model/1 bundle?`,
    );
  }
  const parts: Autoencoder[] = [];
  try {
    config.encoders.forEach((c, i) => parts.push(buildPart(c, partValues(values, `encoder${i}`))));
    parts.push(buildPart(config.decoder, partValues(values, "decoder")));
    return assembleLatentModel(
      config,
      parts.slice(0, -1),
      parts[parts.length - 1],
      mean.data,
      v.data,
    );
  } catch (e) {
    for (const m of parts) m.dispose();
    throw e;
  }
}
