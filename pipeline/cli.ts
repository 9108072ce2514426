/**
 * The command line: `reproduce`, `status`, `dag`, `verify`, `gc`, `export`, `import`. The
 * entry module (`stages/main.ts`) passes its registry and hooks; the engine never imports
 * `stages/`.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exportArchive, importArchives } from "./archive.ts";
import { dagMermaid, dagText } from "./dag.ts";
import { didYouMean, StageError, UsageError } from "./errors.ts";
import { gc } from "./gc.ts";
import { buildGraph, type Graph, select } from "./graph.ts";
import { Layout } from "./layout.ts";
import {
  checkOverrideStages,
  type Override,
  parseOverride,
  type Profile,
  PROFILES,
} from "./params.ts";
import {
  checkExportPath,
  checkImportPath,
  checkOptions,
  checkRoot,
  parseGroupSize,
  parseJobs,
} from "./inputs.ts";
import { listed } from "./key.ts";
import { narrowTargets } from "./partial.ts";
import { Planner } from "./planner.ts";
import { formatDuration, ProgressBoard } from "./progress.ts";
import { makespan, type ScheduledStage } from "./estimate.ts";
import { criticalPathOrder } from "./critical_path.ts";
import { gitCommit, publishRun } from "./published_run.ts";
import { runStages, threadsPerStage, type WorkerCommand } from "./runner.ts";
import {
  assignShards,
  defaultShardArchive,
  inGraphOrder,
  parseShard,
  type Shard,
  type ShardSpec,
  shardUnits,
} from "./shard.ts";
import type { AnyStage } from "./stage.ts";
import { computeStatus, formatStatus } from "./status.ts";
import { checkRun, formatRunCheck, readRunManifests, readRunProvenance } from "./check_run.ts";
import { verifyStages } from "./verify.ts";
import { type ComputeHook, workerMain } from "./worker.ts";

/** What the entry module tells the engine about compute backends. */
export interface Hooks {
  /** Backend names accepted by `--backend` besides `auto`. */
  backends?: readonly string[];
  /** Detects a hardware GPU (a software adapter does not count); null when none. */
  detectGpu?: () => Promise<{ description: string } | null>;
  /** The backend `auto` means when a hardware GPU exists. */
  gpuBackend?: string;
  /** Default `--jobs` on a GPU backend (stages sharing one GPU, each in its own process). */
  gpuJobs?: number;
  /**
   * Default `--group-size` on a backend: the most trainings of one group key (`Stage.group`)
   * one process runs together. Default 1: none grouped.
   */
  groupSize?: (backend: string) => number;
  /**
   * Checks, before anything runs, that a backend named by `--backend` works here: `error` (exit
   * code 2) when it cannot run at all (a package not installed, no adapter), `warning` (one
   * line) when it runs badly (a software adapter, slower than the cpu backend).
   */
  checkBackend?: (backend: string) => Promise<{ error?: string; warning?: string }>;
  /**
   * Stages that `reproduce --partial` may run over those of their inputs that are up to date
   * (see `partial.ts`); each must read only the inputs its context lists. Default: none.
   */
  partial?: readonly string[];
  /**
   * The training stages: what `reproduce --shard I/N` shares out among machines (each shard
   * also runs the stages upstream of its trainings). Default: none, and `--shard` is refused.
   */
  trainings?: readonly string[];
  /**
   * How a stage with `compute` gets its backend: the engine calls `start` in the stage's own
   * process before `run`, with the run's backend and the stage's CPU threads, and records the
   * facts it returns (backend, adapter, …) in the manifest; `module` (whose code the start
   * runs) joins every compute stage's key. No stage starts a backend itself.
   */
  compute?: ComputeHook;
}

const COMMANDS = [
  "reproduce",
  "status",
  "dag",
  "verify",
  "gc",
  "export",
  "import",
  "publish-run",
  "check-run",
] as const;

const USAGE = `usage: deno task <command> [options] [targets...]

commands:
  reproduce [targets]   run what the targets need (all stages by default), reusing the cache
  status [targets]      up to date / stale (and why) / missing, per stage
  dag [--mermaid]       the stage graph
  verify [targets]      hash every cached file (a damaged one fails), then rerun the cached
                        stages into a scratch area and compare the outputs' bytes
  gc [--dry-run]        remove cache entries no current key uses, stale locks, temp files and
                        the damaged entries set aside in data/quarantine; with --foreign-locks
                        also the locks of other hosts (this one cannot tell if they still run)
  export FILE [targets] pack the cache entries the targets need into FILE (.tar.gz);
                        with --shard I/N what that shard trained or checkpointed;
                        with --no-inputs only the targets' own (e.g. trainings without the
                        datasets they read, which are cheaper to regenerate than to carry);
                        with --checkpoints also the checkpoints of unfinished stages, which
                        \`import\` restores so that they resume (a profile run in parts)
  publish-run           write results/<profile>-<backend>-<date>/: the report as rendered, the
                        finished trainings (trainings.tar.gz) and provenance.json; the run
                        must be up to date (--partial: its partial report); --out DIR
  check-run DIR         whether this checkout rebuilds the published run in DIR without
                        training: each finished training's key now against the run's, and
                        what moved (code, parameters, inputs); reads DIR only
  import FILE...        unpack the archives into the cache, checking every file against its
                        manifest first (one bad archive: nothing is imported); several
                        archives merge the shards of a profile (see --shard)

options:
  --profile paper|quick|code
                          paper = the spec's settings; quick = fewer steps, smaller sets;
                          code = the authors' released code's settings where it has them
                          (\`dag\` lists them with their sources; elsewhere the paper's)
                          (default: paper on a hardware GPU, quick otherwise)
  --backend auto|cpu|webgpu|tensorflow  compute backend (default auto: webgpu on a hardware GPU)
  --set stage.param=value override a parameter (repeatable; type-checked)
  --jobs N|auto           stages run at once, each in its own process (default auto: one
                          per CPU core on the cpu backend; the hook's figure on a GPU)
  --group-size N|auto     most trainings of one architecture and dataset trained together
                          in one process (1: each alone; default auto: the entry's figure
                          for the backend); outputs are the same bytes either way
  --force                 rerun the targets (all selected stages without targets), clearing
                          their checkpoints
  --keep-going            go on with independent stages after a failure
  --dry-run               list what would run and why, with estimated times
  --partial               run the targets over those of their inputs that are up to date,
                          running nothing else (a report of what a profile has so far);
                          only for the stages the entry allows (default: all of those)
  --shard I/N             (reproduce) run the I-th of N parts of the targets' trainings
                          (I from 1 to N), balanced by their estimates, with the stages they
                          need, then export them (with the checkpoints of unfinished ones) to
                          --out FILE (default data/shard-I-of-N.tar.gz); every shard and the
                          merge need the same --profile, --backend and --set; with --dry-run
                          it prints every shard's trainings and estimated time
  --verbose               show stage log lines
  --root DIR              project root (default: the current directory)`;

/** Runs the command line; returns the exit code. */
export async function main(
  stages: readonly AnyStage[],
  args: readonly string[],
  hooks: Hooks = {},
): Promise<number> {
  if (args[0] === "__stage") {
    await workerMain(stages, args[1], hooks.compute?.start);
    return 0;
  }
  try {
    return await command(stages, args, hooks);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof StageError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

async function command(
  stages: readonly AnyStage[],
  args: readonly string[],
  hooks: Hooks,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        profile: { type: "string" },
        backend: { type: "string" },
        set: { type: "string", multiple: true },
        jobs: { type: "string" },
        "group-size": { type: "string" },
        force: { type: "boolean" },
        "keep-going": { type: "boolean" },
        "dry-run": { type: "boolean" },
        partial: { type: "boolean" },
        verbose: { type: "boolean" },
        mermaid: { type: "boolean" },
        "no-inputs": { type: "boolean" },
        checkpoints: { type: "boolean" },
        "foreign-locks": { type: "boolean" },
        shard: { type: "string" },
        out: { type: "string" },
        root: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    const opt = /'(--?[^']+)'/.exec(msg)?.[1];
    throw new UsageError(
      opt && /Unknown option/.test(msg)
        ? `Unknown option "${opt}"; run with --help for the options`
        : opt && /ambiguous/.test(msg)
        ? `Cannot read the value of ${opt}: it starts with "-"; write ${opt}=VALUE`
        : `${msg.split(". ")[0]}; run with --help for the options`,
    );
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals.length === 0) {
    console.log(USAGE);
    return v.help ? 0 : 2;
  }
  const [cmd, ...rest] = positionals;
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    throw new UsageError(
      `Unknown command "${cmd}"${didYouMean(cmd, COMMANDS)}; commands: ${COMMANDS.join(", ")}`,
    );
  }
  checkOptions(cmd, Object.keys(v).filter((k) => v[k as keyof typeof v] !== undefined));
  if (v.root !== undefined) checkRoot(v.root);
  if ((cmd === "dag" || cmd === "gc" || cmd === "publish-run") && rest.length) {
    throw new UsageError(
      `Cannot run ${cmd} on "${rest[0]}": it takes no targets (it covers every stage)`,
    );
  }
  let graph = buildGraph(stages);
  const layout = new Layout(v.root ?? Deno.cwd());
  if (cmd === "dag") {
    console.log(v.mermaid ? dagMermaid(graph) : dagText(graph));
    return 0;
  }
  if (cmd === "import") {
    if (rest.length < 1) {
      throw new UsageError(
        "Cannot import: give one archive or more, e.g. `import results.tar.gz`",
      );
    }
    for (const f of rest) checkImportPath(f);
    const n = importArchives(layout, graph, rest);
    const ckpt = n.checkpoints || n.checkpointsKept
      ? `; restored the checkpoints of ${n.checkpoints} unfinished stages` +
        (n.checkpointsKept ? ` (${n.checkpointsKept} kept: this project has its own)` : "")
      : "";
    console.log(
      `imported ${n.imported} entries (${n.skipped} already present)${ckpt} from ${
        rest.join(", ")
      }`,
    );
    return 0;
  }

  if (cmd === "check-run") {
    if (rest.length !== 1) {
      throw new UsageError(
        "Cannot check a run: give one published run's directory, e.g. " +
          "`check-run results/paper-cpu-2026-12-04`",
      );
    }
    const prov = readRunProvenance(rest[0]);
    const names = hooks.backends ?? ["cpu"];
    if (!(PROFILES as readonly string[]).includes(prov.profile) || !names.includes(prov.backend)) {
      throw new UsageError(
        `Cannot check the run "${rest[0]}": it was made under profile ${prov.profile} and ` +
          `backend ${prov.backend}, which this checkout does not have (profiles ` +
          `${PROFILES.join(", ")}; backends ${names.join(", ")})`,
      );
    }
    const runOverrides = (prov.overrides ?? []).map(parseOverride);
    checkOverrideStages(runOverrides, [...graph.byId.keys()]);
    const runPlanner = new Planner(codeRoot(), {
      profile: prov.profile as Profile,
      backend: prov.backend,
      overrides: runOverrides,
      deno: Deno.version.deno,
      projectRoot: layout.root,
      ...(hooks.compute ? { computeModule: hooks.compute.module } : {}),
    });
    const rows = checkRun(graph, runPlanner, prov, readRunManifests(rest[0], prov));
    console.log(formatRunCheck(rest[0], prov, rows));
    return 0;
  }

  const overrides: Override[] = (v.set ?? []).map(parseOverride);
  checkOverrideStages(overrides, [...graph.byId.keys()]);
  const jobsArg = parseJobs(v.jobs ?? "auto");
  const groupArg = parseGroupSize(v["group-size"] ?? "auto");
  const backendNames = hooks.backends ?? ["cpu"];
  const backendArg = v.backend ?? "auto";
  if (backendArg !== "auto" && !backendNames.includes(backendArg)) {
    throw new UsageError(
      `Unknown backend "${backendArg}"${didYouMean(backendArg, backendNames)}; use auto or one of ${
        backendNames.join(", ")
      }`,
    );
  }
  if (v.profile !== undefined && !(PROFILES as readonly string[]).includes(v.profile)) {
    throw new UsageError(
      `Unknown profile "${v.profile}"${didYouMean(v.profile, PROFILES)}; use ${
        PROFILES.join(", ")
      }`,
    );
  }
  // Only look for a GPU when it decides something: it costs an adapter request.
  let gpu: { description: string } | null = null;
  if ((backendArg === "auto" || v.profile === undefined) && hooks.detectGpu) {
    gpu = await hooks.detectGpu();
  }
  const backend = backendArg === "auto"
    ? (gpu && hooks.gpuBackend ? hooks.gpuBackend : backendNames[0])
    : backendArg;
  const profile = (v.profile ?? (gpu ? "paper" : "quick")) as Profile;
  const jobs = jobsArg === "auto" ? defaultJobs(backend, hooks) : jobsArg;
  let targets = cmd === "export" ? rest.slice(1) : rest;
  const planner = new Planner(codeRoot(), {
    profile,
    backend,
    overrides,
    deno: Deno.version.deno,
    projectRoot: layout.root,
    ...(hooks.compute ? { computeModule: hooks.compute.module } : {}),
  });
  select(graph, targets); // unknown targets fail here, before anything else
  for (const s of graph.order) planner.params(s); // and bad overrides here
  if (cmd === "publish-run") {
    if (v.out !== undefined && v.out.trim() === "") {
      throw new UsageError(`Cannot publish to "": give a directory such as results/my-run`);
    }
    const r = await publishRun(layout, graph, planner, {
      partial: v.partial ?? false,
      trainings: hooks.trainings ?? [],
      partialStages: hooks.partial ?? [],
      out: v.out,
      now: new Date(),
      commit: await gitCommit(codeRoot()),
    });
    console.log(
      `published ${r.files.length} files, ${(r.bytes / 1e6).toFixed(1)} MB, to ${r.dir} ` +
        `(${r.trainings} trainings in its archive; profile ${profile}, backend ${backend})`,
    );
    return 0;
  }
  let shard: { spec: ShardSpec; out: string; shards: Shard[] } | null = null;
  if (v.out !== undefined && v.shard === undefined) {
    throw new UsageError("Cannot use --out without --shard: it names a shard's archive");
  }
  if (v.shard !== undefined) {
    shard = planShard(graph, planner, hooks, targets, {
      raw: v.shard,
      out: v.out ??
        relative(Deno.cwd(), join(layout.root, defaultShardArchive(parseShard(v.shard)))),
      explicit: v.profile !== undefined && backendArg !== "auto",
      partial: v.partial ?? false,
      backend,
    });
    // `export --shard` writes to its FILE; `reproduce --shard` to --out or the default.
    if (cmd === "reproduce" && v.out === undefined && !v["dry-run"]) {
      // The default archive goes to data/, which a fresh clone has not made yet.
      Deno.mkdirSync(dirname(shard.out), { recursive: true });
    }
    if (cmd === "reproduce" && (v.out !== undefined || !v["dry-run"])) {
      checkExportPath(layout, shard.out);
    }
    targets = shard.shards[shard.spec.index - 1].ids;
    if (v["dry-run"]) console.log(formatShards(shard.spec, shard.shards, profile, backend));
  }
  if (v.partial) {
    if (cmd !== "reproduce") {
      throw new UsageError(`Cannot use --partial with ${cmd}: it applies to reproduce only`);
    }
    const narrowed = narrowTargets(layout, graph, planner, targets, hooks.partial ?? []);
    graph = buildGraph(stages.map((s) => narrowed.get(s.id)?.stage ?? s));
    targets = [...narrowed.keys()];
    for (const [id, n] of narrowed) {
      const all = Object.keys(stages.find((s) => s.id === id)!.inputs).length;
      const kept = Object.keys(n.stage.inputs).length;
      console.error(
        `partial: ${id} runs over ${kept} of its ${all} inputs` +
          (n.leftOut.length
            ? `; left out, not up to date in profile ${profile}: ${listed(n.leftOut)}`
            : ` (all up to date)`),
      );
    }
  }
  if (v.profile === undefined && !gpu && cmd === "reproduce") {
    console.error(
      "note: no hardware GPU found, so the `quick` profile runs (same models, fewer steps and smaller " +
        "sets). For the paper's settings use --profile paper: on this CPU that takes many hours " +
        "(see --dry-run for the estimate).",
    );
  }

  if (cmd === "status") {
    const rows = computeStatus(layout, graph, planner, targets);
    console.log(`profile ${profile}, backend ${backend}\n${formatStatus(rows)}`);
    return 0;
  }
  if (cmd === "gc") {
    const dry = v["dry-run"] ?? false;
    const r = gc(layout, graph, codeRoot(), backend, overrides, dry, v["foreign-locks"] ?? false);
    for (const q of r.quarantined) {
      console.log(`${dry ? "would remove" : "removed"} data/quarantine/${q}`);
    }
    for (const d of r.damaged) console.log(`${dry ? "would remove" : "removed"} damaged ${d}`);
    console.log(
      `${dry ? "would remove" : "removed"}: ${r.entries} entries, ${r.temp} temporary files, ` +
        `${r.locks} stale locks, ${r.quarantined.length} quarantined entries` +
        (r.foreignKept
          ? `; kept ${r.foreignKept} locks of other hosts (--foreign-locks removes them)`
          : ""),
    );
    return 0;
  }
  if (cmd === "export") {
    if (rest.length < 1) {
      throw new UsageError(
        "Cannot export: give the archive path, e.g. `export results.tar.gz [targets]`",
      );
    }
    checkExportPath(layout, rest[0]);
    if (v["no-inputs"] && !targets.length) {
      throw new UsageError("Cannot export with --no-inputs: name the stages to export");
    }
    // A shard's archive: its trainings alone, finished or checkpointed (what an interrupted
    // `reproduce --shard` would have exported).
    const n = await exportArchive(layout, graph, planner, targets, rest[0], {
      noInputs: (v["no-inputs"] ?? false) || shard !== null,
      checkpoints: (v.checkpoints ?? false) || shard !== null,
    });
    const ckpt = n.checkpoints ? ` and the checkpoints of ${n.checkpoints} unfinished stages` : "";
    console.log(`exported ${n.entries} entries${ckpt} to ${rest[0]}`);
    return 0;
  }
  if (v["dry-run"]) {
    const rows = computeStatus(layout, graph, planner, targets);
    // On the cpu a stage's kernels get the cores left to it by the others running beside it.
    const threads = backend === "cpu" ? threadsPerStage(jobs) : 1;
    let total = 0;
    const scheduled: ScheduledStage[] = [];
    for (const r of rows) {
      if (r.state === "up-to-date") continue;
      const s = graph.byId.get(r.id)!;
      const est = s.estimate?.(planner.params(s), backend, threads);
      if (est) total += est;
      scheduled.push({ id: r.id, seconds: est ?? 0, needs: graph.deps.get(r.id) ?? [] });
      // A stage resuming from checkpoints takes less than the estimate of a whole run.
      const whole = r.resumes ? " from the start" : "";
      console.log(
        `would run ${r.id}${est ? ` (~${formatDuration(est)}${whole})` : ""}: ${r.why.join("; ")}`,
      );
    }
    const n = scheduled.length;
    const wall = makespan(criticalPathOrder(scheduled), jobs); // as the runner orders them
    console.log(
      `${n} of ${rows.length} stages would run: estimated ${
        formatDuration(total)
      } of stage time, ` +
        `about ${formatDuration(wall)} with --jobs ${jobs}` +
        `${backend === "cpu" ? ` (${threads} thread${threads === 1 ? "" : "s"} each)` : ""} ` +
        `(profile ${profile}, backend ${backend})`,
    );
    return 0;
  }
  if (backendArg !== "auto" && hooks.checkBackend) {
    const check = await hooks.checkBackend(backend);
    if (check.error) throw new UsageError(check.error);
    if (check.warning) console.error(`warning: ${check.warning}`);
  }
  const live = Deno.stderr.isTerminal() && !Deno.env.get("CI");
  const board = new ProgressBoard(live);
  const external = graph.order.flatMap((s) => Object.values(planner.externalPaths(s)));
  const worker = workerCommand(layout, backend, external);
  if (cmd === "verify") {
    const r = await verifyStages(layout, graph, planner, targets, board, worker);
    board.close();
    return r;
  }
  const t0 = performance.now();
  const result = await runStages(
    layout,
    graph,
    planner,
    {
      targets,
      jobs,
      groupSize: groupArg === "auto" ? (hooks.groupSize?.(backend) ?? 1) : groupArg,
      force: v.force ?? false,
      keepGoing: v["keep-going"] ?? false,
      verbose: v.verbose ?? false,
    },
    board,
    worker,
  );
  board.close();
  const secs = (performance.now() - t0) / 1000;
  console.error(
    `${result.ran.length} ran, ${result.reused.length} cached, ${result.failed.length} failed` +
      `${
        result.skipped.length
          ? `, ${result.skipped.length} skipped (${result.skipped.join(", ")})`
          : ""
      }` +
      ` in ${formatDuration(secs)} (profile ${profile}, backend ${backend})`,
  );
  if (result.failed.length) {
    console.error(
      `failed: ${result.failed.map((id) => `${id} (log: data/logs/${id}.log)`).join(", ")}`,
    );
  }
  if (shard) return await exportShard(layout, graph, planner, targets, shard, result.code);
  return result.code;
}

/** Settles `--shard I/N`: which trainings each shard runs, and where this one's archive goes. */
function planShard(
  graph: Graph,
  planner: Planner,
  hooks: Hooks,
  targets: readonly string[],
  o: { raw: string; out: string; explicit: boolean; partial: boolean; backend: string },
): { spec: ShardSpec; out: string; shards: Shard[] } {
  const spec = parseShard(o.raw);
  if (o.partial) {
    throw new UsageError("Cannot use --shard with --partial: a shard runs its trainings whole");
  }
  if (!o.explicit) {
    throw new UsageError(
      `Cannot use --shard without --profile and --backend: every shard and the merge must ` +
        `compute the same keys, whatever each machine finds; add e.g. --profile paper --backend cpu`,
    );
  }
  const trainings = select(graph, targets).filter((s) => (hooks.trainings ?? []).includes(s.id));
  if (!trainings.length) {
    throw new UsageError(
      `Cannot use --shard: ${
        targets.length ? `the targets ${listed(targets)} need` : "this project has"
      } no training stage to share out; run them with plain reproduce`,
    );
  }
  // One thread whatever the machine: every shard must find the same assignment.
  const estimate = (s: AnyStage) => s.estimate?.(planner.params(s), o.backend, 1) ?? 0;
  const shards = inGraphOrder(
    graph,
    assignShards(shardUnits(graph, trainings, estimate), spec.count),
  );
  return { spec, out: o.out, shards };
}

/** The `--dry-run` lines of `--shard`: every shard's trainings and estimated time. */
function formatShards(spec: ShardSpec, shards: readonly Shard[], profile: string, backend: string) {
  const n = shards.reduce((a, s) => a + s.ids.length, 0);
  const total = shards.reduce((a, s) => a + s.seconds, 0);
  const longest = Math.max(...shards.map((s) => s.seconds));
  return [
    `${n} trainings in ${spec.count} shard${
      spec.count === 1 ? "" : "s"
    } (profile ${profile}, backend ${backend}; estimates ` +
    `at one thread): ${formatDuration(total)} in all, the longest shard ${
      formatDuration(longest)
    } (its trainings, one at a time, besides the stages they need)`,
    ...shards.map((s, i) =>
      `${i + 1 === spec.index ? "*" : " "} shard ${i + 1}/${spec.count} ~${
        formatDuration(s.seconds)
      } (${s.ids.length}): ${s.ids.join(", ")}`
    ),
  ].join("\n");
}

/**
 * Exports what a shard trained, and the checkpoints of what it did not finish, so that the
 * merge gets every finished result and a later shard run resumes the rest. Returns the run's
 * exit code, or 1 when there was nothing to export.
 */
async function exportShard(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  ids: readonly string[],
  shard: { spec: ShardSpec; out: string },
  code: number,
): Promise<number> {
  const name = `shard ${shard.spec.index}/${shard.spec.count}`;
  try {
    const n = await exportArchive(layout, graph, planner, ids, shard.out, {
      noInputs: true,
      checkpoints: true,
    });
    const ckpt = n.checkpoints ? ` and the checkpoints of ${n.checkpoints} unfinished ones` : "";
    console.error(`${name}: exported ${n.entries} trainings${ckpt} to ${shard.out}`);
    return code;
  } catch (e) {
    if (!(e instanceof UsageError) || code === 0) throw e;
    // The run failed first: say what it left, and keep its exit code.
    console.error(`${name}: ${e.message}`);
    return code;
  }
}

/** Stages run at once by default: on the CPU each worker keeps one core busy (tfjs's cpu
 * backend is single-threaded), so one per core; on a GPU the hook's measured figure. */
function defaultJobs(backend: string, hooks: Hooks): number {
  if (backend !== "cpu" && hooks.gpuJobs) return hooks.gpuJobs;
  return Math.max(1, Math.min(16, navigator.hardwareConcurrency || 1));
}

/** The project directory of the entry module (where its deno.json is): code paths in keys
 * are relative to it, so keys do not depend on where the project is checked out. */
export function codeRoot(): string {
  let dir = dirname(fileURLToPath(Deno.mainModule));
  while (true) {
    try {
      Deno.statSync(join(dir, "deno.json"));
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return dirname(fileURLToPath(Deno.mainModule));
      dir = up;
    }
  }
}

/** How workers are started: the same entry module, with the least permissions that work:
 * read the code, the project and the stages' external files (those files only), write only
 * `data/` and `figures/`, no network. */
function workerCommand(
  layout: Layout,
  _backend: string,
  externalFiles: readonly string[],
): WorkerCommand {
  const code = codeRoot();
  const reads = [...new Set([code, layout.root, ...externalFiles])];
  return (jobPath) => ({
    cmd: Deno.execPath(),
    cwd: layout.root,
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      `--config=${join(code, "deno.json")}`,
      `--allow-read=${reads.join(",")}`,
      `--allow-write=${join(layout.root, "data")},${layout.figures}`,
      "--allow-env",
      "--allow-sys",
      "--allow-ffi",
      Deno.mainModule,
      "__stage",
      resolve(jobPath),
    ],
  });
}
