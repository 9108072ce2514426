/**
 * `gc`: removes cache entries that no current key uses (under either profile, with the
 * current backend and overrides), temporary directories of dead processes (in `data/tmp/`, and
 * half-published copies in `figures/`), and stale locks.
 * The last entry built for each stage is always kept.
 *
 * @module
 */
import { join } from "node:path";
import { readLatest } from "./cache.ts";
import type { Graph } from "./graph.ts";
import type { Layout } from "./layout.ts";
import { processAlive } from "./lock.ts";
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

/** Collects garbage; returns the counts of what was (or would be) removed. */
export function gc(
  layout: Layout,
  graph: Graph,
  codeRoot: string,
  backend: string,
  overrides: readonly Override[],
  dryRun: boolean,
): { entries: number; temp: number; locks: number } {
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
    if (latest) keep.add(`${id}/${latest.key}`);
  }
  let entries = 0, temp = 0, locks = 0;
  for (const s of list(layout.cache)) {
    if (!s.isDirectory) continue;
    for (const e of list(join(layout.cache, s.name))) {
      if (e.isDirectory && !keep.has(`${s.name}/${e.name}`)) {
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
  for (const e of list(layout.locks)) {
    try {
      const info = JSON.parse(Deno.readTextFileSync(join(layout.locks, e.name)));
      if (processAlive(info.pid)) continue;
    } catch { /* unreadable lock: stale */ }
    remove(join(layout.locks, e.name), dryRun);
    locks++;
  }
  return { entries, temp, locks };
}
