/**
 * The runner: takes the selected stages in topological order, reuses every entry whose key is
 * cached and whose files match their manifest, and runs the rest in worker processes, up to
 * `jobs` at once, each under a per-key lock. On success an attempt's temporary directory is
 * renamed into the cache; on failure or interruption it is removed, so no partial entry ever
 * exists.
 *
 * @module
 */
import { criticalPathOrder } from "./critical_path.ts";
import { copyFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import {
  commitEntry,
  discardEntry,
  lookup,
  quarantineEntry,
  readLatest,
  verifyFiles,
  writeLatest,
} from "./cache.ts";
import { StageError, UsageError } from "./errors.ts";
import { type Graph, select, splitRef } from "./graph.ts";
import { type Job, MESSAGE_MARK, WARNING_MARK, type WorkerMessage } from "./job.ts";
import { explainChange, keyOf } from "./key.ts";
import { type Layout, nonEmptyDir } from "./layout.ts";
import { CLEAR_FOREIGN_LOCKS, type HeldLock, tryLock } from "./lock.ts";
import type { Manifest } from "./manifest.ts";
import type { Planner } from "./planner.ts";
import { publish } from "./publish.ts";
import { formatDuration, type ProgressBoard } from "./progress.ts";
import { ProgressFile, progressPathOf } from "./run_progress.ts";
import { seedFromLabel } from "./rng.ts";
import type { AnyStage } from "./stage.ts";

/** Options of one `reproduce`. */
export interface RunOptions {
  targets: readonly string[];
  jobs: number;
  force: boolean;
  keepGoing: boolean;
  verbose: boolean;
}

/**
 * CPU threads a stage may use when `jobs` stages run at once: the cores shared out evenly, at
 * least one. Outputs must not depend on it (it is not part of any key).
 */
export function threadsPerStage(jobs: number): number {
  return Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / Math.max(1, jobs)));
}

/** How to start a worker process for a job file. */
export type WorkerCommand = (jobPath: string) => { cmd: string; args: string[]; cwd: string };

/** The outcome of a run. */
export interface RunResult {
  /** 0 all done; 1 a stage failed; 2 a usage problem (e.g. a corrupt manifest). */
  code: number;
  ran: string[];
  reused: string[];
  failed: string[];
  skipped: string[];
  /** Manifests of every stage that is now available. */
  manifests: Map<string, Manifest>;
}

/** Runs the selected stages. */
export async function runStages(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  opts: RunOptions,
  board: ProgressBoard,
  worker: WorkerCommand,
): Promise<RunResult> {
  const selected = select(graph, opts.targets);
  for (const s of selected) planner.params(s); // every override checked before anything runs
  const forced = new Set(
    opts.force ? (opts.targets.length ? opts.targets : selected.map((s) => s.id)) : [],
  );
  const result: RunResult = {
    code: 0,
    ran: [],
    reused: [],
    failed: [],
    skipped: [],
    manifests: new Map(),
  };
  const state = new Map<string, "pending" | "running" | "done" | "failed" | "skipped">(
    selected.map((s) => [s.id, "pending"]),
  );
  const active = new Map<string, ActiveAttempt>();
  let stopping = false;
  let usageError: UsageError | null = null;

  // Locks held now: an interrupt exits without unwinding, so it releases them itself (a lock
  // left behind would make the next run wait for, then take over from, a dead process).
  const held = new Set<HeldLock>();
  const onSignal = () => {
    board.message("Interrupted: stopping running stages (their checkpoints are kept)");
    for (const a of active.values()) a.abort();
    for (const a of active.values()) a.cleanup();
    for (const l of held) l.release();
    board.close();
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, onSignal);

  const handle = async (stage: AnyStage): Promise<void> => {
    const inputs = planner.inputHashes(stage, result.manifests);
    if (!inputs) throw new Error(`internal: inputs of "${stage.id}" not ready`);
    const parts = planner.parts(stage, inputs);
    const key = keyOf(parts);
    const isForced = forced.has(stage.id);
    const useCached = (manifest: Manifest) => {
      result.manifests.set(stage.id, manifest);
      result.reused.push(stage.id);
      publish(layout, stage, manifest);
      if (opts.verbose) board.message(`✓ ${stage.id}: cached (${key.slice(0, 12)})`);
    };
    if (!isForced) {
      const reuse = await tryReuse(layout, stage.id, key);
      if (reuse.manifest) return useCached(reuse.manifest);
    }
    const lock = await acquire(layout, stage.id, key, board);
    held.add(lock);
    try {
      let discard = false;
      let damaged: string | null = null;
      const reuse = await tryReuse(layout, stage.id, key);
      // Another process may have built it while we waited for the lock.
      if (!isForced && reuse.manifest) return useCached(reuse.manifest);
      if (reuse.problems) {
        // Set aside before the rebuild: a damaged entry would block the new one's rename.
        damaged = reuse.problems.join("; ");
        const where = quarantineEntry(layout, stage.id, key, damaged);
        board.message(
          `! ${stage.id}: cached entry ${key.slice(0, 12)} is damaged (${damaged}); ` +
            `${where ? `moved to ${where}; ` : ""}rebuilding`,
        );
      } else discard = reuse.manifest !== undefined;
      if (isForced) {
        // A forced run starts afresh: checkpoints left by earlier attempts are not resumed.
        try {
          Deno.removeSync(layout.scratchDir(stage.id, key), { recursive: true });
        } catch { /* none */ }
      }
      const why = isForced
        ? "forced"
        : damaged
        ? "its cache entry was damaged"
        : explainChange(readLatest(layout, stage.id)?.parts ?? null, parts).join("; ");
      const attempt = new ActiveAttempt(
        layout,
        stage,
        key,
        parts,
        planner,
        result.manifests,
        board,
        worker,
        opts.verbose,
        threadsPerStage(opts.jobs),
      );
      active.set(stage.id, attempt);
      try {
        const manifest = await attempt.run(why);
        if (discard) discardEntry(layout, stage.id, key);
        commitEntry(layout, stage.id, key, attempt.tmpDir);
        writeLatest(layout, stage.id, { key, parts });
        try {
          Deno.removeSync(attempt.scratchDir, { recursive: true });
        } catch { /* none */ }
        result.manifests.set(stage.id, manifest);
        result.ran.push(stage.id);
        publish(layout, stage, manifest);
      } finally {
        attempt.cleanup();
        active.delete(stage.id);
      }
    } finally {
      held.delete(lock);
      lock.release();
    }
  };

  // Ready stages start longest remaining path first (see ./critical_path.ts).
  const inRun = new Set(selected.map((s) => s.id));
  const seconds = (s: AnyStage): number => {
    try {
      return s.estimate?.(
        planner.params(s),
        s.compute ? planner.settings.backend : "none",
        threadsPerStage(opts.jobs),
      ) ?? 0;
    } catch {
      return 0; // an estimate is advice: one that fails only loses its stage's priority
    }
  };
  const ordered = criticalPathOrder(
    selected.map((s) => ({
      stage: s,
      id: s.id,
      seconds: seconds(s),
      needs: graph.deps.get(s.id)!.filter((u) => inRun.has(u)),
    })),
  ).map((o) => o.stage);
  const running = new Map<string, Promise<void>>();
  try {
    while (true) {
      for (const s of ordered) {
        if (state.get(s.id) !== "pending") continue;
        const ups = graph.deps.get(s.id)!;
        if (ups.some((u) => state.get(u) === "failed" || state.get(u) === "skipped")) {
          state.set(s.id, "skipped");
          result.skipped.push(s.id);
          continue;
        }
        if (stopping || running.size >= opts.jobs) continue;
        if (!ups.every((u) => state.get(u) === "done")) continue;
        state.set(s.id, "running");
        running.set(
          s.id,
          handle(s).then(
            () => void state.set(s.id, "done"),
            (e) => {
              state.set(s.id, "failed");
              result.failed.push(s.id);
              if (e instanceof UsageError) usageError ??= e;
              else board.message(`✗ ${(e as Error).message}`);
              if (!opts.keepGoing || e instanceof UsageError) stopping = true;
            },
          ).finally(() => running.delete(s.id)),
        );
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    for (const sig of signals) Deno.removeSignalListener(sig, onSignal);
  }
  for (const s of selected) {
    if (state.get(s.id) === "pending") {
      state.set(s.id, "skipped");
      result.skipped.push(s.id);
    }
  }
  if (usageError) throw usageError;
  result.code = result.failed.length ? 1 : 0;
  return result;
}

/** Checks a cached entry: its manifest, or the problems that stop its reuse (a missing,
 * unreadable or edited manifest, or a file that differs from it); nothing when there is none. */
async function tryReuse(
  layout: Layout,
  stage: string,
  key: string,
): Promise<{ manifest?: Manifest; problems?: string[] }> {
  const found = lookup(layout, stage, key);
  if (found.state === "missing") return {};
  if (found.state === "corrupt") return { problems: [found.reason] };
  const problems = await verifyFiles(layout.entry(stage, key), found.manifest);
  return problems.length ? { problems } : { manifest: found.manifest };
}

/** Waits for the lock of a key; a lock left by a dead process is taken over, one of another
 * host is waited for with the command that clears it. */
async function acquire(
  layout: Layout,
  stage: string,
  key: string,
  board: ProgressBoard,
): Promise<HeldLock> {
  let told = false;
  while (true) {
    const got = tryLock(layout.lock(stage, key));
    if ("release" in got) return got;
    if (!told) {
      board.message(
        got.foreign
          ? `… ${stage}: waiting for ${got.owner}, another host, which this one cannot check; ` +
            `if nothing runs ${stage} there, stop this and clear its lock with \`${CLEAR_FOREIGN_LOCKS}\``
          : `… ${stage}: waiting for ${got.owner}, which is running the same key`,
      );
      told = true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

let attemptCounter = 0;

/** Where an attempt writes (defaults: a fresh temporary directory, the key's scratch
 * directory, the stage's log). */
export interface AttemptDirs {
  tmpDir: string;
  scratchDir: string;
  logPath: string;
}

/** One attempt at one key, in a worker process. */
export class ActiveAttempt {
  readonly tmpDir: string;
  readonly scratchDir: string;
  readonly #jobPath: string;
  readonly #logPath: string;
  #child: Deno.ChildProcess | null = null;
  #log: Deno.FsFile | null = null;
  /** For `status` from another shell (see `run_progress.ts`). */
  readonly #progress: ProgressFile;

  constructor(
    readonly layout: Layout,
    readonly stage: AnyStage,
    readonly key: string,
    readonly parts: Job["parts"],
    readonly planner: Planner,
    readonly manifests: ReadonlyMap<string, Manifest>,
    readonly board: ProgressBoard,
    readonly worker: WorkerCommand,
    readonly verbose: boolean,
    readonly threads: number,
    dirs?: AttemptDirs,
  ) {
    const name = `${stage.id}-${key.slice(0, 12)}-${Deno.pid}-${++attemptCounter}`;
    this.tmpDir = dirs?.tmpDir ?? join(layout.tmp, name);
    this.#jobPath = join(layout.tmp, `${name}.job.json`);
    this.#logPath = dirs?.logPath ?? layout.log(stage.id);
    this.scratchDir = dirs?.scratchDir ?? layout.scratchDir(stage.id, key);
    this.#progress = new ProgressFile(progressPathOf(this.#logPath), key);
  }

  /** Runs the worker; resolves with the manifest it wrote, or throws a StageError. */
  async run(why: string): Promise<Manifest> {
    const { stage, key } = this;
    const inputs: Job["inputs"] = {};
    for (const [name, ref] of Object.entries(stage.inputs)) {
      const [up, file] = splitRef(ref);
      const m = this.manifests.get(up)!;
      inputs[name] = {
        ref,
        path: join(this.layout.entry(up, m.key), file),
        sha256: m.outputs[file].sha256,
      };
    }
    const params = this.planner.params(stage);
    const job: Job = {
      stage: stage.id,
      key,
      parts: this.parts,
      profile: this.planner.settings.profile,
      backend: stage.compute ? this.planner.settings.backend : "none",
      params,
      inputs,
      outDir: this.tmpDir,
      scratchDir: this.scratchDir,
      seed: seedFromLabel(`${stage.id}\0${this.parts.params}`),
      threads: this.threads,
    };
    Deno.mkdirSync(this.layout.tmp, { recursive: true });
    Deno.mkdirSync(dirname(this.#logPath), { recursive: true });
    Deno.writeTextFileSync(this.#jobPath, JSON.stringify(job));
    this.#log = Deno.openSync(this.#logPath, { write: true, create: true, truncate: true });
    const enc = new TextEncoder();
    const logLine = (s: string) =>
      this.#log?.writeSync(enc.encode(s.endsWith("\n") ? s : s + "\n"));
    logLine(`# ${stage.id} key ${key}\n# started ${new Date().toISOString()} because: ${why}`);
    const resumed = nonEmptyDir(this.scratchDir) ? "resuming" : "";
    this.board.start(
      stage.id,
      [why.length > 80 ? why.slice(0, 77) + "…" : why, resumed].filter(Boolean).join(", "),
    );
    const t0 = performance.now();
    const { cmd, args, cwd } = this.worker(this.#jobPath);
    this.#child = new Deno.Command(cmd, {
      args,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
    let error: string | null = null;
    let done = false;
    const tail: string[] = [];
    const keep = (s: string) => {
      tail.push(s);
      if (tail.length > 20) tail.shift();
    };
    const onMessage = (m: WorkerMessage) => {
      if (m.t === "log") {
        logLine(m.msg);
        keep(m.msg);
        if (this.verbose) this.board.message(`  ${stage.id}: ${m.msg}`);
        else if (m.msg.startsWith(WARNING_MARK)) {
          this.board.message(`! ${stage.id}: ${m.msg.slice(2)}`);
        }
      } else if (m.t === "progress") {
        this.board.update(stage.id, m.p);
        this.#progress.update(m.p);
      } else if (m.t === "error") error = m.msg;
      else if (m.t === "done") done = true;
    };
    const readLines = async (stream: ReadableStream<Uint8Array>, isStdout: boolean) => {
      const dec = new TextDecoder();
      let buf = "";
      for await (const chunk of stream) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (isStdout && line.startsWith(MESSAGE_MARK)) {
            try {
              onMessage(JSON.parse(line.slice(1)) as WorkerMessage);
              continue;
            } catch { /* not ours after all */ }
          }
          logLine(line);
          keep(line);
        }
      }
      if (buf) logLine(buf);
    };
    const [status] = await Promise.all([
      this.#child.status,
      readLines(this.#child.stdout, true),
      readLines(this.#child.stderr, false),
    ]);
    this.#child = null;
    const secs = (performance.now() - t0) / 1000;
    if (!status.success || !done) {
      const cause = error
        ? String(error).split("\n")[0]
        : `worker exited with code ${status.code}${status.signal ? ` (${status.signal})` : ""}`;
      if (error) logLine(error);
      this.board.end(stage.id, `✗ ${stage.id} failed after ${formatDuration(secs)}`);
      const rel = relative(this.layout.root, this.#logPath);
      const last = tail.slice(-8).map((l) => `    ${l}`).join("\n");
      throw new StageError(stage.id, rel, `${cause}${last ? `\n  last log lines:\n${last}` : ""}`);
    }
    logLine(`# finished in ${secs.toFixed(1)} s`);
    this.#log?.close();
    this.#log = null;
    copyFileSync(this.#logPath, join(this.tmpDir, "log.txt"));
    this.board.end(stage.id, `✓ ${stage.id} done in ${formatDuration(secs)}`);
    return JSON.parse(Deno.readTextFileSync(join(this.tmpDir, "manifest.json"))) as Manifest;
  }

  /** Stops the worker (on interruption). */
  abort(): void {
    try {
      this.#child?.kill("SIGTERM");
    } catch { /* already gone */ }
  }

  /** Removes the temporary directory and job file (the scratch directory is kept). */
  cleanup(): void {
    this.#progress.close();
    try {
      this.#log?.close();
    } catch { /* closed */ }
    this.#log = null;
    for (const p of [this.tmpDir, this.#jobPath]) {
      try {
        Deno.removeSync(p, { recursive: true });
      } catch { /* committed or never made */ }
    }
  }
}
