/**
 * The worker side: runs one stage attempt in its own process, so stages run in parallel,
 * a crash or a kill affects one attempt only, and GPU trainings scale across processes.
 * It builds the stage's context, runs it, checks that every declared output exists, hashes
 * the outputs and writes `manifest.json` into the temporary directory. The runner renames
 * that directory into the cache.
 *
 * @module
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { sha256File } from "./hash.ts";
import type { GroupJob, Job, WorkerMessage } from "./job.ts";
import { MESSAGE_MARK } from "./job.ts";
import type { Manifest } from "./manifest.ts";
import { createRng } from "./rng.ts";
import type { AnyStage, Context, Json, Progress } from "./stage.ts";

/** The entry's way of starting the compute backend of a stage with `compute`. */
export interface ComputeHook {
  /** `import.meta.url` of the module whose code `start` runs (it joins compute stages' keys). */
  module: string;
  /**
   * Starts the backend in this process for a stage; returns facts for its manifest's records
   * (`adapter`, a string, also fills the manifest's `adapter` field).
   */
  start(backend: string, threads: number): Promise<Record<string, Json>>;
}

/** Sends one protocol message to the runner. */
export function send(msg: WorkerMessage): void {
  Deno.stdout.writeSync(new TextEncoder().encode(MESSAGE_MARK + JSON.stringify(msg) + "\n"));
}

/** Ends this process when the runner goes away (its end of our stdin closes), so a killed
 * runner never leaves an orphan attempt holding a GPU or racing a later run. */
export function exitWithParent(): void {
  (async () => {
    const buf = new Uint8Array(64);
    try {
      while ((await Deno.stdin.read(buf)) !== null) { /* the runner never writes */ }
    } catch { /* closed */ }
    Deno.exit(137);
  })();
}

/** Builds the context of a job. Messages go through `sink` (the protocol, or a test's array). */
export function makeContext(
  job: Job,
  sink: (m: WorkerMessage) => void,
  records: Record<string, Json>,
): Context<Record<string, Json>> {
  let lastProgress = 0;
  return {
    id: job.stage,
    params: job.params,
    profile: job.profile,
    backend: job.backend,
    threads: job.threads ?? 1,
    inputs: Object.fromEntries(Object.entries(job.inputs).map(([k, v]) => [k, v.path])),
    outDir: job.outDir,
    outPath(name: string): string {
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
        throw new Error(`Cannot write output "${name}": output names are plain file names`);
      }
      return join(job.outDir, name);
    },
    scratchDir: job.scratchDir,
    rng: createRng(job.seed),
    log(message: string): void {
      sink({ t: "log", msg: message });
    },
    progress(p: Progress): void {
      // At most ~10 messages a second: progress is for people, not a data channel.
      const now = performance.now();
      if (now - lastProgress < 100 && p.step !== p.total) return;
      lastProgress = now;
      sink({ t: "progress", p });
    },
    record(key: string, value: Json): void {
      records[key] = value;
    },
  };
}

/** What a job's attempt has gathered before its stage runs. */
interface Opened {
  job: Job;
  ctx: Context<Record<string, Json>>;
  records: Record<string, Json>;
  started: Date;
  t0: number;
}

function openJob(job: Job, sink: (m: WorkerMessage) => void): Opened {
  const started = new Date();
  const t0 = performance.now();
  const records: Record<string, Json> = { host: hostname() };
  Deno.mkdirSync(job.outDir, { recursive: true });
  Deno.mkdirSync(job.scratchDir, { recursive: true });
  return { job, ctx: makeContext(job, sink, records), records, started, t0 };
}

/** Whether a stage runs through `group.run` (as a group of one when alone). */
function grouped(stage: AnyStage, job: Job): boolean {
  return stage.group !== undefined && stage.group.key(job.params, job.backend) !== null;
}

/** Checks the declared outputs, hashes every file and writes `manifest.json`. */
async function sealJob(stage: AnyStage, o: Opened): Promise<Manifest> {
  const { job, records } = o;
  const missing = stage.outputs.filter((f) => {
    try {
      return !Deno.statSync(join(job.outDir, f)).isFile;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new Error(`finished without writing declared output(s): ${missing.join(", ")}`);
  }
  // Every file the stage wrote is part of the entry (declared ones first), and all are checked.
  const outputs: Manifest["outputs"] = {};
  const files = [...Deno.readDirSync(job.outDir)]
    .filter((e) => e.isFile && e.name !== "manifest.json" && e.name !== "log.txt")
    .map((e) => e.name).sort();
  for (const f of files) outputs[f] = await sha256File(join(job.outDir, f));
  const durationMs = Math.round(performance.now() - o.t0);
  const manifest: Manifest = {
    format: 1,
    stage: job.stage,
    key: job.key,
    parts: job.parts,
    profile: job.profile,
    backend: job.backend,
    adapter: typeof records.adapter === "string" ? records.adapter : null,
    params: job.params,
    inputs: Object.fromEntries(
      Object.entries(job.inputs).map(([k, v]) => [k, { ref: v.ref, sha256: v.sha256 }]),
    ),
    outputs,
    seeds: { rng: job.seed },
    started: o.started.toISOString(),
    finished: new Date().toISOString(),
    durationMs,
    deno: Deno.version.deno,
    deps: job.parts.deps,
    records,
  };
  Deno.writeTextFileSync(join(job.outDir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Runs a job's stage and writes its manifest; throws when the stage fails. */
export async function executeJob(
  stage: AnyStage,
  job: Job,
  sink: (m: WorkerMessage) => void,
  startCompute?: ComputeHook["start"],
): Promise<Manifest> {
  const o = openJob(job, sink);
  if (stage.compute && startCompute) {
    Object.assign(o.records, await startCompute(job.backend, job.threads ?? 1));
  }
  if (grouped(stage, job)) {
    o.records.group = [job.stage];
    await stage.group!.run([o.ctx]);
  } else await stage.run(o.ctx);
  return await sealJob(stage, o);
}

/**
 * Runs the jobs of one group in this process (`Stage.group`): the members' stages must share
 * a group key; their messages go out tagged with the member's index. Returns the manifests, or
 * throws when the group fails (then no member's outputs are kept).
 */
export async function executeGroup(
  stages: readonly AnyStage[],
  jobs: readonly Job[],
  sink: (m: WorkerMessage) => void,
  startCompute?: ComputeHook["start"],
): Promise<Manifest[]> {
  const keys = jobs.map((j, i) => stages[i].group?.key(j.params, j.backend) ?? null);
  if (jobs.length === 0 || keys.some((k) => k === null || k !== keys[0])) {
    throw new Error(
      `Cannot run ${jobs.map((j) => j.stage).join(", ")} as one group: their group keys differ`,
    );
  }
  const opened = jobs.map((job, i) => openJob(job, (m) => sink({ ...m, member: i })));
  const lead = stages[0];
  if (lead.compute && startCompute) {
    const facts = await startCompute(jobs[0].backend, jobs[0].threads ?? 1);
    for (const o of opened) Object.assign(o.records, facts);
  }
  for (const o of opened) o.records.group = jobs.map((j) => j.stage);
  await lead.group!.run(opened.map((o) => o.ctx));
  const out: Manifest[] = [];
  for (const [i, o] of opened.entries()) out.push(await sealJob(stages[i], o));
  return out;
}

/**
 * Entry of a worker process: `__stage <job.json>` (a {@linkcode Job}, or a {@linkcode GroupJob});
 * exits 0 on success, 1 on failure.
 */
export async function workerMain(
  stages: readonly AnyStage[],
  jobPath: string,
  startCompute?: ComputeHook["start"],
) {
  exitWithParent();
  // Libraries that print (tfjs's banners) must not corrupt the protocol: send them to the log.
  const logLine = (...a: unknown[]) => send({ t: "log", msg: a.map(String).join(" ") });
  console.log = logLine;
  console.info = logLine;
  console.warn = logLine;
  const parsed = JSON.parse(Deno.readTextFileSync(jobPath)) as Job | GroupJob;
  const jobs = "group" in parsed ? parsed.group : [parsed];
  const found = jobs.map((j) => stages.find((s) => s.id === j.stage));
  const unknown = jobs.find((_, i) => !found[i]);
  if (unknown) {
    send({ t: "error", msg: `no stage "${unknown.stage}" in this registry` });
    Deno.exit(1);
  }
  try {
    if ("group" in parsed) {
      const ms = await executeGroup(found as AnyStage[], jobs, send, startCompute);
      ms.forEach((m, i) => send({ t: "done", durationMs: m.durationMs, member: i }));
    } else {
      const m = await executeJob(found[0]!, jobs[0], send, startCompute);
      send({ t: "done", durationMs: m.durationMs });
    }
    Deno.exit(0);
  } catch (e) {
    const err = e as Error;
    send({ t: "error", msg: err?.stack ?? String(e) });
    Deno.exit(1);
  }
}
