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
 * one on a one-hot input). Only the forward pass is built: the model is evaluated, not trained.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type Autoencoder,
  type AutoencoderConfig,
  diskAutoencoderConfig,
  type NamedVariable,
  ownVariable,
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
  return Math.floor((n - k) / s) + 1;
}

/** Spatial size after a 'valid' transposed convolution of size k, stride s: (n − 1)·s + k. */
export function validConvTransposeSize(n: number, k = 3, s = 2): number {
  return (n - 1) * s + k;
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

/** Builds the authors' architecture with zero weights; load them with `writeWeights`. */
export function createAuthorsModel(config: AuthorsConfig = authorsConfig()): Autoencoder {
  const shapes = authorsLayerShapes(config);
  const variables: NamedVariable[] = shapes.flatMap((s) => {
    const [part, layer] = s.name.split("_") as ["encoder" | "decoder", string];
    return (["kernel", "bias"] as const).map((role) => ({
      name: `${s.name}_${role}`,
      part,
      layer: Number(layer),
      role,
      variable: ownVariable(tf.zeros(role === "kernel" ? s.kernel : s.bias), false),
    }));
  });
  const byName = new Map(variables.map((v) => [v.name, v.variable]));
  const [H, W, C] = config.inputShape;
  const [sh, sw] = config.strides;
  const encLayers = config.encoderDepths!.length - 1;
  const decLayers = config.decoderDepths!.length - 1;
  const code = shapes[encLayers - 1];
  const d = code.outSize * code.outSize * config.encoderDepths![encLayers];
  const act = (x: tf.Tensor4D) => tf.leakyRelu(x, config.alpha) as tf.Tensor4D;
  const get = (name: string) => byName.get(name)! as tf.Tensor;

  const encode = (x: tf.Tensor): tf.Tensor2D =>
    tf.tidy(() => {
      let h = (x.rank === 4 ? x : tf.reshape(x, [-1, H, W, C])) as tf.Tensor4D;
      for (let l = 0; l < encLayers; l++) {
        h = tf.conv2d(h, get(`encoder_${l}_kernel`) as tf.Tensor4D, [sh, sw], "valid");
        h = act(tf.add(h, get(`encoder_${l}_bias`)));
      }
      return tf.reshape(h, [-1, d]) as tf.Tensor2D;
    });

  const decode = (z: tf.Tensor): tf.Tensor4D =>
    tf.tidy(() => {
      let h = tf.reshape(z, [
        -1,
        code.outSize,
        code.outSize,
        config.decoderDepths![0],
      ]) as tf.Tensor4D;
      for (let l = 0; l < decLayers; l++) {
        const s = shapes[encLayers + l];
        h = tf.conv2dTranspose(
          h,
          get(`decoder_${l}_kernel`) as tf.Tensor4D,
          [h.shape[0], s.outSize, s.outSize, s.kernel[2]],
          [sh, sw],
          "valid",
        );
        h = act(tf.add(h, get(`decoder_${l}_bias`)));
      }
      return h;
    });

  let disposed = false;
  return {
    config,
    latentSize: d,
    variables,
    encoderWeights: variables.filter((v) => v.part === "encoder"),
    decoderWeights: variables.filter((v) => v.part === "decoder"),
    encode,
    decode,
    reconstruct: (x) => tf.tidy(() => decode(encode(x))),
    async readWeights() {
      const out: Record<string, Float32Array> = {};
      for (const v of variables) out[v.name] = (await v.variable.data()) as Float32Array;
      return out;
    },
    writeWeights(values) {
      for (const v of variables) {
        const val = values[v.name];
        if (!val || val.length !== v.variable.size) {
          throw new Error(
            `Cannot load weight "${v.name}": expected ${v.variable.size} values, got ${
              val?.length ?? "none"
            }; are the weights from this configuration?`,
          );
        }
        tf.tidy(() => v.variable.assign(tf.tensor(val, v.variable.shape, "float32")));
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.variable.dispose();
    },
  };
}
