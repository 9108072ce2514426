/**
 * `reproduce --shard I/N`: shares a profile's training stages out among N machines, each of
 * which computes the same assignment from the graph and the parameters alone (never from its
 * cache, its core count or its clock), so that N machines given the same command line agree
 * on who trains what without talking to each other.
 *
 * Trainings that need one another (a training reading another's weights, directly or through
 * other stages) form one unit and go to one shard: a shard never waits for another's result.
 * Units are balanced by their stages' estimates (the same function `--dry-run` shows, at one
 * thread, so that the figure does not depend on the machine): largest first, each to the
 * least-loaded shard, ties broken by the units' ids and the shards' numbers.
 *
 * Shards are numbered from 1 to N, like Slurm's `--array=1-N` and a 1-based CI matrix.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import type { Graph } from "./graph.ts";
import type { AnyStage } from "./stage.ts";

/** Largest N: more machines than this is a typo more often than an intent. */
export const MAX_SHARDS = 1000;

/** One shard of N, numbered from 1. */
export interface ShardSpec {
  /** This shard's number, 1 to `count`. */
  index: number;
  /** How many shards in all. */
  count: number;
}

/** Parses `--shard I/N` (plain decimals, 1 ≤ I ≤ N ≤ {@link MAX_SHARDS}). */
export function parseShard(raw: string): ShardSpec {
  const m = /^([1-9][0-9]{0,3})\/([1-9][0-9]{0,3})$/.exec(raw);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!(index >= 1 && count <= MAX_SHARDS && index <= count)) {
    const shown = /^\S+$/.test(raw) ? raw : JSON.stringify(raw);
    throw new UsageError(
      `Cannot use --shard ${shown}: expected I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS} (shards are ` +
        `numbered from 1), e.g. --shard 1/3`,
    );
  }
  return { index, count };
}

/** Trainings that go to one shard together, with their summed estimate. */
export interface ShardUnit {
  /** Stage ids, in topological order. */
  ids: string[];
  /** Summed estimated seconds (unknown estimates count as 0). */
  seconds: number;
}

/** What one shard trains. */
export interface Shard {
  /** Stage ids, in topological order. */
  ids: string[];
  /** Summed estimated seconds. */
  seconds: number;
}

/**
 * Groups the trainings into units: a training joins every training upstream of it (through any
 * stages), so a unit is self-contained.
 */
export function shardUnits(
  graph: Graph,
  trainings: readonly AnyStage[],
  estimate: (s: AnyStage) => number,
): ShardUnit[] {
  const ids = new Set(trainings.map((s) => s.id));
  const parent = new Map([...ids].map((id) => [id, id]));
  const find = (id: string): string => {
    while (parent.get(id) !== id) id = parent.get(id)!;
    return id;
  };
  // The trainings upstream of each stage, in topological order (dependencies come first).
  const upTrainings = new Map<string, Set<string>>();
  for (const s of graph.order) {
    const up = new Set<string>();
    for (const d of graph.deps.get(s.id) ?? []) {
      for (const t of upTrainings.get(d)!) up.add(t);
      if (ids.has(d)) up.add(d);
    }
    upTrainings.set(s.id, up);
    if (!ids.has(s.id)) continue;
    for (const t of up) parent.set(find(t), find(s.id));
  }
  const groups = new Map<string, ShardUnit>();
  for (const s of graph.order) {
    if (!ids.has(s.id)) continue;
    const root = find(s.id);
    if (!groups.has(root)) groups.set(root, { ids: [], seconds: 0 });
    const g = groups.get(root)!;
    g.ids.push(s.id);
    const e = estimate(s);
    g.seconds += Number.isFinite(e) && e > 0 ? e : 0;
  }
  return [...groups.values()];
}

/**
 * Shares the units out among `count` shards: largest estimate first (ties: the unit whose
 * first id sorts first), each to the shard with the least estimated time so far, then the
 * fewest units (so that unknown estimates still spread), then the lowest number. Throws a
 * usage error when there are fewer units than shards: a shard would have nothing to train.
 */
export function assignShards(units: readonly ShardUnit[], count: number): Shard[] {
  if (units.length < count) {
    throw new UsageError(
      `Cannot share ${units.length} training unit${units.length === 1 ? "" : "s"} among ` +
        `${count} shards: a shard would have nothing to train; use at most ${units.length} ` +
        `shard${units.length === 1 ? "" : "s"}`,
    );
  }
  const firstId = (u: ShardUnit) => [...u.ids].sort()[0];
  const sorted = [...units].sort((a, b) =>
    b.seconds - a.seconds || (firstId(a) < firstId(b) ? -1 : firstId(a) > firstId(b) ? 1 : 0)
  );
  const shards = Array.from({ length: count }, () => ({ units: [] as ShardUnit[], seconds: 0 }));
  for (const u of sorted) {
    let best = 0;
    for (let i = 1; i < count; i++) {
      const a = shards[i], b = shards[best];
      if (a.seconds < b.seconds || (a.seconds === b.seconds && a.units.length < b.units.length)) {
        best = i;
      }
    }
    shards[best].units.push(u);
    shards[best].seconds += u.seconds;
  }
  return shards.map((s) => ({ ids: s.units.flatMap((u) => u.ids), seconds: s.seconds }));
}

/** Orders each shard's ids as the graph does (dependencies first). */
export function inGraphOrder(graph: Graph, shards: readonly Shard[]): Shard[] {
  const pos = new Map(graph.order.map((s, i) => [s.id, i]));
  return shards.map((s) => ({ ...s, ids: [...s.ids].sort((a, b) => pos.get(a)! - pos.get(b)!) }));
}

/** The default archive of a shard: under `data/`, which the deno tasks may write. */
export function defaultShardArchive(spec: ShardSpec): string {
  return `data/shard-${spec.index}-of-${spec.count}.tar.gz`;
}
