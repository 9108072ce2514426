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
  /**
   * Most stages one worker process runs together (`Stage.group`); 1 runs every stage in its own
   * process. Grouping changes no output, only how many processes the trainings take.
   */
  groupSize?: number;
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

  /** An attempt ready to run: its key's lock is held until `release`. */
  interface Prepared {
    stage: AnyStage;
    key: string;
    parts: Job["parts"];
    lock: HeldLock;
    discard: boolean;
    why: string;
    attempt: ActiveAttempt;
  }

  /** Reuses the stage's entry when it can (null), else takes its lock and makes its attempt. */
  const prepare = async (stage: AnyStage): Promise<Prepared | null> => {
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
      if (reuse.manifest) return void useCached(reuse.manifest), null;
    }
    const lock = await acquire(layout, stage.id, key, board);
    held.add(lock);
    let ok = false;
    try {
      let discard = false;
      let damaged: string | null = null;
      const reuse = await tryReuse(layout, stage.id, key);
      // Another process may have built it while we waited for the lock.
      if (!isForced && reuse.manifest) return void useCached(reuse.manifest), null;
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
      ok = true;
      return { stage, key, parts, lock, discard, why, attempt };
    } finally {
      if (!ok) {
        held.delete(lock);
        lock.release();
      }
    }
  };

  /** Commits a finished attempt's entry. */
  const commit = (p: Prepared, manifest: Manifest) => {
    const { stage, key, parts, attempt } = p;
    if (p.discard) discardEntry(layout, stage.id, key);
    commitEntry(layout, stage.id, key, attempt.tmpDir);
    writeLatest(layout, stage.id, { key, parts });
    try {
      Deno.removeSync(attempt.scratchDir, { recursive: true });
    } catch { /* none */ }
    result.manifests.set(stage.id, manifest);
    result.ran.push(stage.id);
    publish(layout, stage, manifest);
  };

  /** Ends an attempt, committed or not: its temporary files, its place, its lock. */
  const release = (p: Prepared) => {
    p.attempt.cleanup();
    active.delete(p.stage.id);
    held.delete(p.lock);
    p.lock.release();
  };

  const handle = async (stage: AnyStage): Promise<void> => {
    const p = await prepare(stage);
    if (!p) return;
    try {
      commit(p, await p.attempt.run(p.why));
    } finally {
      release(p);
    }
  };

  /**
   * Runs stages of one group key in one worker process (those whose entries are reusable are
   * reused, as alone); each member's outcome: null when done, else its error.
   */
  const handleGroup = async (stages: AnyStage[]): Promise<(unknown | null)[]> => {
    const outcome: (unknown | null)[] = stages.map(() => null);
    const ready: { i: number; p: Prepared }[] = [];
    try {
      for (const [i, s] of stages.entries()) {
        try {
          const p = await prepare(s);
          if (p) ready.push({ i, p });
        } catch (e) {
          outcome[i] = e;
        }
      }
      if (ready.length > 0) {
        const got = await runGroupAttempt(
          ready.map((r) => r.p.attempt),
          ready.map((r) => r.p.why),
        );
        for (const [j, { i, p }] of ready.entries()) {
          const g = got[j];
          if (g instanceof Error) outcome[i] = g;
          else {
            try {
              commit(p, g);
            } catch (e) {
              outcome[i] = e;
            }
          }
        }
      }
    } finally {
      for (const { p } of ready) release(p);
    }
    return outcome;
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

  // Grouping (`Stage.group`): a ready stage takes along ready pending stages of its group key
  // and the same input bytes. The group is as large as it needs to be to keep every free slot
  // busy with what is ready (a group takes one slot), at most `groupSize`; stages whose
  // entries look cached run alone (reuse is quick, and a group would only wait for them).
  const groupSize = Math.max(1, opts.groupSize ?? 1);
  const groupKeyOf = (s: AnyStage): string | null => {
    if (!s.group || groupSize < 2) return null;
    const params = planner.params(s);
    const k = s.group.key(params, s.compute ? planner.settings.backend : "none");
    const inputs = k === null ? null : planner.inputHashes(s, result.manifests);
    if (k === null || !inputs) return null;
    if (
      !forced.has(s.id) && lookup(layout, s.id, keyOf(planner.parts(s, inputs))).state !== "missing"
    ) {
      return null;
    }
    return `${k}\0${JSON.stringify(Object.entries(inputs).sort())}`;
  };
  const groupOf = (s: AnyStage): AnyStage[] => {
    const k = groupKeyOf(s);
    if (k === null) return [s];
    const ready = ordered.filter((o) =>
      o === s || (
        state.get(o.id) === "pending" &&
        graph.deps.get(o.id)!.every((u) => state.get(u) === "done") &&
        groupKeyOf(o) === k
      )
    );
    const free = Math.max(1, opts.jobs - running.size);
    const size = Math.min(groupSize, Math.ceil(ready.length / free));
    // Companions of about the lead's length first: a group ends with its longest member, and a
    // short one would wait for it (the list is already longest first; the sort is stable).
    const own = seconds(s);
    const others = ready.filter((o) => o !== s)
      .map((o) => ({ o, gap: Math.abs(seconds(o) - own) }))
      .sort((a, b) => a.gap - b.gap)
      .map((x) => x.o);
    return [s, ...others.slice(0, size - 1)];
  };

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
        const members = groupOf(s);
        for (const m of members) state.set(m.id, "running");
        const failed = (id: string, e: unknown) => {
          state.set(id, "failed");
          result.failed.push(id);
          if (e instanceof UsageError) usageError ??= e;
          else board.message(`✗ ${(e as Error).message}`);
          if (!opts.keepGoing || e instanceof UsageError) stopping = true;
        };
        const work: Promise<void> = members.length === 1
          ? handle(s).then(() => void state.set(s.id, "done"), (e) => failed(s.id, e))
          : handleGroup(members).then(
            (outcome) =>
              members.forEach((m, i) =>
                outcome[i] === null ? state.set(m.id, "done") : failed(m.id, outcome[i])
              ),
            (e) => members.forEach((m) => failed(m.id, e)),
          );
        running.set(s.id, work.finally(() => running.delete(s.id)));
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
const ENCODER = new TextEncoder();

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

  #t0 = 0;
  #error: string | null = null;
  #done = false;
  readonly #tail: string[] = [];
  /** The worker process running this attempt (alone or in a group), for `abort`. */
  child: Deno.ChildProcess | null = null;

  /** Path of the job file {@linkcode begin} writes. */
  get jobPath(): string {
    return this.#jobPath;
  }

  /**
   * Writes the job file, opens the log and shows the start; returns the job. `company` names
   * the other stages of its group, when it runs in one.
   */
  begin(why: string, company: readonly string[] = []): Job {
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
    this.#line(`# ${stage.id} key ${key}\n# started ${new Date().toISOString()} because: ${why}`);
    if (company.length) this.#line(`# in one process with ${company.join(", ")}`);
    const resumed = nonEmptyDir(this.scratchDir) ? "resuming" : "";
    const grouped = company.length ? `in a group of ${company.length + 1}` : "";
    this.board.start(
      stage.id,
      [why.length > 80 ? why.slice(0, 77) + "…" : why, grouped, resumed].filter(Boolean).join(", "),
    );
    this.#t0 = performance.now();
    return job;
  }

  #line(s: string): void {
    this.#log?.writeSync(ENCODER.encode(s.endsWith("\n") ? s : s + "\n"));
  }

  #keep(s: string): void {
    this.#tail.push(s);
    if (this.#tail.length > 20) this.#tail.shift();
  }

  /** A protocol message about this attempt. */
  message(m: WorkerMessage): void {
    const id = this.stage.id;
    if (m.t === "log") {
      this.#line(m.msg);
      this.#keep(m.msg);
      if (this.verbose) this.board.message(`  ${id}: ${m.msg}`);
      else if (m.msg.startsWith(WARNING_MARK)) this.board.message(`! ${id}: ${m.msg.slice(2)}`);
    } else if (m.t === "progress") {
      this.board.update(id, m.p);
      this.#progress.update(m.p);
    } else if (m.t === "error") this.#error = m.msg;
    else if (m.t === "done") this.#done = true;
  }

  /** A line the worker printed outside the protocol. */
  line(s: string): void {
    this.#line(s);
    this.#keep(s);
  }

  /** After the worker ended: the manifest it wrote, or a StageError. */
  end(status: Deno.CommandStatus): Manifest {
    const { stage } = this;
    this.child = null;
    const secs = (performance.now() - this.#t0) / 1000;
    if (!status.success || !this.#done) {
      const error = this.#error;
      const cause = error
        ? String(error).split("\n")[0]
        : `worker exited with code ${status.code}${status.signal ? ` (${status.signal})` : ""}`;
      if (error) this.#line(error);
      this.board.end(stage.id, `✗ ${stage.id} failed after ${formatDuration(secs)}`);
      const rel = relative(this.layout.root, this.#logPath);
      const last = this.#tail.slice(-8).map((l) => `    ${l}`).join("\n");
      throw new StageError(stage.id, rel, `${cause}${last ? `\n  last log lines:\n${last}` : ""}`);
    }
    this.#line(`# finished in ${secs.toFixed(1)} s`);
    this.#log?.close();
    this.#log = null;
    copyFileSync(this.#logPath, join(this.tmpDir, "log.txt"));
    this.board.end(stage.id, `✓ ${stage.id} done in ${formatDuration(secs)}`);
    return JSON.parse(Deno.readTextFileSync(join(this.tmpDir, "manifest.json"))) as Manifest;
  }

  /** Runs the worker; resolves with the manifest it wrote, or throws a StageError. */
  async run(why: string): Promise<Manifest> {
    this.begin(why);
    const status = await spawnWorker(this.worker, this.#jobPath, {
      message: (m) => this.message(m),
      line: (l) => this.line(l),
      child: (c) => this.child = c,
    });
    return this.end(status);
  }

  /** Stops the worker (on interruption). */
  abort(): void {
    try {
      this.child?.kill("SIGTERM");
    } catch { /* already gone (or stopped through another member of its group) */ }
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

/** Where a worker's output goes. */
interface WorkerSinks {
  message(m: WorkerMessage): void;
  line(s: string): void;
  child(c: Deno.ChildProcess): void;
}

/** Starts a worker on a job file and feeds its messages and other lines to `sinks`. */
async function spawnWorker(
  worker: WorkerCommand,
  jobPath: string,
  sinks: WorkerSinks,
): Promise<Deno.CommandStatus> {
  const { cmd, args, cwd } = worker(jobPath);
  const child = new Deno.Command(cmd, {
    args,
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  sinks.child(child);
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
            sinks.message(JSON.parse(line.slice(1)) as WorkerMessage);
            continue;
          } catch { /* not ours after all */ }
        }
        sinks.line(line);
      }
    }
    if (buf) sinks.line(buf);
  };
  const [status] = await Promise.all([
    child.status,
    readLines(child.stdout, true),
    readLines(child.stderr, false),
  ]);
  return status;
}

/**
 * Runs several attempts (stages of one group key, begun here) in one worker process; per
 * member, the manifest it wrote or its StageError. A message without a member index, and any
 * line outside the protocol, goes to every member's log.
 */
export async function runGroupAttempt(
  attempts: readonly ActiveAttempt[],
  whys: readonly string[],
): Promise<(Manifest | Error)[]> {
  const ids = attempts.map((a) => a.stage.id);
  const jobs = attempts.map((a, i) => a.begin(whys[i], ids.filter((id) => id !== ids[i])));
  const path = attempts[0].jobPath.replace(/\.job\.json$/, ".group.json");
  Deno.writeTextFileSync(path, JSON.stringify({ group: jobs }));
  try {
    const status = await spawnWorker(attempts[0].worker, path, {
      message: (m) => {
        if (m.member === undefined) { for (const a of attempts) a.message(m); }
        else attempts[m.member]?.message(m);
      },
      line: (l) => attempts.forEach((a) => a.line(l)),
      child: (c) => attempts.forEach((a) => a.child = c),
    });
    return attempts.map((a) => {
      try {
        return a.end(status);
      } catch (e) {
        return e as Error;
      }
    });
  } finally {
    try {
      Deno.removeSync(path);
    } catch { /* gone */ }
  }
}
