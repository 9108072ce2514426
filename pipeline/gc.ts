/**
 * `gc`: removes cache entries that no current key uses (under either profile, with the
 * current backend and overrides), temporary directories of dead processes (in `data/tmp/`, and
 * half-published copies in `figures/`), stale locks and the damaged entries set aside in
 * `data/quarantine/` (named, since they were never looked at otherwise). Locks of other hosts
 * are kept unless `foreignLocks` is set: this host cannot tell whether their owners still run.
 * The last entry built for each stage is always kept.
 *
 * @module
 */
import { join } from "node:path";
import { lookup, readLatest } from "./cache.ts";
import type { Graph } from "./graph.ts";
import type { Layout } from "./layout.ts";
import { ownerState, processAlive, readLock } from "./lock.ts";
import { type Override, PROFILES } from "./params.ts";
import { Planner } from "./planner.ts";
import { PUBLISH_TMP_PREFIX } from "./publish.ts";
import { computeStatus } from "./status.ts";

function list(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch {
    return [];
  }
}

function remove(path: string, dryRun: boolean): void {
  if (!dryRun) Deno.removeSync(path, { recursive: true });
}

/** What `gc` removed (or, in a dry run, would remove). */
export interface GcResult {
  entries: number;
  temp: number;
  /** Locks of dead owners (and, when asked, of other hosts). */
  locks: number;
  /** Locks of other hosts kept. */
  foreignKept: number;
  /** Names of the quarantined entries removed. */
  quarantined: string[];
  /** Damaged cache entries removed (among `entries`), each with why. */
  damaged: string[];
}

/** Collects garbage; returns what was (or would be) removed. */
export function gc(
  layout: Layout,
  graph: Graph,
  codeRoot: string,
  backend: string,
  overrides: readonly Override[],
  dryRun: boolean,
  foreignLocks = false,
): GcResult {
  const keep = new Set<string>();
  for (const profile of PROFILES) {
    const planner = new Planner(codeRoot, {
      profile,
      backend,
      overrides,
      deno: Deno.version.deno,
      projectRoot: layout.root,
    });
    for (const r of computeStatus(layout, graph, planner, [])) {
      if (r.state === "up-to-date") keep.add(`${r.id}/${r.key}`);
    }
  }
  for (const id of graph.byId.keys()) {
    const latest = readLatest(layout, id);
    // Kept for explaining staleness, unless it is damaged: then it explains nothing.
    if (latest && lookup(layout, id, latest.key).state !== "corrupt") {
      keep.add(`${id}/${latest.key}`);
    }
  }
  let entries = 0, temp = 0, locks = 0;
  const damaged: string[] = [];
  for (const s of list(layout.cache)) {
    if (!s.isDirectory) continue;
    for (const e of list(join(layout.cache, s.name))) {
      if (e.isDirectory && !keep.has(`${s.name}/${e.name}`)) {
        // A damaged entry is named with its reason: it is removed unseen otherwise.
        const found = /^[0-9a-f]{64}$/.test(e.name) ? lookup(layout, s.name, e.name) : null;
        if (found?.state === "corrupt") {
          damaged.push(`data/cache/${s.name}/${e.name} (${found.reason})`);
        }
        remove(join(layout.cache, s.name, e.name), dryRun);
        entries++;
      }
    }
  }
  // Temporary names carry their process id: `<stage>-<key12>-<pid>-<n>`.
  for (const e of list(layout.tmp)) {
    const pid = Number(
      /-(\d+)-\d+(?:\.job\.json)?$/.exec(e.name)?.[1] ?? /-(\d+)(?:-\d+)?$/.exec(e.name)?.[1],
    );
    if (!Number.isInteger(pid) || !processAlive(pid)) {
      remove(join(layout.tmp, e.name), dryRun);
      temp++;
    }
  }
  // Copies being published: `.publish-<what>-<pid>-<n>` (see publish.ts).
  for (const e of list(layout.figures)) {
    if (!e.name.startsWith(PUBLISH_TMP_PREFIX)) continue;
    const pid = Number(/-(\d+)-\d+$/.exec(e.name)?.[1]);
    if (!Number.isInteger(pid) || !processAlive(pid)) {
      remove(join(layout.figures, e.name), dryRun);
      temp++;
    }
  }
  let foreignKept = 0;
  for (const e of list(layout.locks)) {
    const info = readLock(join(layout.locks, e.name));
    // Unreadable: stale (a lock being written is readable within milliseconds).
    const state = info ? ownerState(info) : "dead";
    if (state === "alive") continue;
    if (state === "foreign" && !foreignLocks) {
      foreignKept++;
      continue;
    }
    remove(join(layout.locks, e.name), dryRun);
    locks++;
  }
  const quarantined = list(layout.quarantine).map((e) => e.name).sort();
  for (const name of quarantined) remove(join(layout.quarantine, name), dryRun);
  return { entries, temp, locks, foreignKept, quarantined, damaged };
}
