/**
 * How much faster a training step runs on N cpu threads than on one: the bench's
 * `--thread-scaling ROUNDS` mode, and the machine's own scaling beside it.
 *
 * Why: the two-thread figure of a shared machine moves with its neighbours. One process timing
 * one thread count, then another process the other, puts minutes between the two; here the
 * two alternate, round after round, each in a fresh process, and every round also measures what
 * the machine itself gives: a plain integer loop on one core, then on N cores at once. When N
 * loops at once do not run N times the work of one (another tenant's load, cores that share
 * their execution units), no training can; the ratio of the two scalings is what the threads
 * of the kernels themselves lose.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchOptions, type BenchResult, median } from "./bench_step.ts";
import { childArgs } from "./bench_processes.ts";

/** Iterations of the loop each worker runs: about 0.3 s on the development machine. */
const LOOP_ITERATIONS = 400_000_000;

/** The loop, as a worker module: an integer recurrence no compiler can shorten. */
const LOOP_WORKER = `self.onmessage = (e) => {
  const n = e.data;
  const t0 = performance.now();
  let x = 1;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0;
  self.postMessage({ ms: performance.now() - t0, x });
};`;

/** Runs the loop in `n` workers at once; returns each one's milliseconds. */
async function loops(n: number, iterations: number): Promise<number[]> {
  const url = `data:text/javascript,${encodeURIComponent(LOOP_WORKER)}`;
  const workers = Array.from({ length: n }, () => new Worker(url, { type: "module" }));
  try {
    // Every worker loaded and waiting before any starts: a short first run of each.
    await Promise.all(workers.map((w) => ask(w, 1)));
    return await Promise.all(workers.map((w) => ask(w, iterations)));
  } finally {
    for (const w of workers) w.terminate();
  }
}

/** Posts `iterations` to worker `w` and resolves with its milliseconds. */
function ask(w: Worker, iterations: number): Promise<number> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<{ ms: number }>) => resolve(e.data.ms);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      reject(new Error(`Cannot time the core loop: ${e.message}`));
    };
    w.postMessage(iterations);
  });
}

/**
 * The machine's own scaling to `n` cores: the work `n` loops do at once per unit of time, over
 * the work of one loop alone (n on an idle machine with n full cores). `run` times the loops
 * (each worker's milliseconds; tests give their own).
 */
export async function coreScaling(
  n: number,
  iterations = LOOP_ITERATIONS,
  run: (n: number, iterations: number) => Promise<number[]> = loops,
): Promise<number> {
  const [alone] = await run(1, iterations);
  const together = await run(n, iterations);
  return together.reduce((s, ms) => s + alone / ms, 0);
}

/** One round of `--thread-scaling`. */
export interface ScalingRound {
  /** Median ms per step on one thread. */
  oneMs: number;
  /** Median ms per step on N threads. */
  manyMs: number;
  /** oneMs / manyMs. */
  speedup: number;
  /** The machine's own scaling to N cores in this round (see {@linkcode coreScaling}). */
  cores: number;
}

/** What `--thread-scaling` measured. */
export interface ScalingResult {
  /** Threads compared with one. */
  threads: number;
  /** Images per step. */
  batch: number;
  /** Untimed steps each process ran before timing. */
  warmup: number;
  rounds: ScalingRound[];
  /** Median over the rounds of each round's median, one thread. */
  oneMs: number;
  /** The same on N threads. */
  manyMs: number;
  /** oneMs / manyMs: the figure quoted. */
  speedup: number;
  /** Median over the rounds of the machine's own scaling. */
  cores: number;
}

/**
 * Runs `rounds` rounds of: the bench `opts` on one thread, then on `opts.threads`, each in a
 * process of its own (`entry`, the bench module), then the machine's core scaling. Calls
 * `onLine` with a line per round.
 */
export async function runThreadScaling(
  opts: BenchOptions,
  rounds: number,
  entry: string = Deno.mainModule,
  onLine: (line: string) => void = () => {},
): Promise<ScalingResult> {
  if (opts.threads < 2) {
    throw new Error(
      `Cannot measure thread scaling with --threads ${opts.threads}: give 2 or more`,
    );
  }
  const script = entry.startsWith("file:") ? fileURLToPath(entry) : entry;
  const dir = await Deno.makeTempDir({ prefix: "bench-scaling-" });
  const timeOn = async (threads: number): Promise<BenchResult> => {
    const out = join(dir, `result-${threads}.json`);
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...childArgs({ ...opts, threads }, undefined, out)],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!r.success) {
      const err = new TextDecoder().decode(r.stderr).trim().split("\n").slice(-5).join("\n");
      throw new Error(`Cannot time ${threads} thread(s): the bench exited with ${r.code}:\n${err}`);
    }
    return JSON.parse(await Deno.readTextFile(out)) as BenchResult;
  };
  try {
    const out: ScalingRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const one = await timeOn(1);
      const many = await timeOn(opts.threads);
      const cores = await coreScaling(opts.threads);
      const round = {
        oneMs: one.medianMs,
        manyMs: many.medianMs,
        speedup: one.medianMs / many.medianMs,
        cores,
      };
      out.push(round);
      onLine(
        `round ${i + 1}: 1 thread ${round.oneMs.toFixed(1)} ms, ${opts.threads} threads ${
          round.manyMs.toFixed(1)
        } ms per step: ${round.speedup.toFixed(2)}×; the machine's ${opts.threads} cores: ${
          cores.toFixed(2)
        }× one`,
      );
    }
    const oneMs = median(out.map((r) => r.oneMs));
    const manyMs = median(out.map((r) => r.manyMs));
    return {
      threads: opts.threads,
      batch: opts.batch,
      warmup: opts.warmup,
      rounds: out,
      oneMs,
      manyMs,
      speedup: oneMs / manyMs,
      cores: median(out.map((r) => r.cores)),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The summary line of `--thread-scaling`. */
export function formatThreadScaling(r: ScalingResult): string {
  return `thread scaling at batch ${r.batch}, ${r.rounds.length} rounds, ${r.warmup} warm-up step${
    r.warmup === 1 ? "" : "s"
  } in each process: 1 thread ${r.oneMs.toFixed(1)} ms, ${r.threads} threads ${
    r.manyMs.toFixed(1)
  } ms per step (medians of the rounds' medians): ${
    r.speedup.toFixed(2)
  }× one thread; the machine's own ${r.threads} cores gave ${
    r.cores.toFixed(2)
  }× one (an integer loop on each, median of the rounds)`;
}
