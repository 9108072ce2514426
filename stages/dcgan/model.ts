/**
 * The DCGAN of Radford, Metz and Chintala (2015) for 64×64 grey images, in the form iGAN's
 * `train_dcgan_utils.py` gives it (the code the paper's App. D used), written with raw tfjs
 * ops and a configuration that is plain data.
 *
 * Generator G (z ∈ [−1, 1]^d → image):
 *   h₀ = ReLU(BN(z·W₀)), reshaped to s×s×w₀ (s = 64 / 2^L, L = number of widths);
 *   h_l = ReLU(BN(convT(h_{l−1}; stride 2))) with w_l channels, l = 1..L−1;
 *   x = act(convT(h_{L−1}; stride 2) [+ b]) with one channel, act = sigmoid or tanh.
 * Discriminator D (image → logit):
 *   a₀ = LReLU(conv(x; stride 2)) (no BN on the input layer, as DCGAN says);
 *   a_l = LReLU(BN(conv(a_{l−1}; stride 2))), l = 1..L−1; logit = flatten(a_{L−1})·V.
 * Like iGAN: no biases (batch normalisation's β plays that role; the output layer of G may
 * take one), the first BN of G normalises each of the s·s·w₀ units of the dense layer
 * separately (a 2-D batch norm), every other BN each channel, leaky ReLU slope 0.2, kernels
 * drawn from N(0, σ² = 0.02²) and BN gains from N(1, 0.02²), β = 0.
 *
 * Image scale. Images are grey levels in [0, 1]. With `outputActivation: "sigmoid"` (iGAN's
 * choice for one channel) G's output and D's input are those values themselves; with
 * `"tanh"` (DCGAN's choice for colour) the networks work on 2x − 1 ∈ [−1, 1]. Either way
 * {@linkcode Dcgan.generate} returns, and {@linkcode Dcgan.discriminate} takes, images in
 * [0, 1]; the conversion is inside.
 *
 * Batch normalisation. In training (`"batch"`), each BN uses the mean and the biased
 * variance of its batch: y = γ (x − μ_B) / √(σ²_B + ε) + β; D sees real and generated
 * images in separate batches (so separate statistics), as DCGAN and iGAN do. For inference
 * (`"population"`), G uses fixed statistics estimated after training, as iGAN's
 * `batchnorm_dcgan.py` does, but from a regular grid of z over the prior's support instead
 * of random draws (with d = 1 a midpoint rule integrates the prior far more accurately than
 * random batches): {@linkcode Dcgan.estimatePopulationStatistics} runs G once in batch mode
 * on that grid and keeps every layer's mean and variance. These replace running averages,
 * which would track the last few hundred generators of a still-moving training rather than
 * the final one.
 *
 * Padding: tfjs `"same"` with stride 2 (a 5×5 kernel reads inputs 2i − 1 … 2i + 3; Theano's
 * `border_mode = (2, 2)` reads 2i − 2 … 2i + 2, a one-pixel shift of no consequence here).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRng, deriveSeed } from "../../lib/ml/random.ts";

/** Output non-linearity of G and with it the scale the networks work in. */
export type OutputActivation = "sigmoid" | "tanh";

/** The architecture, as plain data (JSON-serialisable). */
export interface DcganConfig {
  /** Image side (64); must be divisible by 2^L. */
  imageSize: number;
  /** Latent size d (the paper: 1). */
  latentSize: number;
  /**
   * G's channels after the dense layer (at s×s) and after each hidden transposed
   * convolution, e.g. [8f, 4f, 2f, f]; L = length stride-2 layers reach the image side.
   */
  generatorWidths: number[];
  /** D's channels after each stride-2 convolution, e.g. [f, 2f, 4f, 8f] (same length L). */
  discriminatorWidths: number[];
  /** Square kernel side (iGAN: 5). */
  kernelSize: number;
  /** Leaky ReLU slope of D (DCGAN: 0.2). */
  alpha: number;
  /** G's output activation (iGAN, one channel: sigmoid). */
  outputActivation: OutputActivation;
  /** Whether G's output layer has a bias (iGAN: no). */
  outputBias: boolean;
  /** ε of batch normalisation. */
  bnEpsilon: number;
  /** Standard deviation of the initial kernels and of the gains around 1 (DCGAN: 0.02). */
  initStd: number;
}

/** iGAN's 64×64 architecture for one grey channel, with base width f (iGAN: 128, DCGAN: 64). */
export function dcganConfig(baseWidth: number, overrides: Partial<DcganConfig> = {}): DcganConfig {
  const f = baseWidth;
  return {
    imageSize: 64,
    latentSize: 1,
    generatorWidths: [8 * f, 4 * f, 2 * f, f],
    discriminatorWidths: [f, 2 * f, 4 * f, 8 * f],
    kernelSize: 5,
    alpha: 0.2,
    outputActivation: "sigmoid",
    outputBias: false,
    bnEpsilon: 1e-5,
    initStd: 0.02,
    ...overrides,
  };
}

/** Throws a clear error when the configuration cannot be built. */
export function validateDcganConfig(c: DcganConfig): void {
  const fail = (why: string): never => {
    throw new Error(`Cannot build DCGAN: ${why}; fix the configuration`);
  };
  const L = c.generatorWidths.length;
  if (L < 1) fail("generatorWidths is empty");
  if (c.discriminatorWidths.length !== L) {
    fail(
      `generator (${L} layers) and discriminator (${c.discriminatorWidths.length}) differ in depth`,
    );
  }
  if (c.imageSize % 2 ** L !== 0) fail(`image side ${c.imageSize} is not divisible by 2^${L}`);
  const widths = [...c.generatorWidths, ...c.discriminatorWidths];
  if (!widths.every((w) => Number.isInteger(w) && w >= 1)) {
    fail("every width must be a positive integer");
  }
  if (!(Number.isInteger(c.latentSize) && c.latentSize >= 1)) {
    fail("latentSize must be a positive integer");
  }
  if (!(Number.isInteger(c.kernelSize) && c.kernelSize >= 1)) {
    fail("kernelSize must be a positive integer");
  }
  if (!(c.alpha >= 0 && c.alpha <= 1)) fail("alpha must lie in [0, 1]");
  if (!(c.bnEpsilon > 0)) fail("bnEpsilon must be positive");
}

/** Side s of G's first feature map (and of D's last). */
export function initialSide(c: DcganConfig): number {
  return c.imageSize / 2 ** c.generatorWidths.length;
}

/** What a tensor of the model is for. */
export type TensorRole = "kernel" | "gain" | "bias" | "mean" | "variance";

/** A tensor of the model with its stable name (e.g. `g_conv1_kernel`). */
export interface DcganTensor {
  /** Stable name, used in weight files and optimiser state. */
  name: string;
  /** `generator` or `discriminator`. */
  network: "generator" | "discriminator";
  /** Kernel, BN gain γ or bias β (trained), or BN population mean / variance (estimated). */
  role: TensorRole;
  /** The tfjs variable. */
  variable: tf.Variable;
}

/** How a forward pass normalises: batch statistics (training) or the stored population ones. */
export type BatchNormMode = "batch" | "population";

/** A built DCGAN. */
export interface Dcgan {
  /** The configuration it was built from. */
  readonly config: DcganConfig;
  /** Every tensor: generator then discriminator; trained ones and BN statistics. */
  readonly tensors: DcganTensor[];
  /** G's trained variables (kernels, gains, biases). */
  readonly generatorVariables: DcganTensor[];
  /** D's trained variables. */
  readonly discriminatorVariables: DcganTensor[];
  /** z [B, d] → images [B, H, W, 1] in [0, 1]. */
  generate(z: tf.Tensor, mode: BatchNormMode): tf.Tensor4D;
  /** Images [B, H, W, 1] in [0, 1] → logits [B, 1] (batch statistics: D is only trained). */
  discriminate(x: tf.Tensor4D): tf.Tensor2D;
  /**
   * Sets G's population statistics from one batch-mode pass over `z` (all of it at once:
   * the statistics are those of the whole set).
   */
  estimatePopulationStatistics(z: tf.Tensor): void;
  /** Current values of every tensor, by name (reads back from the device). */
  readWeights(): Promise<Record<string, Float32Array>>;
  /** Overwrites every tensor by name; each must be given with its exact size. */
  writeWeights(values: Record<string, Float32Array>): void;
  /** Frees every tensor the model holds. */
  dispose(): void;
}

/** One tensor to create: name, shape, role and how to initialise it. */
export interface TensorSpec {
  /** Stable name. */
  name: string;
  /** Which network it belongs to. */
  network: "generator" | "discriminator";
  /** What it is for. */
  role: TensorRole;
  /** Shape, TensorFlow layout. */
  shape: number[];
  /** N(0, σ²), N(1, σ²) (BN gains), zeros or ones. */
  init: "normal" | "gain" | "zero" | "one";
}

/** Every tensor of the architecture, in a fixed order (shapes in TensorFlow layout). */
export function dcganTensorSpecs(c: DcganConfig): TensorSpec[] {
  validateDcganConfig(c);
  const k = c.kernelSize, s = initialSide(c), L = c.generatorWidths.length;
  const gw = c.generatorWidths, dw = c.discriminatorWidths;
  const g = (
    name: string,
    role: TensorRole,
    shape: number[],
    init: TensorSpec["init"],
  ): TensorSpec => ({
    name: `g_${name}`,
    network: "generator",
    role,
    shape,
    init,
  });
  const d = (
    name: string,
    role: TensorRole,
    shape: number[],
    init: TensorSpec["init"],
  ): TensorSpec => ({
    name: `d_${name}`,
    network: "discriminator",
    role,
    shape,
    init,
  });
  const specs: TensorSpec[] = [];
  const bn = (make: typeof g, l: number, size: number, stats: boolean) => {
    specs.push(
      make(`bn${l}_gain`, "gain", [size], "gain"),
      make(`bn${l}_bias`, "bias", [size], "zero"),
    );
    if (stats) {
      specs.push(
        make(`bn${l}_mean`, "mean", [size], "zero"),
        make(`bn${l}_variance`, "variance", [size], "one"),
      );
    }
  };
  const units = s * s * gw[0];
  specs.push(g("dense_kernel", "kernel", [c.latentSize, units], "normal"));
  bn(g, 0, units, true);
  for (let l = 1; l < L; l++) {
    // conv2dTranspose filters are [kh, kw, out, in].
    specs.push(g(`conv${l}_kernel`, "kernel", [k, k, gw[l], gw[l - 1]], "normal"));
    bn(g, l, gw[l], true);
  }
  specs.push(g("out_kernel", "kernel", [k, k, 1, gw[L - 1]], "normal"));
  if (c.outputBias) specs.push(g("out_bias", "bias", [1], "zero"));
  specs.push(d("conv0_kernel", "kernel", [k, k, 1, dw[0]], "normal"));
  for (let l = 1; l < L; l++) {
    specs.push(d(`conv${l}_kernel`, "kernel", [k, k, dw[l - 1], dw[l]], "normal"));
    bn(d, l, dw[l], false);
  }
  specs.push(d("dense_kernel", "kernel", [s * s * dw[L - 1], 1], "normal"));
  return specs;
}

/** Initial values of one tensor, from its own seeded generator (never tfjs's global RNG). */
export function initialValues(spec: TensorSpec, std: number, seed: number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (spec.init === "zero") return out;
  if (spec.init === "one") return out.fill(1);
  const rng = createRng(deriveSeed(seed, spec.name));
  const base = spec.init === "gain" ? 1 : 0;
  for (let i = 0; i < n; i++) out[i] = base + std * rng.normal();
  return out;
}

/** A variable made from a fresh tensor, which is then released (tf.variable shares it). */
function own(t: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/** Builds a DCGAN with seeded initial weights (each tensor from `deriveSeed(seed, name)`). */
export function createDcgan(config: DcganConfig, seed: number): Dcgan {
  const specs = dcganTensorSpecs(config);
  const tensors: DcganTensor[] = specs.map((sp) => ({
    name: sp.name,
    network: sp.network,
    role: sp.role,
    variable: own(
      tf.tensor(initialValues(sp, config.initStd, seed), sp.shape, "float32"),
      sp.role !== "mean" && sp.role !== "variance",
    ),
  }));
  const by = new Map(tensors.map((t) => [t.name, t.variable]));
  const v = (name: string) => by.get(name)!;
  const L = config.generatorWidths.length, s = initialSide(config);
  const gw = config.generatorWidths;
  // Constants made once: tfjs would otherwise upload a new scalar per call.
  const epsT = tf.scalar(config.bnEpsilon, "float32");
  const twoT = tf.scalar(2, "float32"),
    oneT = tf.scalar(1, "float32"),
    halfT = tf.scalar(0.5, "float32");
  const tanh = config.outputActivation === "tanh";
  // 1/N per batch size N, made once each (kept until dispose).
  const inverses = new Map<number, tf.Scalar>();
  const inverseCount = (n: number): tf.Scalar => {
    let t = inverses.get(n);
    if (!t) {
      t = tf.keep(tf.scalar(1 / n, "float32"));
      inverses.set(n, t);
    }
    return t;
  };

  /** BN of x over every axis but the last; `stats` receives the batch's mean and variance. */
  const batchNorm = (
    x: tf.Tensor,
    prefix: string,
    mode: BatchNormMode,
    stats?: (mean: tf.Tensor, variance: tf.Tensor) => void,
  ): tf.Tensor => {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    let mean: tf.Tensor, variance: tf.Tensor;
    if (mode === "batch") {
      // Sums over the leading axes times 1/N rather than tf.mean: tfjs's cpu Mean transposes
      // the whole tensor first, while Sum over leading axes has a fast kernel (lib/ml).
      const inv = inverseCount(x.size / x.shape[x.shape.length - 1]);
      mean = tf.mul(tf.sum(x, axes), inv);
      // Biased variance, E[(x − μ)²], as TensorFlow's and Theano's batch norms in training.
      variance = tf.mul(tf.sum(tf.square(tf.sub(x, mean)), axes), inv);
      stats?.(mean, variance);
    } else {
      mean = v(`${prefix}_mean`);
      variance = v(`${prefix}_variance`);
    }
    const scale = tf.mul(v(`${prefix}_gain`), tf.rsqrt(tf.add(variance, epsT)));
    return tf.add(tf.mul(tf.sub(x, mean), scale), v(`${prefix}_bias`));
  };

  const generator = (
    z: tf.Tensor,
    mode: BatchNormMode,
    stats?: (prefix: string, mean: tf.Tensor, variance: tf.Tensor) => void,
  ): tf.Tensor4D => {
    const hook = (prefix: string) =>
      stats ? (m: tf.Tensor, va: tf.Tensor) => stats(prefix, m, va) : undefined;
    const z2 = tf.reshape(z, [-1, config.latentSize]) as tf.Tensor2D;
    const b = z2.shape[0];
    const dense = tf.matMul(z2, v("g_dense_kernel") as tf.Tensor2D);
    let h = tf.reshape(tf.relu(batchNorm(dense, "g_bn0", mode, hook("g_bn0"))), [
      b,
      s,
      s,
      gw[0],
    ]) as tf.Tensor4D;
    for (let l = 1; l < L; l++) {
      const [, hh, ww] = h.shape;
      const y = tf.conv2dTranspose(
        h,
        v(`g_conv${l}_kernel`) as tf.Tensor4D,
        [b, 2 * hh, 2 * ww, gw[l]],
        2,
        "same",
      );
      h = tf.relu(batchNorm(y, `g_bn${l}`, mode, hook(`g_bn${l}`))) as tf.Tensor4D;
    }
    const [, hh, ww] = h.shape;
    let out: tf.Tensor4D = tf.conv2dTranspose(
      h,
      v("g_out_kernel") as tf.Tensor4D,
      [b, 2 * hh, 2 * ww, 1],
      2,
      "same",
    );
    if (config.outputBias) out = tf.add(out, v("g_out_bias"));
    // tanh works in [−1, 1]: (tanh(u) + 1) / 2 = sigmoid(2u), the image in [0, 1].
    return (tanh ? tf.mul(tf.add(tf.tanh(out), oneT), halfT) : tf.sigmoid(out)) as tf.Tensor4D;
  };

  const discriminate = (x: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      let a: tf.Tensor4D = tanh ? tf.sub(tf.mul(x, twoT), oneT) : x;
      a = tf.leakyRelu(tf.conv2d(a, v("d_conv0_kernel") as tf.Tensor4D, 2, "same"), config.alpha);
      for (let l = 1; l < L; l++) {
        const y = tf.conv2d(a, v(`d_conv${l}_kernel`) as tf.Tensor4D, 2, "same");
        a = tf.leakyRelu(batchNorm(y, `d_bn${l}`, "batch"), config.alpha) as tf.Tensor4D;
      }
      return tf.matMul(
        tf.reshape(a, [a.shape[0], -1]) as tf.Tensor2D,
        v("d_dense_kernel") as tf.Tensor2D,
      );
    });

  let disposed = false;
  return {
    config,
    tensors,
    generatorVariables: tensors.filter((t) => t.network === "generator" && t.variable.trainable),
    discriminatorVariables: tensors.filter((t) =>
      t.network === "discriminator" && t.variable.trainable
    ),
    generate: (z, mode) => tf.tidy(() => generator(z, mode)),
    discriminate,
    estimatePopulationStatistics(z) {
      tf.tidy(() => {
        generator(z, "batch", (prefix, mean, variance) => {
          v(`${prefix}_mean`).assign(mean);
          v(`${prefix}_variance`).assign(variance);
        });
      });
    },
    async readWeights() {
      const out: Record<string, Float32Array> = {};
      for (const t of tensors) out[t.name] = (await t.variable.data()) as Float32Array;
      return out;
    },
    writeWeights(values) {
      for (const t of tensors) {
        const val = values[t.name];
        if (!val || val.length !== t.variable.size) {
          throw new Error(
            `Cannot load DCGAN tensor "${t.name}": expected ${t.variable.size} values, got ${
              val?.length ?? "none"
            }; are the weights from this configuration?`,
          );
        }
        tf.tidy(() => t.variable.assign(tf.tensor(val, t.variable.shape, "float32")));
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of tensors) t.variable.dispose();
      for (const c of [epsT, twoT, oneT, halfT, ...inverses.values()]) c.dispose();
    },
  };
}

/** Trainable parameter count of each network. */
export function parameterCounts(c: DcganConfig): { generator: number; discriminator: number } {
  const out = { generator: 0, discriminator: 0 };
  for (const sp of dcganTensorSpecs(c)) {
    if (sp.role === "mean" || sp.role === "variance") continue;
    out[sp.network] += sp.shape.reduce((a, b) => a * b, 1);
  }
  return out;
}

/** Multiply-adds of one forward pass per image, for cost estimates. */
export function forwardMacs(c: DcganConfig): { generator: number; discriminator: number } {
  const k2 = c.kernelSize ** 2, L = c.generatorWidths.length, s = initialSide(c);
  const gw = c.generatorWidths, dw = c.discriminatorWidths;
  let g = c.latentSize * s * s * gw[0], side = s;
  for (let l = 1; l < L; l++) {
    side *= 2;
    // A stride-2 transposed convolution: every input value meets every kernel tap once.
    g += (side / 2) ** 2 * gw[l - 1] * gw[l] * k2;
  }
  g += side ** 2 * gw[L - 1] * k2;
  let d = 0, dside = c.imageSize;
  for (let l = 0; l < L; l++) {
    dside /= 2;
    d += dside ** 2 * (l === 0 ? 1 : dw[l - 1]) * dw[l] * k2;
  }
  d += dside * dside * dw[L - 1];
  return { generator: g, discriminator: d };
}
