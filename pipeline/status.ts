/**
 * `status`: for each stage, up to date, stale (and why), corrupt, or missing, from manifests
 * alone (no file is re-hashed), so it stays fast on large DAGs.
 *
 * @module
 */
import { lookup, readLatest } from "./cache.ts";
import { type Graph, select } from "./graph.ts";
import { explainChange, keyOf } from "./key.ts";
import { type Layout, nonEmptyDir } from "./layout.ts";
import { CLEAR_FOREIGN_LOCKS, type LockOwner, lockOwner } from "./lock.ts";
import type { Manifest } from "./manifest.ts";
import type { Planner } from "./planner.ts";
import { describeProgress, progressPathOf, readProgress } from "./run_progress.ts";

/** The state of one stage. */
export interface StageStatus {
  id: string;
  state: "up-to-date" | "stale" | "missing" | "corrupt" | "blocked";
  key: string | null;
  /** Why it is not up to date. */
  why: string[];
  /** Duration of the cached run, when up to date. */
  durationMs?: number;
  /** Not up to date, but its scratch directory holds checkpoints: a run resumes from them. */
  resumes?: boolean;
}

/** Computes the status of the selected stages. */
export function computeStatus(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  targets: readonly string[],
): StageStatus[] {
  const manifests = new Map<string, Manifest>();
  const out: StageStatus[] = [];
  for (const stage of select(graph, targets)) {
    const inputs = planner.inputHashes(stage, manifests);
    if (!inputs) {
      const ups = graph.deps.get(stage.id)!.filter((u) => !manifests.has(u));
      out.push({
        id: stage.id,
        state: "blocked",
        key: null,
        why: [`needs ${ups.join(", ")} first`],
      });
      continue;
    }
    const parts = planner.parts(stage, inputs);
    const key = keyOf(parts);
    const found = lookup(layout, stage.id, key);
    if (found.state === "present") {
      manifests.set(stage.id, found.manifest);
      out.push({
        id: stage.id,
        state: "up-to-date",
        key,
        why: [],
        durationMs: found.manifest.durationMs,
      });
    } else if (found.state === "corrupt") {
      out.push({
        id: stage.id,
        state: "corrupt",
        key,
        why: [found.reason, "reproduce sets it aside in data/quarantine and rebuilds it"],
      });
    } else {
      const latest = readLatest(layout, stage.id);
      // Left by an interrupted attempt or brought by `import`: the next run resumes there.
      const resumes = nonEmptyDir(layout.scratchDir(stage.id, key));
      // Another `reproduce` may be running it right now: say who (see `lockOwner`).
      const runningIn = lockOwner(layout.lock(stage.id, key));
      // What a user asks of a running stage first (how far, how long), then why it runs.
      const running = !runningIn ? [] : runningIn.foreign
        ? [
          `locked by ${runningIn.owner}, another host (if nothing runs it there: ` +
          `\`${CLEAR_FOREIGN_LOCKS}\`)`,
        ]
        : [runningNow(layout, stage.id, key, runningIn)];
      out.push({
        id: stage.id,
        state: latest ? "stale" : "missing",
        key,
        why: [
          ...running,
          ...explainChange(latest?.parts ?? null, parts),
          ...(resumes ? ["resumes from its checkpoints"] : []),
        ],
        resumes,
      });
    }
  }
  return out;
}

/** `running now (pid … since …): step 3,000 of 10,000 (30%), ETA 14m02s` where it reports. */
function runningNow(layout: Layout, stage: string, key: string, owner: LockOwner): string {
  const progress = owner.pid === undefined
    ? null
    : readProgress(progressPathOf(layout.log(stage)), key, owner.pid);
  return `running now (${owner.owner})${progress ? `: ${describeProgress(progress)}` : ""}`;
}

/** Formats a status table. */
export function formatStatus(rows: readonly StageStatus[]): string {
  const w = Math.max(5, ...rows.map((r) => r.id.length));
  const mark = { "up-to-date": "✓", stale: "~", missing: "·", corrupt: "!", blocked: "…" };
  const lines = rows.map((r) =>
    `${mark[r.state]} ${r.id.padEnd(w)}  ${r.state.padEnd(10)} ${
      r.key ? r.key.slice(0, 12) : "-".padEnd(12)
    }  ${r.why.join("; ")}`
  );
  const counts = Object.entries(
    rows.reduce(
      (a, r) => ({ ...a, [r.state]: (a[r.state] ?? 0) + 1 }),
      {} as Record<string, number>,
    ),
  ).map(([k, v]) => `${v} ${k}`).join(", ");
  return `${lines.join("\n")}\n${rows.length} stages: ${counts}`;
}
