/**
 * The autoencoder of P-Fig 1 / P-Tab 1, built from a configuration that is plain data (the
 * same object renders the architecture table and diagram, and is saved beside the weights).
 *
 * Encoder layer ℓ: y = φ(conv(x, w_ℓ; stride s, "same") + b_ℓ). Decoder layer ℓ:
 * y = φ(convT(x, w'_ℓ; stride s, "same") + b'_ℓ), a transposed convolution = zero-insertion
 * upsampling followed by a convolution. φ is the leaky ReLU φ(x) = max(x, αx), α = 0.2
 * (P Eq. 2), after every layer; the code layer and the output layer take their own
 * activations (`latentActivation`, `outputActivation`; the authors' code used leaky ReLU on
 * both, no sigmoid, and so do the defaults).
 *
 * Padding ("same", as TensorFlow and Keras define it), per spatial axis, input size n,
 * kernel k = 3, stride 2: the output has ⌈n/2⌉ samples and the total padding is
 * (⌈n/2⌉ − 1)·2 + 3 − n = 1 for even n, put entirely *after* the signal. So encoder output i
 * reads inputs 2i, 2i+1, 2i+2 (the last one is the zero pad at i = n/2 − 1):
 *   y[i] = Σ_{k=0..2} w[k] x[2i + k],
 * and 64 → 32 → 16 → 8 → 4 → 2 → 1. The decoder's transposed convolution is the exact
 * adjoint of that convolution (checked by a test): with U the zero-insertion upsampling
 * U(z)[2i] = z[i], U(z)[2i+1] = 0,
 *   y[o] = Σ_k w[k] U(z)[o − k]   (o = 0..2n−1, U(z)[−1] = U(z)[−2] = 0),
 * taking 1 → 2 → 4 → ... → 64. Kernels are stored as TensorFlow lays them out: encoder
 * [kh, kw, c_in, c_out], decoder [kh, kw, c_out, c_in].
 *
 * 'valid' padding (`padding: "valid"`, the authors' released code): no padding at all, so a
 * convolution of size k and stride s takes n to ⌊(n − k)/s⌋ + 1 samples and its transposed
 * convolution takes n to (n − 1)·s + k, 63 → 31 → 15 → 7 → 3 → 1 and back for 3×3 stride 2.
 *
 * 1-D variants (P§5, Diracs of length 64) use the same builder with inputShape [1, 64, 1],
 * kernelSize [1, 3] and strides [1, 2].
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRng, deriveSeed } from "./random.ts";
import { leakyReluGrad } from "./kernels/leaky_relu_cpu.ts";
import { convBiasLeakyRelu } from "./kernels/conv_bias_leaky_relu.ts";
import { convStack, type ConvStackAttrs, type StackLayer } from "./kernels/conv_stack.ts";

/** Activation functions a layer can end with. */
export type Activation = "leaky_relu" | "linear" | "relu" | "sigmoid";

/** Padding of a convolution, as Keras and TensorFlow name it. */
export type Padding = "same" | "valid";

/** Samples after one encoder layer (kernel k, stride s) of an axis of n samples. */
export function convOutSize(n: number, k: number, s: number, padding: Padding = "same"): number {
  return padding === "valid" ? Math.floor((n - k) / s) + 1 : Math.ceil(n / s);
}

/** Samples after one decoder layer (transposed convolution, kernel k, stride s). */
export function convTransposeOutSize(
  n: number,
  k: number,
  s: number,
  padding: Padding = "same",
): number {
  return padding === "valid" ? (n - 1) * s + k : n * s;
}

/** The architecture, as plain data (JSON-serialisable). */
export type AutoencoderConfig = {
  /** Input [height, width, channels]; 64×64 grey images are [64, 64, 1], 1-D signals [1, n, 1]. */
  inputShape: number[];
  /** Kernel [height, width]: [3, 3] for images, [1, 3] for 1-D signals. */
  kernelSize: number[];
  /** Strides [vertical, horizontal]: [2, 2] for images, [1, 2] for 1-D signals. */
  strides: number[];
  /**
   * Channel depths from the input to the code, one per level (layers = length − 1), e.g.
   * [1, 8, 4, 4, 3, 2, 1] (P-Tab 1); `null` for a decoder-only model.
   */
  encoderDepths: number[] | null;
  /**
   * Channel depths from the code to the output, e.g. the mirror [1, 2, 3, 4, 4, 8, 1], or
   * [1, 2, 4, 4, 4, 8, 1] for the position decoder of P§5.4; `null` for an encoder-only model.
   */
  decoderDepths: number[] | null;
  /** Biases in the encoder layers. */
  encoderBias: boolean;
  /** Biases in the decoder layers (P§4.3 removes them: Proposition 1). */
  decoderBias: boolean;
  /** Leaky ReLU slope α for negative inputs (P Eq. 2: 0.2). */
  alpha: number;
  /**
   * Padding of every convolution, as Keras names it: `same` (absent: the default, P-Tab 1's
   * 64 → 32 → … → 1) or `valid` (the authors' code: 63 → 31 → … → 1).
   */
  padding?: Padding;
  /** Activation after every hidden layer. */
  hiddenActivation: Activation;
  /** Activation on the code z (last encoder layer). */
  latentActivation: Activation;
  /** Activation on the output (last decoder layer). */
  outputActivation: Activation;
};

/** The disk autoencoder of P-Fig 1 / P-Tab 1 (d = 1), with optional overrides. */
export function diskAutoencoderConfig(
  overrides: Partial<AutoencoderConfig> = {},
): AutoencoderConfig {
  return {
    inputShape: [64, 64, 1],
    kernelSize: [3, 3],
    strides: [2, 2],
    encoderDepths: [1, 8, 4, 4, 3, 2, 1],
    decoderDepths: [1, 2, 3, 4, 4, 8, 1],
    encoderBias: true,
    decoderBias: true,
    alpha: 0.2,
    hiddenActivation: "leaky_relu",
    latentActivation: "leaky_relu",
    outputActivation: "leaky_relu",
    ...overrides,
  };
}

/** The 1-D position encoder of P§5.3: n = 64, depths all 1, six layers, biases. */
export function positionEncoderConfig(
  overrides: Partial<AutoencoderConfig> = {},
): AutoencoderConfig {
  return diskAutoencoderConfig({
    inputShape: [1, 64, 1],
    kernelSize: [1, 3],
    strides: [1, 2],
    encoderDepths: [1, 1, 1, 1, 1, 1, 1],
    decoderDepths: null,
    ...overrides,
  });
}

/** The 1-D position decoder of P§5.4: depths [1, 2, 4, 4, 4, 8] from the code, then 1 channel. */
export function positionDecoderConfig(
  overrides: Partial<AutoencoderConfig> = {},
): AutoencoderConfig {
  return diskAutoencoderConfig({
    inputShape: [1, 64, 1],
    kernelSize: [1, 3],
    strides: [1, 2],
    encoderDepths: null,
    decoderDepths: [1, 2, 4, 4, 4, 8, 1],
    ...overrides,
  });
}

/** One layer of the architecture, for tables and diagrams. */
export interface LayerRow {
  /** `encoder` or `decoder`. */
  part: "encoder" | "decoder";
  /** Layer index within its part, from 0. */
  index: number;
  /** Operation, e.g. `conv 3×3 /2` or `convT 3×3 ×2`. */
  op: string;
  /** Input [height, width, channels]. */
  inShape: number[];
  /** Output [height, width, channels]. */
  outShape: number[];
  /** Kernel shape in TensorFlow layout. */
  kernelShape: number[];
  /** Whether the layer has a bias. */
  bias: boolean;
  /** Activation after the layer. */
  activation: Activation;
  /** Trainable parameters (kernel + bias). */
  params: number;
}

/** The shape [h, w, c] of the code. */
export function latentShape(config: AutoencoderConfig): number[] {
  const layers = numLayers(config);
  let [h, w] = config.inputShape;
  const [kh, kw] = config.kernelSize, [sh, sw] = config.strides;
  for (let l = 0; l < layers; l++) {
    [h, w] = [convOutSize(h, kh, sh, config.padding), convOutSize(w, kw, sw, config.padding)];
  }
  const depth = config.encoderDepths
    ? config.encoderDepths[config.encoderDepths.length - 1]
    : config.decoderDepths![0];
  return [h, w, depth];
}

/** The code size d = h·w·c of the latent shape. */
export function latentSize(config: AutoencoderConfig): number {
  return latentShape(config).reduce((a, b) => a * b, 1);
}

function numLayers(config: AutoencoderConfig): number {
  return (config.encoderDepths ?? config.decoderDepths ?? [0]).length - 1;
}

/** Throws a clear error when the configuration cannot be built. */
export function validateConfig(config: AutoencoderConfig): void {
  const fail = (why: string): never => {
    throw new Error(`Cannot build autoencoder: ${why}; fix the configuration`);
  };
  if (config.inputShape.length !== 3) fail(`inputShape must be [height, width, channels]`);
  if (config.kernelSize.length !== 2 || config.strides.length !== 2) {
    fail(`kernelSize and strides must have two entries`);
  }
  const enc = config.encoderDepths, dec = config.decoderDepths;
  if (!enc && !dec) fail(`it has neither encoder nor decoder`);
  if (enc && enc.length < 2) fail(`encoderDepths needs at least two levels`);
  if (dec && dec.length < 2) fail(`decoderDepths needs at least two levels`);
  if (enc && dec && enc.length !== dec.length) {
    fail(
      `encoder (${enc.length - 1} layers) and decoder (${dec.length - 1} layers) differ in depth`,
    );
  }
  if (enc && enc[0] !== config.inputShape[2]) {
    fail(`encoderDepths[0] must equal the input channels`);
  }
  if (dec && dec[dec.length - 1] !== config.inputShape[2]) {
    fail(`the last decoder depth must equal the input channels`);
  }
  if (enc && dec && enc[enc.length - 1] !== dec[0]) {
    fail(`the code depths of encoder and decoder differ`);
  }
  const layers = numLayers(config);
  const padding = config.padding ?? "same";
  if (padding !== "same" && padding !== "valid") fail(`padding must be "same" or "valid"`);
  for (let a = 0; a < 2; a++) {
    const k = config.kernelSize[a], s = config.strides[a], n = config.inputShape[a];
    if (padding === "same" && n % s ** layers !== 0) {
      fail(`input size ${n} is not divisible by stride^layers = ${s ** layers}`);
    }
    if (padding === "valid") {
      // The decoder must give back the input's size: every layer's (n − k) divisible by s.
      let m = n;
      for (let l = 0; l < layers; l++) {
        if (m < k || (m - k) % s !== 0) {
          fail(
            `input size ${n} does not come back through ${layers} 'valid' layers of size ${k}, ` +
              `stride ${s} (${m} samples at layer ${l + 1}; e.g. 63 for 3, 2 and 5 layers)`,
          );
        }
        m = convOutSize(m, k, s, "valid");
      }
    }
  }
  if (!(config.alpha >= 0 && config.alpha <= 1)) fail(`alpha must lie in [0, 1]`);
}

/** The rows of the architecture table, computed from the configuration only. */
export function describeArchitecture(config: AutoencoderConfig): LayerRow[] {
  validateConfig(config);
  const rows: LayerRow[] = [];
  const [kh, kw] = config.kernelSize, [sh, sw] = config.strides;
  const kernel = kh === 1 ? `1×${kw}` : `${kh}×${kw}`;
  const stride = sh === 1 ? `${sw}` : sh === sw ? `${sh}` : `${sh}×${sw}`;
  let [h, w] = config.inputShape;
  const enc = config.encoderDepths;
  if (enc) {
    for (let l = 0; l + 1 < enc.length; l++) {
      const last = l + 2 === enc.length;
      const out = [
        convOutSize(h, kh, sh, config.padding),
        convOutSize(w, kw, sw, config.padding),
        enc[l + 1],
      ];
      rows.push({
        part: "encoder",
        index: l,
        op: `conv ${kernel} /${stride}`,
        inShape: [h, w, enc[l]],
        outShape: out,
        kernelShape: [kh, kw, enc[l], enc[l + 1]],
        bias: config.encoderBias,
        activation: last ? config.latentActivation : config.hiddenActivation,
        params: kh * kw * enc[l] * enc[l + 1] + (config.encoderBias ? enc[l + 1] : 0),
      });
      [h, w] = out;
    }
  }
  const dec = config.decoderDepths;
  if (dec) {
    [h, w] = latentShape(config);
    for (let l = 0; l + 1 < dec.length; l++) {
      const last = l + 2 === dec.length;
      const out = [
        convTransposeOutSize(h, kh, sh, config.padding),
        convTransposeOutSize(w, kw, sw, config.padding),
        dec[l + 1],
      ];
      rows.push({
        part: "decoder",
        index: l,
        op: `convT ${kernel} ×${stride}`,
        inShape: [h, w, dec[l]],
        outShape: out,
        kernelShape: [kh, kw, dec[l + 1], dec[l]],
        bias: config.decoderBias,
        activation: last ? config.outputActivation : config.hiddenActivation,
        params: kh * kw * dec[l] * dec[l + 1] + (config.decoderBias ? dec[l + 1] : 0),
      });
      [h, w] = out;
    }
  }
  return rows;
}

/** A trainable tensor with its stable name (e.g. `encoder_0_kernel`). */
export interface NamedVariable {
  /** Stable name, used in weight files: `<part>_<layer>_<kernel|bias>`. */
  name: string;
  /** `encoder` or `decoder`. */
  part: "encoder" | "decoder";
  /** Layer index within its part. */
  layer: number;
  /** `kernel` or `bias`. */
  role: "kernel" | "bias";
  /** The tfjs variable. */
  variable: tf.Variable;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /**
   * Write leaky ReLU as x·(α + (1 − α)·step(x)) instead of tf.leakyRelu: the same values
   * (α + (1 − α) rounds to exactly 1 in float32 for α = 0.2), but its gradient can itself be
   * differentiated in tfjs, as the contractive regulariser's double backprop needs:
   * tf.leakyRelu's gradient uses `Greater`, tf.maximum's `Less`, tf.where's `LogicalNot`,
   * none of which has a gradient, while `Step` has (zero).
   */
  twiceDifferentiable?: boolean;
}

/** A built autoencoder (or encoder-only / decoder-only model). */
export interface Autoencoder {
  /** The configuration it was built from. */
  readonly config: AutoencoderConfig;
  /** Code size d. */
  readonly latentSize: number;
  /** All variables: encoder layers then decoder layers, kernel before bias. */
  readonly variables: NamedVariable[];
  /** The encoder's variables. */
  readonly encoderWeights: NamedVariable[];
  /** The decoder's variables. */
  readonly decoderWeights: NamedVariable[];
  /** x [B, H, W, C] (or [B, H·W·C]) → z [B, d]. */
  encode(x: tf.Tensor, options?: ForwardOptions): tf.Tensor2D;
  /** z [B, d] → y [B, H, W, C]. */
  decode(z: tf.Tensor, options?: ForwardOptions): tf.Tensor4D;
  /** D(E(x)). */
  reconstruct(x: tf.Tensor, options?: ForwardOptions): tf.Tensor4D;
  /**
   * The layers and attributes of the one stack op `reconstruct` runs on a batch of `batch`
   * images, for a caller that runs the stack's kernels itself (`stackSpecs` of
   * `kernels/conv_stack.ts` says whether they can); null where a layer would not stack. Absent on
   * models that never do.
   */
  wholeStack?(batch: number): { layers: StackLayer[]; attrs: ConvStackAttrs } | null;
  /**
   * Current values of every variable, by name (reads back from the device; asynchronous
   * because the webgpu backend cannot read synchronously under Deno).
   */
  readWeights(): Promise<Record<string, Float32Array>>;
  /** Overwrites variables by name; every variable must be given, with its exact size. */
  writeWeights(values: Record<string, Float32Array>): void;
  /** Frees every tensor the model holds. */
  dispose(): void;
}

/**
 * Glorot-uniform values (Keras' default kernel initialiser): U(−L, L) with
 * L = √(6 / (fan_in + fan_out)), fan_in = kh·kw·shape[2], fan_out = kh·kw·shape[3] as Keras
 * computes them from the kernel shape, drawn from our own seeded generator (bit-reproducible,
 * independent of tfjs's global RNG) and rounded to float32.
 */
export function glorotUniform(shape: number[], seed: number): Float32Array {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2] * receptive, fanOut = shape[shape.length - 1] * receptive;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const rng = createRng(seed);
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * rng.next() - 1) * limit;
  return out;
}

/**
 * A variable made from a fresh tensor, which is then released: tf.variable shares the
 * tensor's data, and the tensor itself would otherwise stay registered (a leak per call).
 */
export function ownVariable(initial: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(initial, trainable);
  initial.dispose();
  return v;
}

/**
 * Builds a model with Glorot-uniform kernels and zero biases. Each kernel is drawn from its
 * own generator `deriveSeed(seed, name)`, so an encoder-only model gets the same encoder
 * weights as the full autoencoder with the same seed.
 */
export function createAutoencoder(config: AutoencoderConfig, seed: number): Autoencoder {
  validateConfig(config);
  const rows = describeArchitecture(config);
  const [kh, kw] = config.kernelSize, [sh, sw] = config.strides;
  const padding = config.padding ?? "same";
  const variables: NamedVariable[] = [];
  for (const row of rows) {
    const base = `${row.part}_${row.index}`;
    const kernel = glorotUniform(row.kernelShape, deriveSeed(seed, `${base}_kernel`));
    variables.push({
      name: `${base}_kernel`,
      part: row.part,
      layer: row.index,
      role: "kernel",
      variable: ownVariable(tf.tensor(kernel, row.kernelShape, "float32")),
    });
    if (row.bias) {
      variables.push({
        name: `${base}_bias`,
        part: row.part,
        layer: row.index,
        role: "bias",
        variable: ownVariable(tf.zeros([row.outShape[2]], "float32")),
      });
    }
  }
  const byName = new Map(variables.map((v) => [v.name, v]));
  // Created once: tfjs would otherwise upload a new scalar for α on every call.
  const alphaT = tf.scalar(config.alpha, "float32");
  const oneMinusAlphaT = tf.scalar(1 - config.alpha, "float32");
  const d = latentSize(config);
  const zShape = latentShape(config);
  const [H, W, C] = config.inputShape;

  // φ'(x) = α + (1 − α)·step(x), from the constants above: the same float32 values as
  // tfjs's own LeakyRelu gradient (α·dy below zero, dy above, α·dy at zero), without the two
  // scalars that gradient uploads at every call. A custom gradient cannot be differentiated
  // again, hence the other form for double backprop.
  const slope = (x: tf.Tensor) => tf.add(alphaT, tf.mul(oneMinusAlphaT, tf.step(x)));
  const leaky = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.leakyRelu(x, config.alpha),
      // One fused kernel where the backend has it (cpu), the same float32 values either way.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        leakyReluGrad(dy, saved[0], config.alpha, () => tf.mul(dy, slope(saved[0]))),
      ],
    };
  }) as (x: tf.Tensor4D) => tf.Tensor4D;
  const activate = (x: tf.Tensor4D, a: Activation, opts?: ForwardOptions): tf.Tensor4D => {
    switch (a) {
      case "leaky_relu":
        return opts?.twiceDifferentiable ? tf.mul(x, slope(x)) : leaky(x);
      case "relu":
        return tf.relu(x);
      case "sigmoid":
        return tf.sigmoid(x);
      case "linear":
        return x;
    }
  };
  const withBias = (y: tf.Tensor4D, part: string, l: number): tf.Tensor4D => {
    const b = byName.get(`${part}_${l}_bias`);
    return b ? tf.add(y, b.variable) : y;
  };

  // A layer with a bias and leaky ReLU in one kernel where the backend has it (see
  // kernels/conv_bias_leaky_relu.ts: the same values and gradients as the three ops); null
  // otherwise, and for double backprop, which the fused gradient does not support.
  const fusedLayer = (
    h: tf.Tensor4D,
    k: tf.Tensor4D,
    part: string,
    l: number,
    a: Activation,
    opts: ForwardOptions | undefined,
    outShape?: [number, number, number, number],
  ): tf.Tensor4D | null => {
    const b = byName.get(`${part}_${l}_bias`);
    if (b === undefined || a !== "leaky_relu" || opts?.twiceDifferentiable) return null;
    return convBiasLeakyRelu(h, k, b.variable, {
      strides: [sh, sw],
      pad: padding,
      alpha: config.alpha,
      outShape,
      // The encoder's first layer reads the images, whose gradient no training takes.
      inputGrad: !(part === "encoder" && l === 0),
    });
  };

  // The layers of a whole encoder or decoder for one stack op (see kernels/conv_stack.ts: the
  // bytes of the fused layers below, with the threads meeting once per pass), on an input of
  // shape `input`; null where a layer would not take the fused kernel (no bias, another
  // activation, double backprop).
  const stackLayers = (
    part: "encoder" | "decoder",
    last: Activation,
    opts: ForwardOptions | undefined,
    input: readonly number[],
  ): StackLayer[] | null => {
    const depths = part === "encoder" ? config.encoderDepths! : config.decoderDepths!;
    const L = depths.length - 1;
    const hidden = L === 1 || config.hiddenActivation === "leaky_relu";
    if (opts?.twiceDifferentiable || !hidden || last !== "leaky_relu") return null;
    const layers: StackLayer[] = [];
    let [b, hh, ww] = input;
    for (let l = 0; l < L; l++) {
      const bias = byName.get(`${part}_${l}_bias`);
      if (bias === undefined) return null;
      const filter = byName.get(`${part}_${l}_kernel`)!.variable as tf.Tensor4D;
      if (part === "encoder") {
        layers.push({ filter, bias: bias.variable });
        continue;
      }
      hh = convTransposeOutSize(hh, kh, sh, padding);
      ww = convTransposeOutSize(ww, kw, sw, padding);
      layers.push({ filter, bias: bias.variable, outShape: [b, hh, ww, depths[l + 1]] });
    }
    return layers;
  };

  // `layers` as one op on `h`; null where the backend has no stack op. The encoder's layers read
  // the images, whose gradient no training takes: a stack starting with them skips it.
  const stackAttrs = (fromImages: boolean): ConvStackAttrs => ({
    strides: [sh, sw],
    pad: padding,
    alpha: config.alpha,
    inputGrad: !fromImages,
  });
  const stacked = (h: tf.Tensor4D, layers: StackLayer[] | null, fromImages: boolean) =>
    layers === null ? null : convStack(h, layers, stackAttrs(fromImages));

  const stackedPart = (
    h: tf.Tensor4D,
    part: "encoder" | "decoder",
    last: Activation,
    opts: ForwardOptions | undefined,
  ): tf.Tensor4D | null => stacked(h, stackLayers(part, last, opts, h.shape), part === "encoder");

  // The whole autoencoder as one stack op where both parts stack: the encoder's output, of shape
  // [b, ...zShape] (latentShape follows the encoder's layers), is the decoder's input as it lies,
  // so this gives the bytes of decode(encode(x)) with the threads meeting once per pass instead
  // of twice and without the calling thread's work between two ops. Null otherwise.
  const wholeLayers = (b: number, opts: ForwardOptions | undefined): StackLayer[] | null => {
    if (!config.encoderDepths || !config.decoderDepths) return null;
    const enc = stackLayers("encoder", config.latentActivation, opts, [b, H, W, C]);
    const dec = stackLayers("decoder", config.outputActivation, opts, [b, ...zShape]);
    return enc === null || dec === null ? null : [...enc, ...dec];
  };
  // convStack says null to more layers than one call carries.
  const stackedWhole = (x: tf.Tensor4D, opts: ForwardOptions | undefined): tf.Tensor4D | null =>
    stacked(x, wholeLayers(x.shape[0], opts), true);

  const encode = (x: tf.Tensor, opts?: ForwardOptions): tf.Tensor2D => {
    if (!config.encoderDepths) throw new Error(`Cannot encode: this model has no encoder`);
    return tf.tidy(() => {
      let h = x.rank === 4 ? x as tf.Tensor4D : tf.reshape(x, [-1, H, W, C]) as tf.Tensor4D;
      const stacked = stackedPart(h, "encoder", config.latentActivation, opts);
      if (stacked !== null) return tf.reshape(stacked, [-1, d]) as tf.Tensor2D;
      const L = config.encoderDepths!.length - 1;
      for (let l = 0; l < L; l++) {
        const k = byName.get(`encoder_${l}_kernel`)!.variable as tf.Tensor4D;
        const a = l === L - 1 ? config.latentActivation : config.hiddenActivation;
        h = fusedLayer(h, k, "encoder", l, a, opts) ??
          activate(withBias(tf.conv2d(h, k, [sh, sw], padding), "encoder", l), a, opts);
      }
      return tf.reshape(h, [-1, d]) as tf.Tensor2D;
    });
  };

  const decode = (z: tf.Tensor, opts?: ForwardOptions): tf.Tensor4D => {
    if (!config.decoderDepths) throw new Error(`Cannot decode: this model has no decoder`);
    return tf.tidy(() => {
      let h = tf.reshape(z, [-1, zShape[0], zShape[1], zShape[2]]) as tf.Tensor4D;
      const stacked = stackedPart(h, "decoder", config.outputActivation, opts);
      if (stacked !== null) return stacked;
      const dec = config.decoderDepths!;
      const L = dec.length - 1;
      for (let l = 0; l < L; l++) {
        const k = byName.get(`decoder_${l}_kernel`)!.variable as tf.Tensor4D;
        const [b, hh, ww] = h.shape;
        const outShape: [number, number, number, number] = [
          b,
          convTransposeOutSize(hh, kh, sh, padding),
          convTransposeOutSize(ww, kw, sw, padding),
          dec[l + 1],
        ];
        const a = l === L - 1 ? config.outputActivation : config.hiddenActivation;
        h = fusedLayer(h, k, "decoder", l, a, opts, outShape) ??
          activate(
            withBias(tf.conv2dTranspose(h, k, outShape, [sh, sw], padding), "decoder", l),
            a,
            opts,
          );
      }
      return h;
    });
  };

  let disposed = false;
  return {
    config,
    latentSize: d,
    variables,
    encoderWeights: variables.filter((v) => v.part === "encoder"),
    decoderWeights: variables.filter((v) => v.part === "decoder"),
    encode,
    decode,
    reconstruct: (x, opts) =>
      tf.tidy(() => {
        const x4 = x.rank === 4 ? x as tf.Tensor4D : tf.reshape(x, [-1, H, W, C]) as tf.Tensor4D;
        return stackedWhole(x4, opts) ?? decode(encode(x4, opts), opts);
      }),
    wholeStack(batch: number) {
      const layers = wholeLayers(batch, undefined);
      return layers === null ? null : { layers, attrs: stackAttrs(true) };
    },
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
      alphaT.dispose();
      oneMinusAlphaT.dispose();
    },
  };
}
