/**
 * The default architecture of the authors' released Keras code (`geometric_autoencoder_keras.py`),
 * in tfjs, as an {@link Autoencoder} so that the evaluation functions of our own models
 * (`encodeBatched`, `decodeBatched`, `reconstructBatched`) run on it unchanged.
 *
 * It differs from our disk autoencoder (`lib/ml/model.ts`, P-Tab 1) in three ways:
 * - 63×63 images (the disk centre on pixel 31) and 'valid' padding: a 3×3 stride-2
 *   convolution takes n to (n − 1)/2 samples, 63 → 31 → 15 → 7 → 3 → 1, and its transposed
 *   convolution takes n to 2n + 1, 1 → 3 → 7 → 15 → 31 → 63 (no padding to place);
 * - five layers each way, depths 1, 8, 4, 3, 2, 1 and the mirror 1, 2, 3, 4, 8, 1;
 * - leaky ReLU with α = 0.05 (Keras `LeakyReLU(alpha=0.05)`) after every layer, code and
 *   output included.
 * Kernels keep the Keras layouts: Conv2D [kh, kw, in, out], Conv2DTranspose [kh, kw, out, in],
 * which are the layouts tfjs's conv2d and conv2dTranspose take (a test checks the transposed
 * one on a one-hot input). The model is our builder's (`lib/ml/model.ts`) with this
 * configuration, which is also what the `code` profile trains.
 *
 * @module
 */
import {
  type Autoencoder,
  type AutoencoderConfig,
  convOutSize,
  convTransposeOutSize,
  createAutoencoder,
  diskAutoencoderConfig,
} from "../../lib/ml/model.ts";
import type { KerasWeightsFile } from "./keras_h5.ts";

/** The architecture of the authors' code, as our configuration data (with 'valid' padding). */
export interface AuthorsConfig extends AutoencoderConfig {
  /** Keras padding of every convolution: the authors' code uses 'valid'. */
  padding: "valid";
}

/** The default architecture of `geometric_autoencoder_keras.py`. */
export function authorsConfig(): AuthorsConfig {
  return {
    ...diskAutoencoderConfig({
      inputShape: [63, 63, 1],
      encoderDepths: [1, 8, 4, 3, 2, 1],
      decoderDepths: [1, 2, 3, 4, 8, 1],
      alpha: 0.05,
    }),
    padding: "valid",
  };
}

/** Spatial size after a 'valid' convolution of size k, stride s: ⌊(n − k)/s⌋ + 1. */
export function validConvSize(n: number, k = 3, s = 2): number {
  return convOutSize(n, k, s, "valid");
}

/** Spatial size after a 'valid' transposed convolution of size k, stride s: (n − 1)·s + k. */
export function validConvTransposeSize(n: number, k = 3, s = 2): number {
  return convTransposeOutSize(n, k, s, "valid");
}

/** One layer's kernel and bias shapes, in Keras layout. */
export interface AuthorsLayerShape {
  /** `encoder_<l>` or `decoder_<l>`. */
  name: string;
  /** Kernel shape. */
  kernel: number[];
  /** Bias shape. */
  bias: number[];
  /** Spatial size of the layer's output. */
  outSize: number;
}

/** Every layer's shapes, encoder then decoder, from the configuration. */
export function authorsLayerShapes(config: AuthorsConfig = authorsConfig()): AuthorsLayerShape[] {
  const [kh, kw] = config.kernelSize, s = config.strides[0];
  const enc = config.encoderDepths!, dec = config.decoderDepths!;
  const out: AuthorsLayerShape[] = [];
  let n = config.inputShape[0];
  for (let l = 0; l + 1 < enc.length; l++) {
    n = validConvSize(n, kh, s);
    out.push({
      name: `encoder_${l}`,
      kernel: [kh, kw, enc[l], enc[l + 1]],
      bias: [enc[l + 1]],
      outSize: n,
    });
  }
  for (let l = 0; l + 1 < dec.length; l++) {
    n = validConvTransposeSize(n, kh, s);
    out.push({
      name: `decoder_${l}`,
      kernel: [kh, kw, dec[l + 1], dec[l]],
      bias: [dec[l + 1]],
      outSize: n,
    });
  }
  return out;
}

/**
 * Our variable values from a Keras weights file: the layers with weights, in the file's
 * order, are `conv2d_*` (encoder) then `conv2d_transpose_*` (decoder); each must have a
 * kernel and a bias of the shapes of {@link authorsLayerShapes}.
 *
 * @throws {Error} when a layer is missing or a shape differs (another architecture).
 */
export function authorsWeightsFromKeras(
  file: KerasWeightsFile,
  config: AuthorsConfig = authorsConfig(),
): Record<string, Float32Array> {
  const withWeights = file.layers.filter((l) => l.weights.length > 0);
  const encoder = withWeights.filter((l) => !l.name.startsWith("conv2d_transpose"));
  const decoder = withWeights.filter((l) => l.name.startsWith("conv2d_transpose"));
  const expected = authorsLayerShapes(config);
  const layers = [...encoder, ...decoder];
  if (layers.length !== expected.length) {
    throw new Error(
      `Cannot load the authors' weights: ${encoder.length} conv and ${decoder.length} transposed conv layers, expected ${
        config.encoderDepths!.length - 1
      } each; is it the default architecture of geometric_autoencoder_keras.py?`,
    );
  }
  const out: Record<string, Float32Array> = {};
  expected.forEach((want, i) => {
    const layer = layers[i];
    for (const role of ["kernel", "bias"] as const) {
      const w = layer.weights.find((x) => x.name.startsWith(`${role}:`));
      const shape = role === "kernel" ? want.kernel : want.bias;
      if (!w || w.shape.join(",") !== shape.join(",")) {
        throw new Error(
          `Cannot load the authors' weights: layer "${layer.name}" ${role} has shape [${
            w?.shape ?? "none"
          }], expected [${shape}] for ${want.name}; is it the default architecture?`,
        );
      }
      out[`${want.name}_${role}`] = w.data;
    }
  });
  return out;
}

/**
 * Builds the authors' architecture with our model builder (`createAutoencoder`, which has
 * 'valid' padding for this); its seeded initial weights are meant to be overwritten with
 * `writeWeights` (the authors' file, or a test's values).
 */
export function createAuthorsModel(config: AuthorsConfig = authorsConfig()): Autoencoder {
  return createAutoencoder(config, 0);
}
