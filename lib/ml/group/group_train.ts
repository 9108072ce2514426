/**
 * Training K disk autoencoders of one architecture together: one update steps every model,
 * each with its own seed (initial weights, batch order), its own regulariser weights and its
 * own Adam state, on one dataset.
 *
 * The claim this module is built on, and tested against: on the cpu backend **model k ends
 * with the bytes `train()` gives it alone**, and records the same loss curve; on the webgpu
 * backend, whose grouped convolutions are our own shaders rather than tfjs's, model k ends
 * with the same bytes in a group of any size (a group of one included). That holds because
 * every value of model k is computed by the same code on model k's values only (see
 * `group_kernels_cpu.ts` and `group_kernels_webgpu.ts`):
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
 * - per-model draws (ψ1's neighbour picks, the denoising noise) come from model k's own
 *   generators, `rng(seed_k, "neighbours", epoch)` and `rng(seed_k, "noise", t)`, as alone.
 *
 * Checkpoints are the single model's, one directory per member (`checkpointDir`): member k
 * writes what `train()` would write at the same update (weights, Adam state, loss curve, kept
 * weights, fingerprint), so a training interrupted in a group resumes alone or in another group,
 * and one interrupted alone resumes in a group. Members resuming from different updates train
 * as one group per update, one group after the other.
 *
 * Scope (cpu or webgpu backend, fast kernels installed): full autoencoders, the data term with
 * ψ1, ψ2, ψ3 and the denoising term, epoch or subset batches, `keepBest` (each member keeps the
 * weights of its own lowest candidate loss, as alone), members of different lengths (each
 * result taken at its own last update), checkpoints. The contractive term (a double backprop
 * through the encoder) is refused with a line saying so: it trains alone.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { Adam, KERAS_ADAM } from "../adam.ts";
import {
  epochOrder,
  type KeptUpdate,
  loadResume,
  type Resume,
  saveResume,
} from "../../train/loop.ts";
import { throwIfDeviceFailed } from "../backend.ts";
import type { HostTensor } from "../weights_io.ts";
import { createRng, deriveSeed } from "../random.ts";
import { nearestNeighbours } from "../regularisers.ts";
import { stableJson } from "../npy.ts";
import { fastKernelsInstalled } from "../kernels/install.ts";
import { valuesForThreads } from "../kernels/cpu_threads.ts";
import {
  type LossRecord,
  type TrainData,
  trainingFingerprint,
  type TrainSettings,
} from "../train.ts";
import { createGroupAutoencoder, type GroupAutoencoder } from "./group_model.ts";
import { groupScale } from "./group_ops.ts";
import { GROUP_CPU_KERNELS, registerKernelsOnce } from "./group_kernels_cpu.ts";
import { GROUP_WEBGPU_KERNELS } from "./group_kernels_webgpu.ts";

/** One model's result: what `train()` would have given it. */
export interface GroupMemberResult {
  /** Trained weights by the single model's names (with `keepBest`: the kept ones). */
  weights: Record<string, Float32Array>;
  /** Its loss curve. */
  lossCurve: LossRecord[];
  /** With `keepBest`: the update whose weights it ends with, as `train()` reports it; else null. */
  kept: KeptUpdate | null;
  /** The update its checkpoint resumed from, or null. */
  resumedFrom: number | null;
  /** Updates it ran in this call. */
  stepsRun: number;
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
  /**
   * Called after every update with the step, the number of updates of the group, and, per
   * member, its latest recorded values (cheap: no read-back).
   */
  onProgress?: (step: number, total: number, values: Record<string, number>[]) => void;
  /** Log lines of member k (resuming, checkpoints, the kept weights), as its training alone writes them. */
  onLog?: (member: number, message: string) => void;
  /** Aborting it stops training before the next update. */
  signal?: AbortSignal;
}

/** The regularisers a group can carry, in the order the single model adds them to its total. */
const GROUPED_TERMS = [
  "latent_distance",
  "weight_decay",
  "encoder_weight_decay",
  "denoising",
] as const;
type GroupedTerm = (typeof GROUPED_TERMS)[number];

/**
 * What must be equal across the members of a group: all but the seed, the regularisers and
 * the number of updates (canonical JSON). Stages use it as their group key.
 */
export function groupCompatibility(s: TrainSettings): string {
  return stableJson({
    config: s.config,
    batchSize: s.batchSize,
    loss: s.loss,
    mode: s.mode ?? "autoencoder",
    adam: s.adam ?? KERAS_ADAM,
    batchDraw: s.batchDraw ?? "epoch",
    logEvery: s.logEvery ?? 100,
    keepBest: s.keepBest ?? 0,
    checkpointEvery: s.checkpointEvery ?? 0,
  });
}

/** Why one training cannot be in any group (a phrase after "member i"), or null. */
export function aloneReason(s: TrainSettings): string | null {
  if ((s.regularisers?.contractive?.lambda ?? 0) > 0) {
    return "uses the contractive term, which trains alone (its double backprop is not grouped yet)";
  }
  if (
    (s.mode ?? "autoencoder") !== "autoencoder" || !s.config.encoderDepths ||
    !s.config.decoderDepths
  ) {
    return "is not a full autoencoder";
  }
  return null;
}

/**
 * Why these settings cannot train in a group, or null when they can. Members may differ in
 * their seed, their regularisers (ψ1, ψ2, ψ3, denoising: which are on, λ, k, σ) and their
 * number of updates only.
 */
export function groupRefusal(members: readonly TrainSettings[]): string | null {
  if (members.length === 0) return "the group has no member";
  const first = groupCompatibility(members[0]);
  for (const [i, s] of members.entries()) {
    const why = aloneReason(s);
    if (why) return `member ${i} ${why}`;
    if (groupCompatibility(s) !== first) {
      return `member ${i} differs from member 0 in more than its seed, regularisers and number of updates`;
    }
  }
  return null;
}

/** The λ of each grouped term per member (0 where off), and which terms any member uses. */
function lambdas(members: readonly TrainSettings[]) {
  const of = (s: TrainSettings, t: GroupedTerm) => {
    const r = s.regularisers ?? {};
    const l = {
      latent_distance: r.latentDistance?.lambda,
      weight_decay: r.weightDecay?.lambda,
      encoder_weight_decay: r.encoderWeightDecay?.lambda,
      denoising: r.denoising?.lambda,
    }[t];
    return l !== undefined && l > 0 ? l : 0;
  };
  const active = GROUPED_TERMS.filter((t) => members.some((s) => of(s, t) > 0));
  return {
    active,
    values: Object.fromEntries(
      active.map((t) => [t, Float32Array.from(members, (s) => of(s, t))]),
    ) as Record<string, Float32Array>,
    on: (k: number, t: GroupedTerm) => of(members[k], t) > 0,
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
  // Each member's newest checkpoint that matches its settings and data, as `train()` finds it.
  const fingerprints = await Promise.all(
    members.map((s) => s.checkpointDir ? trainingFingerprint(data, s) : Promise.resolve("")),
  );
  const resumes: (Resume<LossRecord> | null)[] = [];
  for (const [k, s] of members.entries()) {
    const found = s.checkpointDir
      ? await loadResume<LossRecord>(s.checkpointDir, fingerprints[k], (m) => options.onLog?.(k, m))
      : null;
    resumes.push(found && found.step <= s.iterations ? found : null);
  }
  const starts = resumes.map((c) => c?.step ?? 0);
  const distinct = [...new Set(starts)].sort((a, b) => a - b);
  if (distinct.length === 1) return await trainFrom(data, members, resumes, fingerprints, options);
  // One group per resume step: a group steps all its models together from one update.
  const out: GroupMemberResult[] = new Array(members.length);
  let seconds = 0;
  for (const start of distinct) {
    const ks = members.map((_, k) => k).filter((k) => starts[k] === start);
    const part = await trainFrom(
      data,
      ks.map((k) => members[k]),
      ks.map((k) => resumes[k]),
      ks.map((k) => fingerprints[k]),
      {
        ...options,
        onLog: options.onLog && ((i, m) => options.onLog!(ks[i], m)),
        onProgress: options.onProgress &&
          ((step, total, values) => {
            const all: Record<string, number>[] = members.map(() => ({}));
            ks.forEach((k, i) => all[k] = values[i]);
            options.onProgress!(step, total, all);
          }),
      },
    );
    ks.forEach((k, i) => out[k] = part.members[i]);
    seconds += part.seconds;
  }
  return { members: out, seconds };
}

/** Trains members that all start at the same update (0, or their checkpoints'). */
async function trainFrom(
  data: TrainData,
  members: readonly TrainSettings[],
  resumes: readonly (Resume<LossRecord> | null)[],
  fingerprints: readonly string[],
  options: GroupOptions,
): Promise<GroupResult> {
  const P0 = members[0].config.inputShape.reduce((a, b) => a * b, 1);
  if (data.count < 1 || data.images.length !== data.count * P0) {
    throw new Error(
      `Cannot train: images hold ${data.images.length} values, expected count × ${P0} = ${
        data.count * P0
      }; fix the settings`,
    );
  }
  const backend = tf.getBackend();
  if ((backend !== "cpu" && backend !== "webgpu") || !fastKernelsInstalled(backend)) {
    throw new Error(
      `Cannot train models together on backend "${backend}": grouped kernels exist for the cpu and webgpu backends with their fast kernels; train them alone`,
    );
  }
  if (backend === "cpu") registerKernelsOnce(GROUP_CPU_KERNELS);
  else registerKernelsOnce(GROUP_WEBGPU_KERNELS);
  const K = members.length;
  const s0 = members[0];
  const config = s0.config;
  const [H, W, C] = config.inputShape;
  const P = H * W * C;
  const n = data.count;
  const B = Math.min(s0.batchSize, n);
  // Members may stop at different updates: the group runs to the longest; a member's result is
  // taken at its own last update, and what the group does to its block afterwards is unused.
  const iterations = members.map((s) => s.iterations);
  const T = Math.max(...iterations);
  const draw = s0.batchDraw ?? "epoch";
  const logEvery = Math.max(1, s0.logEvery ?? 100);
  const stepsPerEpoch = draw === "subset" ? 1 : Math.floor(n / B);
  const seeds = members.map((s) => s.seed >>> 0);
  const lam = lambdas(members);

  const start = resumes[0]?.step ?? 0;
  const asMap = (ts: readonly HostTensor[]) => Object.fromEntries(ts.map((t) => [t.name, t.data]));
  const model: GroupAutoencoder = await createGroupAutoencoder(
    config,
    seeds.map((seed) => deriveSeed(seed, "init")),
    members.map((s, k) => resumes[k] ? asMap(resumes[k]!.weights) : s.initialWeights),
  );
  const adam = new Adam(
    model.variables.map((v) => ({ name: v.name, variable: v.variable })),
    s0.adam ?? KERAS_ADAM,
  );
  if (start > 0) {
    // Adam's moments stacked member after member, as the variables are; β powers are one per
    // update count, the same for every member that resumes at this update.
    const states = resumes.map((c) => asMap(c!.optimizer));
    const stacked: Record<string, Float32Array> = {
      beta1_power: states[0].beta1_power,
      beta2_power: states[0].beta2_power,
    };
    for (const v of model.variables) {
      for (const which of ["m", "v"]) {
        const name = `${which}/${v.name}`;
        const per = v.variable.size / K;
        const all = new Float32Array(v.variable.size);
        states.forEach((st, k) => {
          if (st[name]?.length !== per) {
            throw new Error(
              `Cannot resume member ${k} of a group: its checkpoint's Adam state "${name}" is missing or of the wrong size`,
            );
          }
          all.set(st[name], k * per);
        });
        stacked[name] = all;
      }
    }
    adam.writeState(stacked);
  }
  for (const [k, c] of resumes.entries()) {
    if (members[k].checkpointDir) {
      options.onLog?.(k, c ? `resumed from checkpoint at step ${start}` : "started from scratch");
    }
  }
  // Constants made once, as the single model's FusedLosses does: the squared error scaled by
  // 1/B (sum) or 1/(B·P) (mean), its gradient 2·scale·(y − t).
  const scale = s0.loss === "sum" ? 1 / B : 1 / (B * P);
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const scaleT = keep(tf.scalar(scale, "float32"));
  const twoScaleT = keep(tf.scalar(2 * scale, "float32"));
  const twoT = keep(tf.scalar(2, "float32"));
  // In shared memory when the cpu kernels run on several threads (see ../train.ts).
  const imagesT = keep(tf.tensor4d(valuesForThreads(data.images), [n, H, W, C], "float32"));
  const lamT = Object.fromEntries(
    lam.active.map((t) => [t, keep(tf.tensor1d(lam.values[t], "float32"))]),
  );
  // ψ1: each member's k nearest neighbours by key (the single model's table), and the
  // constants of its fused loss (1/B, 2/B, 4/B).
  const tables = members.map((s) => {
    const r = s.regularisers?.latentDistance;
    if (!r || !(r.lambda > 0)) return null;
    if (!data.keys || data.keys.length !== n) {
      throw new Error(`Cannot train: ψ1 needs one key (radius) per example; fix the settings`);
    }
    const kk = Math.min(r.neighbours ?? 5, n - 1);
    return { kk, table: nearestNeighbours(data.keys, kk) };
  });
  const invBatchT = keep(tf.scalar(1 / B, "float32"));
  const twoInvBatchT = keep(tf.scalar(2 / B, "float32"));
  const fourInvBatchT = keep(tf.scalar(4 / B, "float32"));
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
        const g = groupScale(d, tf.mul(dy, twoScaleT));
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
      gradFunc: (dy: tf.Tensor, [x]: tf.Tensor[]) => groupScale(x, tf.mul(dy, twoT)),
    };
  }) as (w: tf.Tensor) => tf.Tensor;
  // ψ1 per model: (1/B) Σ_b (dx_b − ‖z_b − z'_b‖²)², dx [K,B], codes [K,B,d]: [K].
  const latentDistance = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [dx, z, zn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const dzv = tf.sub(z, zn);
    const r = tf.sub(dx, tf.sum(tf.square(dzv), 2));
    save([r, dzv]);
    return {
      value: tf.mul(tf.sum(tf.square(r), 1), invBatchT),
      gradFunc: (dy: tf.Tensor, [res, dz]: tf.Tensor[]) => {
        const d = perModel(dy, res);
        const gz = tf.mul(tf.neg(tf.expandDims(tf.mul(res, tf.mul(d, fourInvBatchT)), 2)), dz);
        return [tf.mul(res, tf.mul(d, twoInvBatchT)), gz, tf.neg(gz)];
      },
    };
  }) as (dx: tf.Tensor, z: tf.Tensor, zn: tf.Tensor) => tf.Tensor;
  const kernelNorm = (part?: "encoder") => {
    const parts = model.variables
      .filter((v) => v.role === "kernel" && (part === undefined || v.part === part))
      .map((v) => squaredNorm(v.variable));
    return parts.length === 1 ? parts[0] : tf.addN(parts);
  };

  const curves: LossRecord[][] = members.map((_, k) => resumes[k]?.lossCurve ?? []);
  const done: (GroupMemberResult | null)[] = members.map(() => null);
  const keepEvery = s0.keepBest ?? 0;
  const kept: ({ update: KeptUpdate; weights: Record<string, Float32Array> } | null)[] = members
    .map((_, k) => {
      const c = resumes[k]?.kept;
      return c ? { update: c.update, weights: asMap(c.weights) } : null;
    });
  const progressOf = (r: LossRecord | undefined) => r ? { loss: r.loss, ...r.terms } : {};
  const latest = curves.map((c) => progressOf(c.at(-1)));
  const checkpointEvery = s0.checkpointEvery ?? 0;
  const shapes = new Map(model.variables.map((v) => [v.name, v.variable.shape.slice(1)]));
  /** Member k's checkpoint after update `step`: what `train()` alone saves there. */
  const checkpoint = async (
    k: number,
    step: number,
    variables: Record<string, Float32Array>,
    optimizer: Record<string, Float32Array>,
  ) => {
    const s = members[k];
    const slice = (all: Float32Array) =>
      all.slice(k * (all.length / K), (k + 1) * (all.length / K));
    const tensor = (name: string, data: Float32Array): HostTensor => ({
      name,
      shape: shapes.get(name)!,
      data,
    });
    const opt: HostTensor[] = [];
    for (const v of model.variables) {
      for (const which of ["m", "v"]) {
        const data = slice(optimizer[`${which}/${v.name}`]);
        opt.push({ name: `${which}/${v.name}`, shape: [data.length], data });
      }
    }
    for (const b of ["beta1_power", "beta2_power"]) {
      opt.push({ name: b, shape: [optimizer[b].length], data: optimizer[b] });
    }
    const keptK = kept[k];
    await saveResume(
      s.checkpointDir!,
      {
        step,
        seed: s.seed >>> 0,
        fingerprint: fingerprints[k],
        lossCurve: curves[k],
        kept: keptK
          ? {
            update: keptK.update,
            weights: model.variables.map((v) => tensor(v.name, keptK.weights[v.name])),
          }
          : null,
      },
      {
        weights: model.variables.map((v) => tensor(v.name, slice(variables[v.name]))),
        optimizer: opt,
        weightsExtra: { config: s.config },
      },
    );
    options.onLog?.(k, `checkpoint at step ${step}`);
  };
  let orders: tf.Tensor2D | null = null;
  let neighbours: tf.Tensor2D | null = null;
  let ordersEpoch = -1;
  const t0 = performance.now();
  try {
    for (let t = start; t < T; t++) {
      options.signal?.throwIfAborted();
      const epoch = Math.floor(t / stepsPerEpoch), position = t % stepsPerEpoch;
      if (ordersEpoch !== epoch) {
        orders?.dispose();
        const per = seeds.map((seed) => epochOrder(seed, epoch, n, B, draw));
        const all = new Int32Array(K * per[0].length);
        per.forEach((o, k) => all.set(o, k * o.length));
        orders = tf.tensor2d(all, [K, per[0].length], "int32");
        if (lam.active.includes("latent_distance")) {
          // Model k's picks as alone; a model without ψ1 is its own neighbour (a term of 0,
          // weighted by λ = 0).
          neighbours?.dispose();
          const nb = new Int32Array(all.length);
          per.forEach((used, k) => {
            const tk = tables[k];
            const pick = tk ? createRng(deriveSeed(seeds[k], "neighbours", epoch)) : null;
            for (let i = 0; i < used.length; i++) {
              nb[k * used.length + i] = tk
                ? tk.table[used[i] * tk.kk + Math.floor(pick!.next() * tk.kk)]
                : used[i];
            }
          });
          neighbours = tf.tensor2d(nb, [K, per[0].length], "int32");
        }
        ordersEpoch = epoch;
      }
      let noise: tf.Tensor | null = null;
      if (lam.active.includes("denoising")) {
        // Model k's noise for update t as alone; zero for a model without the term.
        const values = new Float32Array(K * B * P);
        members.forEach((s, k) => {
          const d = s.regularisers?.denoising;
          if (!d || !(d.lambda > 0)) return;
          const g = createRng(deriveSeed(seeds[k], "noise", t));
          for (let i = k * B * P; i < (k + 1) * B * P; i++) values[i] = d.sigma * g.normal();
        });
        noise = tf.tensor(values, [K, B, H, W, C], "float32");
      }
      // Candidates for the kept weights are read back too, as the single-model loop does.
      const candidate = keepEvery > 0 && t % keepEvery === 0;
      const logs = (k: number) =>
        t < iterations[k] &&
        (t === 0 || (t + 1) % logEvery === 0 || t + 1 === iterations[k] || candidate);
      const logging = members.some((_, k) => logs(k));
      const logged: Record<string, tf.Tensor> = {};
      tf.tidy(() => {
        const idx = tf.reshape(tf.slice(orders!, [0, position * B], [K, B]), [K * B]);
        const lossFn = (): tf.Scalar => {
          // The terms in the single model's order: the order in which tfjs adds a weight's
          // gradients from several terms follows it.
          const x = tf.reshape(tf.gather(imagesT, idx), [K, B, H, W, C]);
          const z = model.encode(x);
          const terms: Record<string, tf.Tensor> = { data: squaredError(model.decode(z), x) };
          if (lam.active.includes("latent_distance")) {
            const nidx = tf.reshape(tf.slice(neighbours!, [0, position * B], [K, B]), [K * B]);
            const xn = tf.reshape(tf.gather(imagesT, nidx), [K, B, H, W, C]);
            const diff = tf.sub(x, xn);
            const dx = tf.sum(tf.square(tf.reshape(diff, [K, B, -1])), 2);
            terms.latent_distance = latentDistance(dx, z, model.encode(xn));
          }
          if (lam.active.includes("weight_decay")) terms.weight_decay = kernelNorm();
          if (lam.active.includes("encoder_weight_decay")) {
            terms.encoder_weight_decay = kernelNorm("encoder");
          }
          if (lam.active.includes("denoising")) {
            terms.denoising = squaredError(model.decode(model.encode(tf.add(x, noise!))), x);
          }
          const parts = [terms.data, ...lam.active.map((a) => tf.mul(lamT[a], terms[a]))];
          const totals = parts.length === 1 ? parts[0] : tf.addN(parts);
          if (logging) {
            for (const [name, v] of Object.entries(terms)) logged[name] = tf.keep(v);
            logged.loss = tf.keep(totals);
          }
          return tf.sum(totals) as tf.Scalar;
        };
        adam.minimise(lossFn);
      });
      noise?.dispose();
      if (logging) {
        const read: Record<string, Float32Array> = {};
        for (const [name, v] of Object.entries(logged)) {
          read[name] = (await v.data()) as Float32Array;
        }
        for (const v of new Set(Object.values(logged))) v.dispose();
        throwIfDeviceFailed();
        for (let k = 0; k < K; k++) {
          if (!logs(k)) continue;
          const terms: Record<string, number> = { data: read.data[k] };
          for (const a of lam.active) if (lam.on(k, a)) terms[a] = read[a][k];
          curves[k].push({ step: t + 1, loss: read.loss[k], terms });
          latest[k] = progressOf(curves[k].at(-1));
          // Strictly lower, as alone: the first of equal losses stays.
          if (candidate && !(read.loss[k] >= (kept[k]?.update.loss ?? Infinity))) {
            kept[k] = {
              update: { step: t + 1, loss: read.loss[k] },
              weights: await model.readModel(k),
            };
          }
        }
      }
      for (let k = 0; k < K; k++) {
        if (t + 1 === iterations[k]) {
          if (kept[k]) {
            options.onLog?.(
              k,
              `kept the weights after step ${kept[k]!.update.step} (batch loss ${
                kept[k]!.update.loss
              })`,
            );
          }
          done[k] = {
            weights: kept[k]?.weights ?? await model.readModel(k),
            lossCurve: curves[k],
            kept: kept[k]?.update ?? null,
            resumedFrom: resumes[k] ? start : null,
            stepsRun: iterations[k] - start,
          };
        }
      }
      options.onProgress?.(t + 1, T, latest);
      // As alone: every `checkpointEvery` updates, never after a member's last.
      const saving = checkpointEvery > 0 && (t + 1) % checkpointEvery === 0
        ? members.map((_, k) => k).filter((k) => members[k].checkpointDir && t + 1 < iterations[k])
        : [];
      if (saving.length > 0) {
        // Every model's variables and Adam state read back once, then cut per member.
        const variables: Record<string, Float32Array> = {};
        for (const v of model.variables) {
          variables[v.name] = (await v.variable.data()) as Float32Array;
        }
        const optimizer = await adam.readState();
        for (const k of saving) await checkpoint(k, t + 1, variables, optimizer);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    await model.variables[0].variable.data();
    throwIfDeviceFailed();
    // A member of 0 updates ends where it started.
    const out: GroupMemberResult[] = [];
    for (let k = 0; k < K; k++) {
      out.push(
        done[k] ?? {
          weights: await model.readModel(k),
          lossCurve: [],
          kept: null,
          resumedFrom: null,
          stepsRun: 0,
        },
      );
    }
    return { members: out, seconds };
  } finally {
    orders?.dispose();
    neighbours?.dispose();
    for (const t of owned) t.dispose();
    adam.dispose();
    model.dispose();
  }
}
