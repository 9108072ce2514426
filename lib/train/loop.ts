/**
 * The training engine's loop: the one resumable loop every model family trains through.
 *
 * It owns what does not depend on the model:
 * - the batch order: epoch e uses `permutation(n, rng(seed, "order", e))`, whose first
 *   ⌊n/B⌋·B entries are cut into ⌊n/B⌋ batches (the remainder differs every epoch and is
 *   dropped for that one); update t is batch t mod ⌊n/B⌋ of epoch ⌊t / ⌊n/B⌋⌋. With
 *   `batchDraw: "subset"` (the authors' code: a fresh shuffle, then its first B, at every
 *   update) every update is an epoch of its own, whose order is the first B entries of
 *   `permutation(n, rng(seed, "order", t))`;
 * - with `keepBest: K` (the authors' code keeps the weights of the lowest batch loss seen at
 *   every 500th update), the weights after update t for t ≡ 0 (mod K), when that update's
 *   batch loss (the family's `loss`, before the update) is the lowest seen so far; the
 *   training ends with those weights, and checkpoints carry them;
 * - resuming from the newest checkpoint whose fingerprint matches, and saving checkpoints
 *   (with their checksums, `checkpoint.ts`) every `checkpointEvery` updates;
 * - the logging cadence: values are read back on the first update, every `logEvery`-th and the
 *   last, never otherwise (a read-back stalls the device: ≥ 10 ms on WebGPU);
 * - the device-error check after every read-back and after the last update;
 * - progress after every update and abort on the caller's signal before the next one.
 *
 * A family (the disk autoencoder with its regularisers, the PCA-like autoencoder's progressive
 * step, the DCGAN's alternating updates) supplies only its models and its update, as a
 * {@linkcode TrainingFamily}. Every draw a family makes is a pure function of (seed, purpose,
 * epoch or update), so a resumed run draws exactly what an uninterrupted one draws and reaches
 * the same final weights bit for bit (same backend, same machine).
 *
 * @module
 */
import { throwIfDeviceFailed } from "../ml/backend.ts";
import { createRng, deriveSeed, permutation } from "../ml/random.ts";
import type { HostTensor } from "../ml/weights_io.ts";
import { loadLatestCheckpoint, saveCheckpoint } from "./checkpoint.ts";

/** A value kept from an update for read-back: a tfjs scalar, or anything with `data()`. */
export interface KeptValue {
  /** Reads the value back (one number first). */
  data(): Promise<ArrayLike<number>>;
  /** Frees it. */
  dispose(): void;
}

/** Where the engine is in the training when it asks a family for one update. */
export interface UpdateSlot<E> {
  /** 0-based update number t. */
  step: number;
  /** Epoch ⌊t / ⌊n/B⌋⌋. */
  epoch: number;
  /** Batch index within the epoch: this update's examples are `order[position·B, (position+1)·B)`. */
  position: number;
  /** The epoch's data, as the family made it from the epoch's batch order. */
  data: E;
  /** True when the engine reads this update's values back: return them, kept. */
  logging: boolean;
}

/** What a family hands to a checkpoint, and takes back on resume. */
export interface FamilyState {
  /** Model variables, by stable name. */
  weights: HostTensor[];
  /** Optimiser state, by stable name. */
  optimizer: HostTensor[];
  /** Extra header fields of the weights file (the configuration, for reading it alone). */
  weightsExtra: Record<string, unknown>;
}

/**
 * One model family's part of a training. `E` is what the family keeps per epoch (its batch
 * order on the device, per-epoch draws); `R` is one record of its loss curve.
 */
export interface TrainingFamily<E, R> {
  /** Makes the epoch's data from its batch order (the ⌊n/B⌋·B entries used). */
  epochData(epoch: number, order: Int32Array): E;
  /** Frees an epoch's data. */
  disposeEpochData(data: E): void;
  /**
   * Runs one update. When `slot.logging`, returns the values to record, kept (the engine
   * reads and disposes them; one value may appear under two names); otherwise `null`. A
   * family that must wait (a host-side model, a test's slow update) returns a promise.
   */
  update(
    slot: UpdateSlot<E>,
  ): Record<string, KeptValue> | null | Promise<Record<string, KeptValue> | null>;
  /** The loss-curve record of update `step` (1-based) from the values read back. */
  record(step: number, values: Record<string, number>): R;
  /** The numbers a progress line shows for a record. */
  progressValues(record: R): Record<string, number>;
  /** Reads the models and optimisers back for a checkpoint. */
  saveState(): Promise<FamilyState>;
  /** Restores models and optimisers from a checkpoint. */
  loadState(weights: HostTensor[], optimizer: HostTensor[]): void;
  /** Waits until the last update has run (a read-back), so that device errors surface. */
  settle(): Promise<void>;
}

/** Settings of the loop. */
export interface LoopSettings {
  /** The seed the batch order derives from (the training's one seed). */
  seed: number;
  /** Number of examples n. */
  count: number;
  /** Batch size B (already clamped to n). */
  batchSize: number;
  /** Number of updates. */
  iterations: number;
  /** Read values back every this many updates (plus the first and the last). */
  logEvery: number;
  /** Save a checkpoint every this many updates (never when absent). */
  checkpointEvery?: number;
  /** Where checkpoints live; resuming happens when it holds a matching one. */
  checkpointDir?: string;
  /** Fingerprint of settings and data: a checkpoint is resumed only when it matches. */
  fingerprint?: () => Promise<string>;
  /** `epoch` (default): permutations cut into batches; `subset`: a fresh random subset per update. */
  batchDraw?: BatchDraw;
  /** Keep the weights of the lowest batch loss among updates t ≡ 0 (mod this); 0 or absent: the last. */
  keepBest?: number;
  /** What one update is called in log lines (`step`, or `iteration` for the DCGAN). */
  unit?: string;
  /** Called after every update with the latest recorded values (cheap: no read-back). */
  onProgress?: (step: number, total: number, values: Record<string, number>) => void;
  /** Log lines (resuming, checkpoints). */
  onLog?: (message: string) => void;
  /** Aborting it stops training before the next update (as an interruption would). */
  signal?: AbortSignal;
}

/** How batches are drawn: from per-epoch permutations, or a fresh subset at every update. */
export type BatchDraw = "epoch" | "subset";

/** The update whose weights a `keepBest` training ended with. */
export interface KeptUpdate {
  /** 1-based update number (its weights are those after it). */
  step: number;
  /** Its batch loss, before the update. */
  loss: number;
}

/** What {@linkcode runTraining} returns. */
export interface LoopResult<R> {
  /** With `keepBest`: the update whose weights the training ended with; else null. */
  kept: KeptUpdate | null;
  /** Loss records, including those before a resume. */
  lossCurve: R[];
  /** Update of the checkpoint resumed from, or null. */
  resumedFrom: number | null;
  /** Updates run by this call. */
  stepsRun: number;
  /** Wall time of the updates of this call, seconds. */
  seconds: number;
}

/**
 * The batch order of one epoch: the ⌊n/B⌋·B entries of its permutation that are used (with
 * `subset`, an epoch is one update and uses the first B).
 */
export function epochOrder(
  seed: number,
  epoch: number,
  count: number,
  batch: number,
  draw: BatchDraw = "epoch",
): Int32Array {
  const perm = permutation(count, createRng(deriveSeed(seed >>> 0, "order", epoch)));
  return perm.subarray(0, draw === "subset" ? batch : Math.floor(count / batch) * batch);
}

/** Checkpoint names of the kept weights: the model's names under this prefix. */
const KEPT_PREFIX = "kept/";

/** A training's checkpoint, as a training resumes from it. */
export interface Resume<R> {
  /** Updates done. */
  step: number;
  /** Loss records so far. */
  lossCurve: R[];
  /** Model variables. */
  weights: HostTensor[];
  /** Optimiser state (the kept weights apart). */
  optimizer: HostTensor[];
  /** With `keepBest`: the weights kept so far and their update. */
  kept: { update: KeptUpdate; weights: HostTensor[] } | null;
}

/**
 * The newest checkpoint in `dir` whose fingerprint matches (damaged ones are set aside and
 * told to `onLog`), or null. Every training, alone (`runTraining`) or in a group, resumes
 * through this.
 */
export async function loadResume<R>(
  dir: string,
  fingerprint: string,
  onLog?: (message: string) => void,
): Promise<Resume<R> | null> {
  const ckpt = await loadLatestCheckpoint(dir, fingerprint, onLog);
  if (!ckpt) return null;
  const kept = ckpt.state.kept
    ? {
      update: ckpt.state.kept,
      weights: ckpt.optimizer.filter((t) => t.name.startsWith(KEPT_PREFIX))
        .map((t) => ({ ...t, name: t.name.slice(KEPT_PREFIX.length) })),
    }
    : null;
  return {
    step: ckpt.state.step,
    lossCurve: ckpt.state.lossCurve as R[],
    weights: ckpt.weights,
    optimizer: ckpt.optimizer.filter((t) => !t.name.startsWith(KEPT_PREFIX)),
    kept,
  };
}

/**
 * Saves a training's checkpoint after update `step` (see {@linkcode loadResume}): the family's
 * state, the loss curve and, with `keepBest`, the kept weights, which ride with the optimiser's
 * tensors under their own prefix.
 */
export async function saveResume<R>(
  dir: string,
  at: {
    step: number;
    seed: number;
    fingerprint: string;
    lossCurve: R[];
    kept: { update: KeptUpdate; weights: HostTensor[] } | null;
  },
  state: FamilyState,
): Promise<void> {
  const keptTensors = (at.kept?.weights ?? []).map((w) => ({ ...w, name: KEPT_PREFIX + w.name }));
  await saveCheckpoint(dir, {
    state: {
      step: at.step,
      seed: at.seed,
      fingerprint: at.fingerprint,
      lossCurve: at.lossCurve,
      ...(at.kept ? { kept: at.kept.update } : {}),
    },
    ...state,
    optimizer: [...state.optimizer, ...keptTensors],
  });
}

/**
 * A fingerprint of settings and data (SHA-256, hex) over length-prefixed parts, so that no two
 * different lists of parts hash alike.
 */
export async function fingerprintOf(parts: (string | ArrayBufferView)[]): Promise<string> {
  const chunks = parts.map((p) =>
    typeof p === "string"
      ? new TextEncoder().encode(p)
      : new Uint8Array(p.buffer, p.byteOffset, p.byteLength)
  );
  const total = new Uint8Array(chunks.reduce((a, c) => a + c.length + 8, 0));
  let at = 0;
  for (const c of chunks) {
    new DataView(total.buffer).setFloat64(at, c.length, true);
    total.set(c, at + 8);
    at += c.length + 8;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", total));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function checkLoop(s: LoopSettings): void {
  const fail = (why: string): never => {
    throw new Error(`Cannot train: ${why}; fix the settings`);
  };
  if (!(Number.isInteger(s.iterations) && s.iterations >= 0)) {
    fail(`iterations must be a non-negative integer`);
  }
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 1 && s.batchSize <= s.count)) {
    fail(`the batch size must be an integer in [1, ${s.count}] (the number of examples)`);
  }
  if (s.batchDraw !== undefined && s.batchDraw !== "epoch" && s.batchDraw !== "subset") {
    fail(`batchDraw must be "epoch" or "subset"`);
  }
  if (s.keepBest !== undefined && !(Number.isInteger(s.keepBest) && s.keepBest >= 0)) {
    fail(`keepBest must be a non-negative integer`);
  }
}

/**
 * Runs a family's training from scratch, or from the newest matching checkpoint in
 * `settings.checkpointDir`. The family's models hold the trained weights afterwards; the
 * epoch data is freed whatever happens.
 */
export async function runTraining<E, R>(
  family: TrainingFamily<E, R>,
  settings: LoopSettings,
): Promise<LoopResult<R>> {
  checkLoop(settings);
  const s = settings;
  const seed = s.seed >>> 0;
  const T = s.iterations, B = s.batchSize;
  const draw = s.batchDraw ?? "epoch";
  const stepsPerEpoch = draw === "subset" ? 1 : Math.floor(s.count / B);
  const logEvery = Math.max(1, s.logEvery);
  const keepEvery = s.keepBest ?? 0;
  // The kept weights and their update, when keepBest is on.
  let kept: { update: KeptUpdate; weights: HostTensor[] } | null = null;
  const unit = s.unit ?? "step";
  let epochData = null as { epoch: number; data: E } | null;
  try {
    let lossCurve: R[] = [];
    let start = 0;
    let resumedFrom: number | null = null;
    const fingerprint = s.checkpointDir && s.fingerprint ? await s.fingerprint() : "";
    if (s.checkpointDir) {
      const ckpt = await loadResume<R>(s.checkpointDir, fingerprint, s.onLog);
      if (ckpt && ckpt.step <= T) {
        family.loadState(ckpt.weights, ckpt.optimizer);
        kept = ckpt.kept;
        start = resumedFrom = ckpt.step;
        lossCurve = ckpt.lossCurve;
        s.onLog?.(`resumed from checkpoint at ${unit} ${start}`);
      }
      if (resumedFrom === null) s.onLog?.("started from scratch");
    }
    let lastValues: Record<string, number> = lossCurve.length > 0
      ? family.progressValues(lossCurve[lossCurve.length - 1])
      : {};
    const t0 = performance.now();
    for (let t = start; t < T; t++) {
      s.signal?.throwIfAborted();
      const epoch = Math.floor(t / stepsPerEpoch), position = t % stepsPerEpoch;
      if (epochData?.epoch !== epoch) {
        if (epochData) family.disposeEpochData(epochData.data);
        epochData = null;
        const order = epochOrder(seed, epoch, s.count, B, draw);
        epochData = { epoch, data: family.epochData(epoch, order) };
      }
      const candidate = keepEvery > 0 && t % keepEvery === 0;
      const logging = t === 0 || (t + 1) % logEvery === 0 || t + 1 === T || candidate;
      const out = await family.update({ step: t, epoch, position, data: epochData.data, logging });
      if (logging && out) {
        const values: Record<string, number> = {};
        for (const [name, v] of Object.entries(out)) values[name] = (await v.data())[0];
        // One tensor may be recorded under two names (the total is the data term alone when
        // no regulariser is on): dispose each once.
        for (const v of new Set(Object.values(out))) v.dispose();
        throwIfDeviceFailed();
        const record = family.record(t + 1, values);
        lossCurve.push(record);
        lastValues = family.progressValues(record);
        // Strictly lower, as the authors' `curr_loss < best_loss`: the first of equals stays.
        if (candidate && !(values.loss >= (kept?.update.loss ?? Infinity))) {
          if (values.loss === undefined) {
            throw new Error(`Cannot keep the best weights: the family records no "loss"`);
          }
          kept = {
            update: { step: t + 1, loss: values.loss },
            weights: (await family.saveState()).weights,
          };
        }
      }
      s.onProgress?.(t + 1, T, lastValues);
      if (
        s.checkpointDir && s.checkpointEvery && (t + 1) % s.checkpointEvery === 0 && t + 1 < T
      ) {
        await saveResume(
          s.checkpointDir,
          { step: t + 1, seed, fingerprint, lossCurve, kept },
          await family.saveState(),
        );
        s.onLog?.(`checkpoint at ${unit} ${t + 1}`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    await family.settle();
    throwIfDeviceFailed();
    if (kept) {
      // End with the kept weights; the optimiser's state no longer matters.
      const current = await family.saveState();
      family.loadState(kept.weights, current.optimizer);
      s.onLog?.(
        `kept the weights after ${unit} ${kept.update.step} (batch loss ${kept.update.loss})`,
      );
    }
    return { lossCurve, resumedFrom, stepsRun: T - start, seconds, kept: kept?.update ?? null };
  } finally {
    if (epochData) family.disposeEpochData(epochData.data);
  }
}
