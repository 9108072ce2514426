/**
 * Several trainings at once: the bench's `--processes 1,4,8` mode.
 *
 * Why: on a GPU one training is bounded by its own process's host latency, not by the device,
 * so stages run side by side (`reproduce --jobs N`) may add up. This measures by how much: for
 * each N it starts N bench processes (the same entry, the same options), lets each warm up
 * (backend start-up, shader compilation), releases them together through a barrier so that
 * their timed steps overlap, and adds up their rates. The ratio to one process is what the
 * default of `--jobs` on a GPU should follow.
 *
 * The barrier is a folder: a process writes `ready-<i>` after its warm-up and waits for `go`;
 * the parent writes `go` once all N are ready.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchOptions, BenchResult } from "./bench_step.ts";

/** Updates of one paper training (P-Tab 1): turns steps per second into trainings per hour. */
const PAPER_UPDATES = 10_000;

/** What N processes at once measured. */
export interface ProcessesRow {
  /** Processes run at once. */
  processes: number;
  /** Median ms per step of each process. */
  medianMs: number[];
  /** Sum over the processes of steps per second (each from its mean time per step). */
  stepsPerSecond: number;
  /** The same as 10,000-update trainings per hour. */
  trainingsPerHour: number;
  /** `stepsPerSecond` over that of the first row (one process when the list starts at 1). */
  speedup: number;
}

/** What `--processes` measured. */
export interface ProcessesResult {
  /** Backend and device of the first process. */
  backend: string;
  /** The WebGPU adapter's description, or the backend name on cpu. */
  device: string;
  /** Images per step. */
  batch: number;
  /** One row per process count, in the order asked. */
  rows: ProcessesRow[];
}

/** Parses `--processes`: a comma-separated list of distinct positive integers. */
export function parseProcessList(raw: string): number[] {
  const list = raw.split(",").map((s) => s.trim());
  const out = list.map(Number);
  if (
    list.length === 0 || list.some((s) => s === "") ||
    out.some((n) => !Number.isInteger(n) || n < 1) || new Set(out).size !== out.length
  ) {
    throw new Error(
      `Cannot parse --processes "${raw}": expected distinct positive integers separated by commas, e.g. 1,4,8`,
    );
  }
  return out;
}

/**
 * The command-line arguments that make a child bench process run `opts`, writing its result to
 * `out`, waiting at `barrier` after its warm-up.
 */
export function childArgs(opts: BenchOptions, barrier: string, out: string): string[] {
  return [
    `--backend=${opts.backend}`,
    `--threads=${opts.threads}`,
    `--batch=${opts.batch}`,
    `--repeats=${opts.repeats}`,
    ...(opts.block === undefined ? [] : [`--block=${opts.block}`]),
    `--warmup=${opts.warmup}`,
    `--top=${opts.top}`,
    `--seed=${opts.seed}`,
    ...(opts.stock ? ["--stock"] : []),
    `--barrier=${barrier}`,
    `--out=${out}`,
  ];
}

/** How long a process waits at the barrier, or the parent for its processes to be ready. */
const BARRIER_TIMEOUT_MS = 15 * 60 * 1000;

/** In a child: says it is ready, then waits until the parent says go. */
export async function waitAtBarrier(dir: string): Promise<void> {
  await Deno.writeTextFile(join(dir, `ready-${Deno.pid}`), "");
  const t0 = performance.now();
  while (true) {
    try {
      await Deno.stat(join(dir, "go"));
      return;
    } catch {
      if (performance.now() - t0 > BARRIER_TIMEOUT_MS) {
        throw new Error(`Cannot start timing: no go at ${dir} within 15 minutes`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Number of `ready-*` files in the barrier folder. */
async function readyCount(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith("ready-")) n++;
  return n;
}

/** Mean of a non-empty list. */
function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Runs the bench `opts` in N processes at once for each N of `counts`, and reports the summed
 * rates. `entry` is the bench's own module (the running main module by default, which also
 * works for a bundled entry).
 */
export async function runProcesses(
  opts: BenchOptions,
  counts: readonly number[],
  entry: string = Deno.mainModule,
  onLine: (line: string) => void = () => {},
): Promise<ProcessesResult> {
  const script = entry.startsWith("file:") ? fileURLToPath(entry) : entry;
  const rows: ProcessesRow[] = [];
  let first: BenchResult | undefined;
  for (const n of counts) {
    const dir = await Deno.makeTempDir({ prefix: "bench-processes-" });
    try {
      const outs = Array.from({ length: n }, (_, i) => join(dir, `result-${i}.json`));
      const children = outs.map((out) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", script, ...childArgs(opts, dir, out)],
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).spawn()
      );
      const exited = children.map((c) => c.status.then((s) => s.code));
      let done = 0;
      exited.forEach((p) => p.then(() => done++));
      const t0 = performance.now();
      while ((await readyCount(dir)) < n) {
        if (done > 0) break; // a child ended before the start: its error is reported below
        if (performance.now() - t0 > BARRIER_TIMEOUT_MS) {
          for (const c of children) c.kill();
          throw new Error(`Cannot run ${n} bench processes: not all ready within 15 minutes`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await Deno.writeTextFile(join(dir, "go"), "");
      const outputs = await Promise.all(children.map((c) => c.output()));
      const results: BenchResult[] = [];
      for (let i = 0; i < n; i++) {
        if (!outputs[i].success) {
          const err = new TextDecoder().decode(outputs[i].stderr).trim().split("\n").slice(-5);
          throw new Error(
            `Cannot run ${n} bench processes: process ${i + 1} exited with code ${
              outputs[i].code
            }:\n${err.join("\n")}`,
          );
        }
        results.push(JSON.parse(await Deno.readTextFile(outs[i])) as BenchResult);
      }
      first ??= results[0];
      const stepsPerSecond = results.reduce((s, r) => s + 1000 / mean(r.stepsMs), 0);
      const row: ProcessesRow = {
        processes: n,
        medianMs: results.map((r) => r.medianMs),
        stepsPerSecond,
        trainingsPerHour: stepsPerSecond * 3600 / PAPER_UPDATES,
        speedup: rows.length === 0 ? 1 : stepsPerSecond / rows[0].stepsPerSecond,
      };
      rows.push(row);
      onLine(formatProcessesRow(row));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return { backend: first!.backend, device: first!.device, batch: opts.batch, rows };
}

/** One line of the table `--processes` prints. */
export function formatProcessesRow(r: ProcessesRow): string {
  return `${String(r.processes).padStart(3)} at once: ${
    r.stepsPerSecond.toFixed(2).padStart(8)
  } steps/s in all (${r.trainingsPerHour.toFixed(1)} paper trainings per hour), ${
    r.speedup.toFixed(2)
  }× the first row; median ms per step of each: ${r.medianMs.map((m) => m.toFixed(1)).join(", ")}`;
}
