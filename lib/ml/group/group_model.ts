/**
 * K disk autoencoders of one architecture held as one set of variables with a model axis:
 * each variable is `[K, …]` the shape of the single model's, model k's values in block k.
 *
 * Model k starts from exactly the weights `createAutoencoder(config, initSeed[k])` draws, and
 * its forward pass is the single model's, op for op, through the grouped kernels
 * (`group_ops.ts`): convolution, bias, activation per layer, the code reshaped between the
 * two halves.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  type Activation,
  type AutoencoderConfig,
  convTransposeOutSize,
  createAutoencoder,
  latentShape,
  latentSize,
  ownVariable,
} from "../model.ts";
import { leakyReluGrad } from "../kernels/leaky_relu_cpu.ts";
import {
  groupBiasAdd,
  groupConv2d,
  groupConv2dTranspose,
  groupConvBiasLeakyRelu,
} from "./group_ops.ts";

/** One variable of the group: the single model's name, `[K, …its shape]`. */
export interface GroupVariable {
  /** The single model's name (`encoder_0_kernel`, …). */
  name: string;
  /** `encoder` or `decoder`. */
  part: "encoder" | "decoder";
  /** `kernel` or `bias`. */
  role: "kernel" | "bias";
  /** The values of all K models. */
  variable: tf.Variable;
}

/** K autoencoders stepped together. */
export interface GroupAutoencoder {
  /** The shared architecture. */
  readonly config: AutoencoderConfig;
  /** Number of models K. */
  readonly models: number;
  /** Encoder layers then decoder layers, kernel before bias, as the single model orders them. */
  readonly variables: GroupVariable[];
  /** `x [K,B,H,W,C]` → codes `[K,B,d]`. */
  encode(x: tf.Tensor): tf.Tensor;
  /** Codes `[K,B,d]` → `[K,B,H,W,C]`. */
  decode(z: tf.Tensor): tf.Tensor;
  /** Model k's weights, by the single model's names (reads back). */
  readModel(k: number): Promise<Record<string, Float32Array>>;
  /** Frees the variables. */
  dispose(): void;
}

/**
 * Builds K models, model k drawn as `createAutoencoder(config, initSeeds[k])` draws it (or
 * from `initialWeights[k]` when given).
 */
export async function createGroupAutoencoder(
  config: AutoencoderConfig,
  initSeeds: readonly number[],
  initialWeights?: readonly (Record<string, Float32Array> | undefined)[],
): Promise<GroupAutoencoder> {
  const K = initSeeds.length;
  if (K < 1) throw new Error(`Cannot build a group of models: it needs at least one seed`);
  if (!config.encoderDepths || !config.decoderDepths) {
    throw new Error(
      `Cannot group models: only full autoencoders (encoder and decoder) train in groups`,
    );
  }
  // Each model's initial values, through the single model's own builder: the same draws.
  const singles: Record<string, Float32Array>[] = [];
  let names: {
    name: string;
    part: "encoder" | "decoder";
    role: "kernel" | "bias";
    shape: number[];
  }[] = [];
  for (let k = 0; k < K; k++) {
    const m = createAutoencoder(config, initSeeds[k]);
    try {
      if (initialWeights?.[k]) m.writeWeights(initialWeights[k]!);
      singles.push(await m.readWeights());
      names = m.variables.map((v) => ({
        name: v.name,
        part: v.part,
        role: v.role,
        shape: v.variable.shape,
      }));
    } finally {
      m.dispose();
    }
  }
  const variables: GroupVariable[] = names.map((n) => {
    const per = n.shape.reduce((a, b) => a * b, 1);
    const all = new Float32Array(K * per);
    for (let k = 0; k < K; k++) all.set(singles[k][n.name], k * per);
    return {
      name: n.name,
      part: n.part,
      role: n.role,
      variable: ownVariable(tf.tensor(all, [K, ...n.shape], "float32")),
    };
  });
  const byName = new Map(variables.map((v) => [v.name, v.variable]));
  const [sh, sw] = config.strides;
  const strides: [number, number] = [sh, sw];
  const padding = config.padding ?? "same";
  const [H, W, C] = config.inputShape;
  const zShape = latentShape(config);
  const d = latentSize(config);
  const alphaT = tf.scalar(config.alpha, "float32");
  const oneMinusAlphaT = tf.scalar(1 - config.alpha, "float32");
  const slope = (x: tf.Tensor) => tf.add(alphaT, tf.mul(oneMinusAlphaT, tf.step(x)));
  // The single model's leaky ReLU: tfjs's forward, the fused gradient kernel.
  const leaky = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.leakyRelu(x, config.alpha),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        leakyReluGrad(dy, saved[0], config.alpha, () => tf.mul(dy, slope(saved[0]))),
      ],
    };
  }) as (x: tf.Tensor) => tf.Tensor;
  const activate = (x: tf.Tensor, a: Activation): tf.Tensor => {
    switch (a) {
      case "leaky_relu":
        return leaky(x);
      case "relu":
        return tf.relu(x);
      case "sigmoid":
        return tf.sigmoid(x);
      case "linear":
        return x;
    }
  };
  const layer = (
    h: tf.Tensor,
    part: string,
    l: number,
    act: Activation,
    conv: (h: tf.Tensor, k: tf.Tensor) => tf.Tensor,
    outShape?: number[],
  ) => {
    const k = byName.get(`${part}_${l}_kernel`)!;
    const b = byName.get(`${part}_${l}_bias`);
    // The single model's fused layer, model by model, where the backend has it (the same bytes).
    const fused = b !== undefined && act === "leaky_relu"
      ? groupConvBiasLeakyRelu(h, k, b, strides, padding, config.alpha, outShape)
      : null;
    if (fused !== null) return fused;
    let y = conv(h, k);
    if (b) y = groupBiasAdd(y, b);
    return activate(y, act);
  };

  const encode = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const B = x.shape[1] as number;
      let h = tf.reshape(x, [K, B, H, W, C]);
      const L = config.encoderDepths!.length - 1;
      for (let l = 0; l < L; l++) {
        h = layer(
          h,
          "encoder",
          l,
          l === L - 1 ? config.latentActivation : config.hiddenActivation,
          (a, k) => groupConv2d(a, k, strides, padding),
        );
      }
      return tf.reshape(h, [K, B, d]);
    });

  const decode = (z: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const B = z.shape[1] as number;
      let h = tf.reshape(z, [K, B, ...zShape]);
      const dec = config.decoderDepths!;
      const L = dec.length - 1;
      for (let l = 0; l < L; l++) {
        const [kh, kw] = config.kernelSize;
        const outShape = [
          K,
          B,
          convTransposeOutSize(h.shape[2] as number, kh, sh, padding),
          convTransposeOutSize(h.shape[3] as number, kw, sw, padding),
          dec[l + 1],
        ];
        h = layer(
          h,
          "decoder",
          l,
          l === L - 1 ? config.outputActivation : config.hiddenActivation,
          (a, k) => groupConv2dTranspose(a, k, outShape, strides, padding),
          outShape,
        );
      }
      return h;
    });

  let disposed = false;
  return {
    config,
    models: K,
    variables,
    encode,
    decode,
    async readModel(k: number) {
      const out: Record<string, Float32Array> = {};
      for (const v of variables) {
        const all = (await v.variable.data()) as Float32Array;
        const per = all.length / K;
        out[v.name] = all.slice(k * per, (k + 1) * per);
      }
      return out;
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
