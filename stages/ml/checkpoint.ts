/**
 * Training checkpoints: everything needed to continue a run bit-for-bit.
 *
 * A checkpoint is a directory `ckpt-<step, 9 digits>/` inside the checkpoint directory with
 * `weights.json` + `weights.bin` (the saved-weights format of `weights_io.ts`),
 * `optimizer.json` + `optimizer.bin` (Adam's moments and β powers, same bundle layout) and
 * `state.json` (step, seed, the settings' fingerprint, the loss curve so far). The generators
 * need no state: every draw of training is derived from (seed, purpose, epoch or step).
 *
 * It is written under a temporary name and renamed into place, so a run killed while saving
 * leaves either the previous checkpoint or the new one, never half of one; older ones are
 * then removed.
 *
 * @module
 */
import { type HostTensor, readBundle, writeBundle } from "./weights_io.ts";
import { stableJson } from "./npy.ts";

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
 * Loads the newest checkpoint whose fingerprint matches, or null. Checkpoints of other
 * settings are ignored (they cannot continue this run).
 */
export async function loadLatestCheckpoint(
  dir: string,
  fingerprint: string,
): Promise<Checkpoint | null> {
  const all = await listCheckpoints(dir);
  for (let i = all.length - 1; i >= 0; i--) {
    const base = join(dir, all[i].name);
    let state: CheckpointState;
    try {
      state = JSON.parse(await Deno.readTextFile(join(base, "state.json")));
    } catch {
      continue;
    }
    if (state.fingerprint !== fingerprint) continue;
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
  return null;
}
