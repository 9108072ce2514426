/**
 * `publish-run`: a profile's results that a reader opens without running anything, kept in
 * the repository under `results/<profile>-<backend>-<date>/`:
 *
 * - the report exactly as the pipeline rendered it: the published files of the report's cache
 *   entry (`index.html`, `REPORT.md` and the figure copies they link), the bytes `figures/` got;
 * - `trainings.tar.gz`: the finished training stages' cache entries (`export --no-inputs`), so
 *   that `import` then `reproduce` rebuilds every figure with no training while the code
 *   matches (datasets and evaluations regenerate: cheaper to recompute than to carry);
 * - `provenance.json`: the commit, profile, backend, `--set` overrides, adapters, dates, and
 *   every stage's key
 *   and whether it was finished, so that `status` after an import says which stages the code
 *   has moved away from.
 *
 * It runs nothing: the run must be up to date (or, with `--partial`, its partial report must
 * be), and the directory is filled under a temporary name and renamed into place whole.
 *
 * @module
 */
import { join, relative } from "node:path";
import { exportArchive } from "./archive.ts";
import { lookup, verifyFiles } from "./cache.ts";
import { UsageError } from "./errors.ts";
import { buildGraph, type Graph } from "./graph.ts";
import { sha256 } from "./hash.ts";
import { listed } from "./key.ts";
import type { Layout } from "./layout.ts";
import type { Manifest } from "./manifest.ts";
import { narrowTargets } from "./partial.ts";
import type { Planner } from "./planner.ts";
import { publishedFiles } from "./publish.ts";
import { computeStatus } from "./status.ts";

/** The archive of the trainings inside a published run. */
export const TRAININGS_ARCHIVE = "trainings.tar.gz";

/** The provenance file of a published run. */
export const RUN_PROVENANCE = "provenance.json";

/** What {@link publishRun} is told. */
export interface PublishRunOptions {
  /** Publish the partial report (`reproduce --partial report`) of a run not yet finished. */
  partial: boolean;
  /** The training stages (the entry's `trainings` hook). */
  trainings: readonly string[];
  /** The stages that may run on part of their inputs (the entry's `partial` hook). */
  partialStages: readonly string[];
  /** The directory to create; default `results/<profile>-<backend>-<date>`. */
  out?: string;
  /** When the run is published. */
  now: Date;
  /** The code's commit, and whether tracked files differ from it (null: not a git checkout). */
  commit: { id: string; dirty: boolean } | null;
}

/** What {@link publishRun} wrote. */
export interface PublishedRun {
  /** The directory, as given or relative to the current directory. */
  dir: string;
  /** File names written, sorted. */
  files: string[];
  /** Bytes in all. */
  bytes: number;
  /** Training entries in the archive. */
  trainings: number;
}

/** The default directory of a published run. */
export function defaultRunDir(profile: string, backend: string, now: Date): string {
  return join("results", `${profile}-${backend}-${now.toISOString().slice(0, 10)}`);
}

/** Writes a published run; throws a usage error, with nothing written, when it cannot. */
export async function publishRun(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  opts: PublishRunOptions,
): Promise<PublishedRun> {
  const { profile, backend } = planner.settings;
  const dir = opts.out ??
    relative(Deno.cwd(), join(layout.root, defaultRunDir(profile, backend, opts.now)));
  const sets = planner.settings.overrides.map((o) => ` --set ${o.stage}.${o.param}=${o.raw}`);
  const run = `\`deno task reproduce --profile ${profile} --backend ${backend}${sets.join("")}`;
  if (exists(dir)) {
    throw new UsageError(
      `Cannot publish to "${dir}": it exists already; remove it, or give another with --out DIR`,
    );
  }
  const roots = graph.order.filter((s) => s.publish === "root");
  if (roots.length !== 1) {
    throw new UsageError(
      `Cannot publish a run: this project has ${roots.length} report stages (stages published ` +
        `to the top of figures/), not one; give exactly one stage \`publish: "root"\``,
    );
  }
  const reportId = roots[0].id;
  // The run is what the report rests on (a stage it does not need is not part of it).
  const rows = computeStatus(layout, graph, planner, [reportId]);
  const notDone = rows.filter((r) => r.state !== "up-to-date").map((r) => r.id);
  let reportGraph = graph;
  if (opts.partial) {
    const narrowed = narrowTargets(layout, graph, planner, [reportId], opts.partialStages);
    reportGraph = buildGraph(graph.order.map((s) => narrowed.get(s.id)?.stage ?? s));
  } else if (notDone.length) {
    throw new UsageError(
      `Cannot publish the ${profile} run on ${backend}: ${notDone.length} stages are not up to ` +
        `date (${listed(notDone)}); run ${run}\` first, or publish what there is with --partial`,
    );
  }
  const report = computeStatus(layout, reportGraph, planner, [reportId]).at(-1)!;
  const found = report.state === "up-to-date" ? lookup(layout, reportId, report.key!) : null;
  if (!found || found.state !== "present") {
    throw new UsageError(
      `Cannot publish the partial ${profile} run on ${backend}: its report of what is up to ` +
        `date now is not built; run ${run} --partial ${reportId}\` first`,
    );
  }
  const entry = layout.entry(reportId, report.key!);
  const problems = await verifyFiles(entry, found.manifest);
  if (problems.length) {
    throw new UsageError(
      `Cannot publish the report: its cache entry is damaged (${problems.join("; ")}); ` +
        `rerun ${run} ${reportId}\``,
    );
  }

  const done = new Map<string, Manifest>();
  for (const r of rows) {
    if (r.state !== "up-to-date") continue;
    const m = lookup(layout, r.id, r.key!);
    if (m.state === "present") done.set(r.id, m.manifest);
  }
  const trainings = opts.trainings.filter((id) => done.has(id) && graph.byId.has(id));
  const tmp = join(dir, "..", `.publish-run-${Deno.pid}`);
  const written: Record<string, { sha256: string; size: number }> = {};
  try {
    Deno.mkdirSync(tmp, { recursive: true });
    for (const f of publishedFiles(found.manifest)) {
      Deno.copyFileSync(join(entry, f), join(tmp, f));
      written[f] = found.manifest.outputs[f];
    }
    if (trainings.length) {
      await exportArchive(layout, graph, planner, trainings, join(tmp, TRAININGS_ARCHIVE), {
        noInputs: true,
      });
      const bytes = Deno.readFileSync(join(tmp, TRAININGS_ARCHIVE));
      written[TRAININGS_ARCHIVE] = { sha256: sha256(bytes), size: bytes.length };
    }
    const adapters = [...new Set([...done.values()].map((m) => m.adapter).filter(Boolean))];
    const provenance = {
      format: 1,
      profile,
      backend,
      adapters: adapters.sort(),
      commit: opts.commit?.id ?? null,
      // Tracked files that differ from the commit: the keys, not the commit, say what ran.
      dirty: opts.commit?.dirty ?? null,
      published: opts.now.toISOString(),
      partial: opts.partial,
      // The run's --set values: the keys below are those of these parameters, and a rebuild
      // (and `check-run`) needs them.
      overrides: planner.settings.overrides.map((o) => `${o.stage}.${o.param}=${o.raw}`),
      report: { stage: reportId, key: report.key, finished: found.manifest.finished },
      files: written,
      stages: rows.map((r) => {
        const m = done.get(r.id);
        return {
          id: r.id,
          key: r.key,
          training: opts.trainings.includes(r.id),
          finished: !!m,
          finishedAt: m?.finished ?? null,
          durationMs: m?.durationMs ?? null,
          adapter: m?.adapter ?? null,
        };
      }),
    };
    Deno.writeTextFileSync(join(tmp, RUN_PROVENANCE), JSON.stringify(provenance, null, 2) + "\n");
    Deno.renameSync(tmp, dir);
  } catch (e) {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch { /* not made */ }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new UsageError(
        `Cannot publish to "${dir}": no permission to write there; run it as ` +
          `\`deno task publish-run\`, which may write results/`,
      );
    }
    throw e;
  }
  const files = [...Object.keys(written), RUN_PROVENANCE].sort();
  const bytes = files.reduce((a, f) => a + Deno.statSync(join(dir, f)).size, 0);
  return { dir, files, bytes, trainings: trainings.length };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return false; // the write says where to run it from
    }
    throw e;
  }
}

/** The commit checked out in `dir` and whether tracked files differ from it; null without git. */
export async function gitCommit(dir: string): Promise<{ id: string; dirty: boolean } | null> {
  const git = async (...args: string[]) => {
    const r = await new Deno.Command("git", { args, cwd: dir, stdin: "null", stderr: "null" })
      .output();
    if (!r.success) throw new Error(`git ${args[0]} failed`);
    return new TextDecoder().decode(r.stdout).trim();
  };
  try {
    const id = await git("rev-parse", "HEAD");
    const changes = await git("status", "--porcelain", "--untracked-files=no");
    return { id, dirty: changes !== "" };
  } catch {
    return null; // no git, not a checkout, or no permission to run it
  }
}
