/**
 * How much faster a training step runs on N cpu threads than on one: the bench's
 * `--thread-scaling ROUNDS` mode, and the machine's own scaling beside it.
 *
 * Why: the two-thread figure of a shared machine moves with its neighbours. Here two processes
 * of the bench, one on one thread and one on N, warm up, then take turns (`bench_served.ts`):
 * in each round the first times `--repeats` steps while the other waits, then the other as many,
 * so that both see nearly the same machine; a round's ratio is the ratio of its two medians.
 * An earlier form of this mode started a fresh pair of processes per round, so that its two
 * timings lay seconds apart: on the 2-core development machine (2026-12-05) one of its runs of
 * nine rounds gave ratios from 1.45 to 2.37 (one thread 57.7–86.7 ms, two 35.8–43.2), and a
 * run of nine with two warm processes taking turns, a quarter of an hour later, 1.55–1.92
 * (quartiles 1.80, 1.81, 1.86).
 * Every round also measures what the machine itself gives: a plain integer loop on one core,
 * then on N cores at once. When N loops at once do not run N times the work of one (another
 * tenant's load, cores that share their execution units), no training can; the ratio of the two
 * scalings is what the threads of the kernels themselves lose.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { cpuThreads } from "../lib/ml/kernels/mod.ts";
import { serveBlocks, ServedProcess } from "./bench_served.ts";
import {
  type BenchOptions,
  makeTrainer,
  median,
  quantile,
  timeBlock,
  useBackend,
} from "./bench_step.ts";

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
  /**
   * Median ms per step on one thread; with `--pin`, that of the mean core: N over the sum of
   * 1/`coreMs` (the step time at the cores' mean speed).
   */
  oneMs: number;
  /** With `--pin`: median ms per step on one thread pinned to core 0, 1, … */
  coreMs?: number[];
  /** Median ms per step on N threads, timed right after. */
  manyMs: number;
  /** oneMs / manyMs. */
  speedup: number;
  /** The machine's own scaling to N cores in this round (see {@linkcode coreScaling}). */
  cores: number;
  /**
   * With `--pin`: the one-thread processes' step timed on all N cores at once, each pinned to
   * its core, as so many times the mean core's alone (see {@linkcode trainingsAtOnce}).
   */
  atOnce?: number;
}

/** What `--thread-scaling` measured. */
export interface ScalingResult {
  /** Threads compared with one. */
  threads: number;
  /** Images per step. */
  batch: number;
  /** Untimed steps each process ran before its first round. */
  warmup: number;
  /** Timed steps of each process per round. */
  steps: number;
  /** Whether the processes were pinned to cores (`--pin`). */
  pinned: boolean;
  rounds: ScalingRound[];
  /** Median over the rounds of each round's median, one thread. */
  oneMs: number;
  /** With `--pin`: the median over the rounds of each core's one-thread median. */
  coreMs?: number[];
  /** The same on N threads. */
  manyMs: number;
  /** oneMs / manyMs: the figure quoted. */
  speedup: number;
  /** Quartiles [25%, 50%, 75%] of the rounds' own ratios: how much the ratio moved. */
  speedupQuartiles: [number, number, number];
  /** Median over the rounds of the machine's own scaling. */
  cores: number;
  /** With `--pin`: median over the rounds of {@linkcode ScalingRound.atOnce}. */
  atOnce?: number;
}

/** The first line a served bench prints, after its warm-up. */
export interface ServedSettings {
  /** Threads its kernels run on (1 when workers could not start, whatever was asked). */
  threads: number;
}

/** A served bench's answer to `K`: K timed blocks of steps. */
export interface ServedBlocks {
  /** Ms per step of each block, in order. */
  stepsMs: number[];
}

/**
 * The `--serve` side (`bench.ts --serve`, which `runThreadScaling` starts): warms up the disk
 * step as `opts` says, prints its {@linkcode ServedSettings}, then times blocks of `opts.block`
 * steps (1 by default) as asked on stdin, answering each request with {@linkcode ServedBlocks}.
 */
export async function serveSteps(opts: BenchOptions): Promise<void> {
  await useBackend(opts.backend, opts.stock, opts.threads, opts.kernels);
  const trainer = makeTrainer(opts.seed, opts.batch, 2);
  try {
    const block = opts.block ?? 1;
    if (opts.warmup > 0) await trainer.steps(opts.warmup);
    const settings: ServedSettings = { threads: opts.stock ? 1 : cpuThreads() };
    await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(settings) + "\n"));
    await serveBlocks(async (k): Promise<ServedBlocks> => {
      const stepsMs: number[] = [];
      for (let i = 0; i < k; i++) stepsMs.push((await timeBlock(trainer, block)).ms);
      return { stepsMs };
    });
  } finally {
    trainer.dispose();
  }
}

/** The arguments of a served bench on `threads` threads, as `opts` says. */
export function servedArgs(opts: BenchOptions, threads: number): string[] {
  return [
    "--serve",
    `--backend=${opts.backend}`,
    `--threads=${threads}`,
    `--batch=${opts.batch}`,
    ...(opts.block === undefined ? [] : [`--block=${opts.block}`]),
    `--warmup=${opts.warmup}`,
    `--seed=${opts.seed}`,
    ...(opts.stock ? ["--stock"] : []),
    ...(opts.kernels === undefined ? [] : [`--kernels=${opts.kernels}`]),
  ];
}

/**
 * Why `--pin` cannot run as `opts` asks, as the line to print, or undefined when it can: it
 * needs `--thread-scaling` or `--against-torch` (`againstTorch`), no more threads than cores,
 * and `taskset` (util-linux).
 */
export async function pinRefusal(
  opts: BenchOptions,
  againstTorch = false,
): Promise<string | undefined> {
  if (opts.threadScaling === undefined && !againstTorch) {
    return "Cannot pin: --pin is for --thread-scaling and --against-torch; add one or drop --pin";
  }
  const cores = navigator.hardwareConcurrency || 1;
  if (opts.threads > cores) {
    return `Cannot pin ${opts.threads} threads to this machine's ${cores} cores: pass --threads ${cores} or fewer, or drop --pin`;
  }
  try {
    const p = await new Deno.Command("taskset", { args: ["-c", "0", "true"] }).output();
    if (p.success) return undefined;
  } catch {
    // Not installed: said below.
  }
  return "Cannot pin: taskset (util-linux) does not run here; install it or drop --pin";
}

/** The first `threads` cores, as taskset lists them ("0", "0-1"): where `--pin` puts N threads. */
export function pinnedCores(threads: number): string {
  return threads === 1 ? "0" : `0-${threads - 1}`;
}

/**
 * The mean core's ms per step from each core's: N over the sum of their speeds (steps per ms),
 * so that a core its host slows counts for what it gives, not more.
 */
export function meanCoreMs(coreMs: readonly number[]): number {
  return coreMs.length / coreMs.reduce((s, ms) => s + 1 / ms, 0);
}

/**
 * What N one-thread trainings at once give, as so many times one alone: the steps they take per
 * ms together, Σ 1/`togetherMs`, over the mean core's alone, 1/{@linkcode meanCoreMs}(`aloneMs`).
 * N with nothing shared between the cores; less where they slow each other (a shared cache, the
 * memory's bandwidth, a host that gives two busy cores less than two). The step's own ceiling on
 * N threads, which share its work at some cost besides: the integer loop of
 * {@linkcode coreScaling} touches no memory and does not see these.
 */
export function trainingsAtOnce(aloneMs: readonly number[], togetherMs: readonly number[]): number {
  // Σ 1/togetherMs is N over the mean core's ms at once.
  return (meanCoreMs(aloneMs) * togetherMs.length) / meanCoreMs(togetherMs);
}

/**
 * Runs `rounds` rounds of: `opts.repeats` timed steps on one thread, then as many on
 * `opts.threads`, each thread count in a warm process of its own (`entry`, the bench module, in
 * `--serve` mode), then the machine's core scaling. Calls `onLine` with a line per round.
 *
 * With `opts.pin`, one one-thread process per core runs pinned to it, in turn, and the N-thread
 * process is pinned to those N cores: on a shared host one core may run this step at two thirds
 * of the other's speed for minutes (2-core development machine, 2026-12-05: one thread 80–92 ms
 * in 32 of 45 rounds, 55–61 ms in the others), and an unpinned one-thread process lands on it in
 * some rounds and not in others, while N threads always use it. The round's one-thread figure is
 * then the mean core's ({@linkcode meanCoreMs}). The pinned one-thread processes then time
 * their steps all at once too, for the step's own ceiling ({@linkcode trainingsAtOnce}).
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
  const pinned = opts.pin === true;
  const start = (threads: number, cores?: string) => {
    const what = `the bench on ${threads} thread${threads === 1 ? "" : "s"}${
      cores === undefined ? "" : ` pinned to core${threads === 1 ? "" : "s"} ${cores}`
    }`;
    return new ServedProcess(what, Deno.execPath(), [
      "run",
      "-A",
      script,
      ...servedArgs(opts, threads),
    ], cores);
  };
  // All warm up at once: untimed, and a fraction of the wait.
  const ones = pinned
    ? Array.from({ length: opts.threads }, (_, c) => start(1, String(c)))
    : [start(1)];
  const many = start(opts.threads, pinned ? pinnedCores(opts.threads) : undefined);
  const all = [...ones, many];
  let ended = false;
  try {
    const settings = await Promise.all(all.map((p) => p.next<ServedSettings>()));
    const want = [...ones.map(() => 1), opts.threads];
    if (settings.some((s, i) => s.threads !== want[i])) {
      throw new Error(
        `Cannot measure thread scaling: the processes run on ${
          settings.map((s) => s.threads).join(", ")
        } threads, not ${
          want.join(", ")
        } (a process whose workers cannot start runs on one; --stock runs on one)`,
      );
    }
    const out: ScalingRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const coreMs: number[] = [];
      for (const one of ones) {
        coreMs.push(median((await one.block<ServedBlocks>(opts.repeats)).stepsMs));
      }
      const b = await many.block<ServedBlocks>(opts.repeats);
      const together = pinned
        ? (await Promise.all(ones.map((one) => one.block<ServedBlocks>(opts.repeats))))
          .map((t) => median(t.stepsMs))
        : undefined;
      const cores = await coreScaling(opts.threads);
      const m1 = pinned ? meanCoreMs(coreMs) : coreMs[0], mN = median(b.stepsMs);
      const round: ScalingRound = {
        oneMs: m1,
        ...(pinned ? { coreMs } : {}),
        manyMs: mN,
        speedup: m1 / mN,
        cores,
        ...(together ? { atOnce: trainingsAtOnce(coreMs, together) } : {}),
      };
      out.push(round);
      const perCore = pinned
        ? ` (mean core; on cores 0–${opts.threads - 1}: ${
          coreMs.map((ms) => ms.toFixed(1)).join(", ")
        })`
        : "";
      onLine(
        `round ${i + 1}: 1 thread ${round.oneMs.toFixed(1)} ms${perCore}, ${opts.threads} threads ${
          round.manyMs.toFixed(1)
        } ms per step: ${round.speedup.toFixed(2)}×; ${
          round.atOnce === undefined
            ? ""
            : `${opts.threads} one-thread trainings at once: ${round.atOnce.toFixed(2)}× one; `
        }the machine's ${opts.threads} cores: ${cores.toFixed(2)}× one`,
      );
    }
    await Promise.all(all.map((p) => p.close()));
    ended = true;
    const oneMs = median(out.map((r) => r.oneMs));
    const manyMs = median(out.map((r) => r.manyMs));
    const ratios = out.map((r) => r.speedup);
    return {
      threads: opts.threads,
      batch: opts.batch,
      warmup: opts.warmup,
      steps: opts.repeats,
      pinned,
      rounds: out,
      oneMs,
      ...(pinned ? { coreMs: ones.map((_, c) => median(out.map((r) => r.coreMs![c]))) } : {}),
      manyMs,
      speedup: oneMs / manyMs,
      speedupQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.5), quantile(ratios, 0.75)],
      cores: median(out.map((r) => r.cores)),
      ...(pinned ? { atOnce: median(out.map((r) => r.atOnce!)) } : {}),
    };
  } finally {
    if (!ended) await Promise.all(all.map((p) => p.kill()));
  }
}

/** The summary line of `--thread-scaling`. */
export function formatThreadScaling(r: ScalingResult): string {
  const q = r.speedupQuartiles.map((x) => x.toFixed(2)).join(", ");
  const processes = r.pinned
    ? `${r.threads + 1} processes taking turns (one thread pinned to each of cores 0–${
      r.threads - 1
    }, ${r.threads} threads to all of them)`
    : "two processes taking turns";
  const one = r.pinned ? "1 thread on the mean core" : "1 thread";
  const perCore = r.coreMs === undefined
    ? ""
    : ` (each core: ${r.coreMs.map((ms) => ms.toFixed(1)).join(", ")})`;
  const steps = `${r.steps} step${r.steps === 1 ? "" : "s"}`;
  const warmup = `${r.warmup} warm-up step${r.warmup === 1 ? "" : "s"}`;
  return `thread scaling at batch ${r.batch}, ${r.rounds.length} rounds of ${steps} each, ` +
    `${processes} after ${warmup} each: ${one} ${r.oneMs.toFixed(1)} ms${perCore}, ` +
    `${r.threads} threads ${r.manyMs.toFixed(1)} ms per step (medians of the rounds' medians): ` +
    `${r.speedup.toFixed(2)}× one thread (the rounds' ratios, quartiles: ${q}); ` +
    (r.atOnce === undefined
      ? ""
      : `${r.threads} one-thread trainings at once, one pinned to each core, gave ` +
        `${r.atOnce.toFixed(2)}× one (the step's own ceiling, median of the rounds); `) +
    `the machine's own ${r.threads} cores gave ${r.cores.toFixed(2)}× one ` +
    `(an integer loop on each, median of the rounds)`;
}
