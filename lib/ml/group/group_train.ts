/**
 * Training K disk autoencoders of one architecture together: one update steps every model,
 * each with its own seed (initial weights, batch order), its own regulariser weights and its
 * own Adam state, on one dataset.
 *
 * The claim this module is built on, and tested against: **model k ends with the bytes
 * `train()` gives it alone**, on the same backend, and records the same loss curve. That holds
 * because every value of model k is computed by the function the single-model update uses,
 * on model k's values only (see `group_kernels_cpu.ts`):
 * - its batch is `epochOrder(seed_k, …)`, gathered from the shared dataset (a copy);
 * - the convolutions and bias gradients run per model block in the single model's order;
 *   elementwise ops (bias, activations, their gradients, Adam) are the same float32
 *   operations per element;
 * - per-model sums (the squared error, the kernels' squared norms) accumulate model k's block
 *   in memory order in a double, as the single model's sum over all axes does;
 * - its total `data + Σ λ·term` adds the same float32 values in the same order. A term that is
 *   on for some models and off for model k enters with λ = 0: it adds exactly 0 to the total
 *   and ±0 to the gradient, which changes no Adam state (Adam's moments read the gradient
 *   only through g − m and g²);
 * - the update's gradient is that of Σ_k total_k, whose derivative with respect to each total
 *   is exactly 1, the seed of the single model's gradient.
 *
 * Scope of this first version (CPU backend, fast kernels installed): full autoencoders, the
 * data term with the weight decays ψ2 and ψ3, epoch or subset batches, no `keepBest`, no
 * checkpoints. ψ1 (per-model neighbours), the denoising term (per-model noise) and the
 * contractive term (double backprop) are refused with a line saying so: they train alone.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { Adam, KERAS_ADAM } from "../adam.ts";
import { epochOrder } from "../../train/loop.ts";
import { deriveSeed } from "../random.ts";
import { stableJson } from "../npy.ts";
import { fastKernelsInstalled } from "../kernels/install.ts";
import type { LossRecord, TrainData, TrainSettings } from "../train.ts";
import { createGroupAutoencoder, type GroupAutoencoder } from "./group_model.ts";
import { registerGroupKernels } from "./group_kernels_cpu.ts";

/** One model's result: what `train()` would have given it. */
export interface GroupMemberResult {
  /** Trained weights by the single model's names. */
  weights: Record<string, Float32Array>;
  /** Its loss curve. */
  lossCurve: LossRecord[];
}

/** What {@linkcode trainGroup} returns. */
export interface GroupResult {
  /** One entry per member, in the order given. */
  members: GroupMemberResult[];
  /** Wall time of the updates, seconds. */
  seconds: number;
}

/** Options of a group's training. */
export interface GroupOptions {
  /** Called after every update with the step and the number of updates. */
  onProgress?: (step: number, total: number) => void;
  /** Aborting it stops training before the next update. */
  signal?: AbortSignal;
}

/** The regularisers a group can carry, in the order the single model adds them. */
const GROUPED_TERMS = ["weight_decay", "encoder_weight_decay"] as const;

/** What must be equal across members (everything but the seed and the λ of the weight decays). */
function shared(s: TrainSettings) {
  return stableJson({
    config: s.config,
    iterations: s.iterations,
    batchSize: s.batchSize,
    loss: s.loss,
    mode: s.mode ?? "autoencoder",
    adam: s.adam ?? KERAS_ADAM,
    batchDraw: s.batchDraw ?? "epoch",
    logEvery: s.logEvery ?? 100,
  });
}

/**
 * Why these settings cannot train in a group, or null when they can. Members may differ in
 * their seed and in the λ of ψ2 and ψ3 only.
 */
export function groupRefusal(members: readonly TrainSettings[]): string | null {
  if (members.length === 0) return "the group has no member";
  const first = shared(members[0]);
  for (const [i, s] of members.entries()) {
    const r = s.regularisers ?? {};
    const other = (["latentDistance", "denoising", "contractive"] as const)
      .filter((n) => (r[n]?.lambda ?? 0) > 0);
    if (other.length) {
      return `member ${i} uses ${
        other.join(", ")
      }, which trains alone (per-model draws or double backprop are not grouped yet)`;
    }
    if ((s.mode ?? "autoencoder") !== "autoencoder") return `member ${i} is not a full autoencoder`;
    if (s.keepBest) return `member ${i} keeps its best weights, which groups do not do yet`;
    if (s.checkpointDir) return `member ${i} asks for checkpoints, which groups do not write yet`;
    if (shared(s) !== first) {
      return `member ${i} differs from member 0 in more than its seed and the λ of ψ2 and ψ3`;
    }
  }
  return null;
}

/** The λ of each grouped term per member (0 where off), and which terms any member uses. */
function lambdas(members: readonly TrainSettings[]) {
  const of = (s: TrainSettings, t: (typeof GROUPED_TERMS)[number]) => {
    const r = s.regularisers ?? {};
    const l = t === "weight_decay" ? r.weightDecay?.lambda : r.encoderWeightDecay?.lambda;
    return l !== undefined && l > 0 ? l : 0;
  };
  const active = GROUPED_TERMS.filter((t) => members.some((s) => of(s, t) > 0));
  return {
    active,
    values: Object.fromEntries(
      active.map((t) => [t, Float32Array.from(members, (s) => of(s, t))]),
    ) as Record<string, Float32Array>,
    on: (k: number, t: string) => of(members[k], t as (typeof GROUPED_TERMS)[number]) > 0,
  };
}

/**
 * Trains the members together; member k's weights and loss curve are those `train(data,
 * members[k])` gives (same backend, same machine). Throws, naming the member and the reason,
 * when they cannot share a group ({@linkcode groupRefusal}).
 */
export async function trainGroup(
  data: TrainData,
  members: readonly TrainSettings[],
  options: GroupOptions = {},
): Promise<GroupResult> {
  const why = groupRefusal(members);
  if (why) throw new Error(`Cannot train these models together: ${why}; train them alone`);
  if (tf.getBackend() !== "cpu" || !fastKernelsInstalled("cpu")) {
    throw new Error(
      `Cannot train models together on backend "${tf.getBackend()}": grouped kernels exist for the cpu backend with its fast kernels only; train them alone`,
    );
  }
  registerGroupKernels();
  const K = members.length;
  const s0 = members[0];
  const config = s0.config;
  const [H, W, C] = config.inputShape;
  const P = H * W * C;
  const n = data.count;
  const B = Math.min(s0.batchSize, n);
  const T = s0.iterations;
  const draw = s0.batchDraw ?? "epoch";
  const logEvery = Math.max(1, s0.logEvery ?? 100);
  const stepsPerEpoch = draw === "subset" ? 1 : Math.floor(n / B);
  const seeds = members.map((s) => s.seed >>> 0);
  const lam = lambdas(members);

  const model: GroupAutoencoder = await createGroupAutoencoder(
    config,
    seeds.map((seed) => deriveSeed(seed, "init")),
    members.map((s) => s.initialWeights),
  );
  const adam = new Adam(
    model.variables.map((v) => ({ name: v.name, variable: v.variable })),
    s0.adam ?? KERAS_ADAM,
  );
  // Constants made once, as the single model's FusedLosses does: the squared error scaled by
  // 1/B (sum) or 1/(B·P) (mean), its gradient 2·scale·(y − t).
  const scale = s0.loss === "sum" ? 1 / B : 1 / (B * P);
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const scaleT = keep(tf.scalar(scale, "float32"));
  const twoScaleT = keep(tf.scalar(2 * scale, "float32"));
  const twoT = keep(tf.scalar(2, "float32"));
  const imagesT = keep(tf.tensor4d(data.images, [n, H, W, C], "float32"));
  const lamT = Object.fromEntries(
    lam.active.map((t) => [t, keep(tf.tensor1d(lam.values[t], "float32"))]),
  );
  // A [K] vector shaped to broadcast over `like` [K, …], one value per model block.
  const perModel = (t: tf.Tensor, like: tf.Tensor) =>
    tf.reshape(t, [K, ...like.shape.slice(1).map(() => 1)]);

  // Σ over each model's block of (y − t)², times the scale: [K].
  const squaredError = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [y, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const diff = tf.sub(y, t);
    save([diff]);
    const axes = diff.shape.slice(1).map((_, i) => i + 1);
    return {
      value: tf.mul(tf.sum(tf.square(diff), axes), scaleT),
      gradFunc: (dy: tf.Tensor, [d]: tf.Tensor[]) => {
        const g = tf.mul(d, tf.mul(perModel(dy, d), twoScaleT));
        return [g, tf.neg(g)];
      },
    };
  }) as (y: tf.Tensor, t: tf.Tensor) => tf.Tensor;
  // Σ over each model's block of w²: [K].
  const squaredNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([w]);
    const axes = w.shape.slice(1).map((_, i) => i + 1);
    return {
      value: tf.sum(tf.square(w), axes),
      gradFunc: (dy: tf.Tensor, [x]: tf.Tensor[]) => tf.mul(x, tf.mul(perModel(dy, x), twoT)),
    };
  }) as (w: tf.Tensor) => tf.Tensor;
  const kernelNorm = (part?: "encoder") => {
    const parts = model.variables
      .filter((v) => v.role === "kernel" && (part === undefined || v.part === part))
      .map((v) => squaredNorm(v.variable));
    return parts.length === 1 ? parts[0] : tf.addN(parts);
  };

  const curves: LossRecord[][] = members.map(() => []);
  let orders: tf.Tensor2D | null = null;
  let ordersEpoch = -1;
  const t0 = performance.now();
  try {
    for (let t = 0; t < T; t++) {
      options.signal?.throwIfAborted();
      const epoch = Math.floor(t / stepsPerEpoch), position = t % stepsPerEpoch;
      if (ordersEpoch !== epoch) {
        orders?.dispose();
        const per = seeds.map((seed) => epochOrder(seed, epoch, n, B, draw));
        const all = new Int32Array(K * per[0].length);
        per.forEach((o, k) => all.set(o, k * o.length));
        orders = tf.tensor2d(all, [K, per[0].length], "int32");
        ordersEpoch = epoch;
      }
      const logging = t === 0 || (t + 1) % logEvery === 0 || t + 1 === T;
      const kept: Record<string, tf.Tensor> = {};
      tf.tidy(() => {
        const idx = tf.reshape(tf.slice(orders!, [0, position * B], [K, B]), [K * B]);
        const lossFn = (): tf.Scalar => {
          const x = tf.reshape(tf.gather(imagesT, idx), [K, B, H, W, C]);
          const terms: Record<string, tf.Tensor> = {
            data: squaredError(model.decode(model.encode(x)), x),
          };
          if (lam.active.includes("weight_decay")) terms.weight_decay = kernelNorm();
          if (lam.active.includes("encoder_weight_decay")) {
            terms.encoder_weight_decay = kernelNorm("encoder");
          }
          const parts = [terms.data, ...lam.active.map((a) => tf.mul(lamT[a], terms[a]))];
          const totals = parts.length === 1 ? parts[0] : tf.addN(parts);
          if (logging) {
            for (const [name, v] of Object.entries(terms)) kept[name] = tf.keep(v);
            kept.loss = tf.keep(totals);
          }
          return tf.sum(totals) as tf.Scalar;
        };
        adam.minimise(lossFn);
      });
      if (logging) {
        const read: Record<string, Float32Array> = {};
        for (const [name, v] of Object.entries(kept)) read[name] = (await v.data()) as Float32Array;
        for (const v of new Set(Object.values(kept))) v.dispose();
        for (let k = 0; k < K; k++) {
          const terms: Record<string, number> = { data: read.data[k] };
          for (const a of lam.active) if (lam.on(k, a)) terms[a] = read[a][k];
          curves[k].push({ step: t + 1, loss: read.loss[k], terms });
        }
      }
      options.onProgress?.(t + 1, T);
    }
    const seconds = (performance.now() - t0) / 1000;
    const out: GroupMemberResult[] = [];
    for (let k = 0; k < K; k++) {
      out.push({ weights: await model.readModel(k), lossCurve: curves[k] });
    }
    return { members: out, seconds };
  } finally {
    orders?.dispose();
    for (const t of owned) t.dispose();
    adam.dispose();
    model.dispose();
  }
}
