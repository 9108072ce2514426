/**
 * Training checkpoints: everything needed to continue a run bit-for-bit.
 *
 * A checkpoint is a directory `ckpt-<step, 9 digits>/` inside the checkpoint directory with
 * `weights.json` + `weights.bin` (the saved-weights format of `weights_io.ts`),
 * `optimizer.json` + `optimizer.bin` (Adam's moments and β powers, same bundle layout) and
 * `state.json` (step, seed, the settings' fingerprint, the loss curve so far), and
 * `checksums.json`: the sha256 and size of each of those files. The generators need no state:
 * every draw of training is derived from (seed, purpose, epoch or step).
 *
 * A checkpoint is loaded only when every file matches its checksum: one damaged on disk (a
 * flipped byte, a truncated file, a file gone) would otherwise resume silently with wrong
 * weights, or fail every rerun. It is set aside as `damaged-<name>-<pid>` (kept for a look until
 * the stage's scratch directory goes), the loader says so and goes on to the next older one,
 * and with none left the training starts from scratch.
 *
 * It is written under a temporary name and renamed into place, so a run killed while saving
 * leaves either the previous checkpoint or the new one, never half of one; older ones are
 * then removed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type HostTensor, readBundle, writeBundle } from "../ml/weights_io.ts";
import { stableJson } from "../ml/npy.ts";

/** The non-tensor part of a checkpoint. */
export interface CheckpointState {
  /** Updates done. */
  step: number;
  /** The training seed. */
  seed: number;
  /** Fingerprint of the training settings; a checkpoint of other settings is never resumed. */
  fingerprint: string;
  /** Loss records so far. */
  lossCurve: unknown[];
  /** With `keepBest`: the update whose weights are kept so far (they are in the optimiser's file). */
  kept?: { step: number; loss: number };
}

/** A checkpoint in memory. */
export interface Checkpoint {
  /** Non-tensor state. */
  state: CheckpointState;
  /** Model variables. */
  weights: HostTensor[];
  /** Optimiser state. */
  optimizer: HostTensor[];
  /** Extra header fields for the weights (the model configuration). */
  weightsExtra: Record<string, unknown>;
}

const NAME = /^ckpt-(\d{9})$/;

/** The files of a checkpoint, each covered by `checksums.json`. */
const FILES = ["weights.json", "weights.bin", "optimizer.json", "optimizer.bin", "state.json"];
const CHECKSUMS = "checksums.json";

/** sha256 and size of a file. */
async function fileSum(path: string): Promise<{ sha256: string; size: number }> {
  const bytes = await Deno.readFile(path);
  return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
}

/** Why a checkpoint directory cannot be trusted, or null when every file matches its sum. */
export async function checkpointProblem(base: string): Promise<string | null> {
  let sums: Record<string, { sha256: string; size: number }>;
  try {
    sums = JSON.parse(await Deno.readTextFile(join(base, CHECKSUMS)));
  } catch (e) {
    return `${CHECKSUMS} ${e instanceof Deno.errors.NotFound ? "is missing" : "is unreadable"}`;
  }
  for (const f of FILES) {
    const want = sums?.[f];
    if (typeof want?.sha256 !== "string") return `${CHECKSUMS} does not cover ${f}`;
    let got;
    try {
      got = await fileSum(join(base, f));
    } catch (e) {
      return `${f} ${e instanceof Deno.errors.NotFound ? "is missing" : "is unreadable"}`;
    }
    if (got.size !== want.size) return `${f} has ${got.size} bytes, not ${want.size}`;
    if (got.sha256 !== want.sha256) return `${f} differs from its checksum`;
  }
  return null;
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** Writes a checkpoint atomically and removes older ones. */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const name = `ckpt-${String(ckpt.state.step).padStart(9, "0")}`;
  const final = join(dir, name);
  const tmp = join(dir, `${name}.tmp-${Deno.pid}`);
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp);
  await writeBundle(
    join(tmp, "weights.json"),
    join(tmp, "weights.bin"),
    "autoencoder-weights/1",
    ckpt.weights,
    ckpt.weightsExtra,
  );
  await writeBundle(
    join(tmp, "optimizer.json"),
    join(tmp, "optimizer.bin"),
    "adam-state/1",
    ckpt.optimizer,
  );
  await Deno.writeTextFile(join(tmp, "state.json"), stableJson(ckpt.state) + "\n");
  const sums: Record<string, { sha256: string; size: number }> = {};
  for (const f of FILES) sums[f] = await fileSum(join(tmp, f));
  await Deno.writeTextFile(join(tmp, CHECKSUMS), stableJson(sums) + "\n");
  await Deno.remove(final, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, final);
  for (const entry of await listCheckpoints(dir)) {
    if (entry.step < ckpt.state.step) await Deno.remove(join(dir, entry.name), { recursive: true });
  }
  // Half-written checkpoints of killed runs.
  for await (const e of Deno.readDir(dir)) {
    if (/^ckpt-\d{9}\.tmp-\d+$/.test(e.name)) {
      await Deno.remove(join(dir, e.name), { recursive: true });
    }
  }
  return final;
}

/** Complete checkpoints in a directory, oldest first (none if it does not exist). */
export async function listCheckpoints(dir: string): Promise<{ name: string; step: number }[]> {
  const out: { name: string; step: number }[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = NAME.exec(e.name);
      if (e.isDirectory && m) out.push({ name: e.name, step: Number(m[1]) });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Loads the newest sound checkpoint whose fingerprint matches, or null. Checkpoints of other
 * settings are ignored (they cannot continue this run); damaged ones are set aside, and
 * `onLog` is told which, why, and where the training goes on from.
 */
export async function loadLatestCheckpoint(
  dir: string,
  fingerprint: string,
  onLog?: (message: string) => void,
): Promise<Checkpoint | null> {
  const all = await listCheckpoints(dir);
  for (let i = all.length - 1; i >= 0; i--) {
    const base = join(dir, all[i].name);
    let loaded: Checkpoint | null = null;
    let problem = await checkpointProblem(base);
    if (!problem) {
      try {
        loaded = await readCheckpoint(base);
      } catch (e) {
        problem = `it cannot be read (${(e as Error).message.split("\n")[0]})`;
      }
    }
    if (loaded && loaded.state.fingerprint !== fingerprint) continue;
    if (loaded) return loaded;
    const aside = `damaged-${all[i].name}-${Deno.pid}`;
    await Deno.remove(join(dir, aside), { recursive: true }).catch(() => {});
    await Deno.rename(base, join(dir, aside));
    const next = all.slice(0, i).map((c) => c.step).at(-1);
    onLog?.(
      // "! " marks a warning the engine shows without --verbose (pipeline/job.ts).
      `! checkpoint ${all[i].name} is damaged (${problem}); set aside as ${aside}; ` +
        (next === undefined
          ? "training starts from scratch"
          : `trying the older one at step ${next}`),
    );
  }
  return null;
}

/** Reads a checked checkpoint directory. */
async function readCheckpoint(base: string): Promise<Checkpoint> {
  const state = JSON.parse(await Deno.readTextFile(join(base, "state.json"))) as CheckpointState;
  const w = await readBundle(join(base, "weights.json"), join(base, "weights.bin"));
  const o = await readBundle(join(base, "optimizer.json"), join(base, "optimizer.bin"));
  const { format: _f, dtype: _d, byteLength: _b, tensors: _t, ...weightsExtra } = w.header;
  return {
    state,
    weights: [...w.tensors.values()],
    optimizer: [...o.tensors.values()],
    weightsExtra,
  };
}
