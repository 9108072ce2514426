/**
 * `verify`: first hashes every cached file the targets rest on and fails, naming each file,
 * when one differs from its manifest (a rerun compared with the manifest alone would call a
 * damaged cache bit-identical); then reruns the cached stages from scratch into a scratch area
 * (never resuming from a checkpoint, never touching the cache) and compares every output with
 * the cached bytes.
 *
 * @module
 */
import { join, relative } from "node:path";
import { compareFiles, type FileVerdict } from "./compare.ts";
import type { Graph } from "./graph.ts";
import type { Layout } from "./layout.ts";
import { lookup, verifyFiles } from "./cache.ts";
import type { Manifest } from "./manifest.ts";
import type { Planner } from "./planner.ts";
import type { ProgressBoard } from "./progress.ts";
import { ActiveAttempt, threadsPerStage, type WorkerCommand } from "./runner.ts";
import { computeStatus } from "./status.ts";

/** Reruns and compares; returns the exit code (1 when anything diverged or failed). */
export async function verifyStages(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  targets: readonly string[],
  board: ProgressBoard,
  worker: WorkerCommand,
): Promise<number> {
  const rows = computeStatus(layout, graph, planner, targets);
  const manifests = new Map<string, Manifest>();
  for (const r of rows) {
    const f = r.state === "up-to-date" ? lookup(layout, r.id, r.key!) : null;
    if (f?.state === "present") manifests.set(r.id, f.manifest);
  }
  // The bytes on disk first: every rerun below reads its inputs from these entries too.
  let damaged = 0;
  for (const r of rows) {
    const dir = relative(layout.root, layout.entry(r.id, r.key ?? ""));
    if (r.state === "corrupt") {
      damaged++;
      board.message(`✗ ${r.id}: cached entry ${dir} is damaged: ${r.why[0]}`);
      continue;
    }
    const m = manifests.get(r.id);
    if (!m) continue;
    for (const p of await verifyFiles(layout.entry(r.id, r.key!), m)) {
      damaged++;
      board.message(`✗ ${r.id}: cached file ${dir}/${p}`);
    }
  }
  if (damaged) {
    board.message(
      `verify: ${damaged} damaged cache file(s), nothing rerun; \`deno task reproduce\` sets ` +
        `the damaged entries aside in data/quarantine and rebuilds them`,
    );
    return 1;
  }
  const chosen = targets.length ? rows.filter((r) => targets.includes(r.id)) : rows;
  let bad = 0;
  for (const r of chosen) {
    const stage = graph.byId.get(r.id)!;
    const cached = manifests.get(r.id);
    if (!cached) {
      board.message(`- ${r.id}: not cached (${r.state}); nothing to verify`);
      continue;
    }
    const base = join(layout.tmp, `verify-${r.id}-${Deno.pid}`);
    const attempt = new ActiveAttempt(
      layout,
      stage,
      r.key!,
      cached.parts,
      planner,
      manifests,
      board,
      worker,
      false,
      threadsPerStage(1),
      {
        tmpDir: join(base, "out"),
        scratchDir: join(base, "scratch"),
        logPath: join(base, "log.txt"),
      },
    );
    try {
      const fresh = await attempt.run(
        `verify: rerun from scratch, to compare with cached entry ${r.key!.slice(0, 12)}`,
      );
      const verdicts: Array<[string, FileVerdict, string]> = [];
      const files = new Set([...Object.keys(cached.outputs), ...Object.keys(fresh.outputs)]);
      for (const f of [...files].sort()) {
        if (!cached.outputs[f] || !fresh.outputs[f]) {
          verdicts.push([f, "divergent", "present in one run only"]);
          continue;
        }
        // Compared with the bytes on disk (hashed above), never with the manifest alone.
        const { verdict, detail } = compareFiles(
          f,
          Deno.readFileSync(join(layout.entry(r.id, r.key!), f)),
          Deno.readFileSync(join(attempt.tmpDir, f)),
        );
        verdicts.push([f, verdict, detail]);
      }
      const worst = verdicts.some(([, v]) => v === "divergent")
        ? "divergent"
        : verdicts.some(([, v]) => v === "within-tolerance")
        ? "within tolerance"
        : "bit-identical";
      if (worst === "divergent") bad++;
      board.message(`${worst === "divergent" ? "✗" : "✓"} ${r.id}: ${worst}`);
      for (const [f, v, d] of verdicts) {
        if (v !== "identical") board.message(`    ${f}: ${v}${d ? ` (${d})` : ""}`);
      }
    } catch (e) {
      bad++;
      board.message(`✗ ${r.id}: rerun failed: ${(e as Error).message}`);
    } finally {
      try {
        Deno.removeSync(base, { recursive: true });
      } catch { /* nothing made */ }
      attempt.cleanup();
    }
  }
  return bad ? 1 : 0;
}
