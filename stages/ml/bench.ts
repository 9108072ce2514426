/**
 * Training benchmark of the paper's disk autoencoder (P§3, P-Tab 1): 64×64×1 input, six 3×3
 * stride-2 convolutions of depths 1, 8, 4, 4, 3, 2, 1 with bias and leaky ReLU 0.2, the mirrored
 * stride-2 transposed-convolution decoder, per-pixel mean squared error, Adam (lr 1e-3),
 * batch 300.
 *
 * It times whole training steps (forward, gradients, Adam update, and a read of the loss, which
 * waits for the GPU on `webgpu`) after a warm-up, prints the median (with min and max), lists the
 * kernels that take the most time in one profiled step, and can write all of it as JSON. `--stock`
 * runs with the stock tfjs kernels, for comparison with the fast ones of `kernels/`.
 * `--compare-loss` trains twice from the same seed on cpu, with the stock and the fast kernels,
 * and compares the losses.
 *
 * The step is the training step of `train.ts`, built from the same parts: the model of
 * `model.ts`, the loss of `regularisers.ts` (per-pixel mean), the Adam of `adam.ts`, the backend
 * set-up of `backend.ts`, exact blurred disks from `disks.ts`.
 *
 * Usage: `deno run -A stages/ml/bench.ts [--backend cpu|webgpu] [--stock] [--batch 300]
 * [--repeats 10] [--warmup 3] [--top 10] [--seed 1] [--out bench.json]`
 * or `deno run -A stages/ml/bench.ts --compare-loss [--compare-steps 200] [--compare-batch 10]`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { parseArgs } from "node:util";
import { Adam, KERAS_ADAM } from "./adam.ts";
import { initBackend } from "./backend.ts";
import { generateDiskDataset, PAPER_DISK_GEOMETRY, uniformRadii } from "./disks.ts";
import { cpuThreads, installFastKernels, restoreStockKernels } from "./kernels/mod.ts";
import { createAutoencoder, diskAutoencoderConfig } from "./model.ts";
import { createRng, deriveSeed } from "./random.ts";
import { type LossReduction, reconstructionError } from "./regularisers.ts";

/** Options of one benchmark run, as parsed from the command line. */
export interface BenchOptions {
  /** tfjs backend: `cpu` or `webgpu`. */
  backend: "cpu" | "webgpu";
  /** Run with the stock tfjs kernels instead of the fast ones. */
  stock: boolean;
  /** Threads of the fast cpu kernels (default: every core). */
  threads: number;
  /** Images per training step (the paper's 300). */
  batch: number;
  /** Timed steps; the median, min and max are over these. */
  repeats: number;
  /** Untimed steps before timing (kernel compilation, JIT warm-up). */
  warmup: number;
  /** How many kernels to list in the profile. */
  top: number;
  /** Seed of the data and of the initial weights. */
  seed: number;
  /** Where to write the JSON result (none when `undefined`). */
  out?: string;
  /** Instead of timing, compare the loss of stock and fast kernels after training. */
  compareLoss: boolean;
  /** Training steps of `--compare-loss`. */
  compareSteps: number;
  /** Batch size of `--compare-loss` (smaller than 300: the stock cpu kernels are slow). */
  compareBatch: number;
}

const USAGE = `Usage: deno task bench [options]
  --backend cpu|webgpu   tfjs backend (default cpu)
  --stock                use the stock tfjs kernels instead of the fast ones
  --threads N            threads of the fast cpu kernels (default: one per core)
  --batch N              images per step (default 300, the paper's)
  --repeats N            timed steps (default 10)
  --warmup N             untimed steps first (default 3)
  --top N                kernels listed in the profile (default 10)
  --seed N               seed of data and weights (default 1)
  --out PATH             also write the result as JSON to PATH
  --compare-loss         train from one seed with stock and with fast kernels (cpu), compare losses
  --compare-steps N      steps of --compare-loss (default 200)
  --compare-batch N      batch of --compare-loss (default 10: the stock cpu kernels are slow)
  --help                 this text`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`Cannot parse --${name} "${raw}": expected an integer ≥ ${min}`);
  }
  return v;
}

/**
 * Parses the benchmark's command line (strict: unknown flags and stray arguments are errors).
 * Returns `undefined` when `--help` was given.
 */
export function parseBenchArgs(argv: string[]): BenchOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        backend: { type: "string" },
        stock: { type: "boolean" },
        threads: { type: "string" },
        batch: { type: "string" },
        repeats: { type: "string" },
        warmup: { type: "string" },
        top: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        "compare-loss": { type: "boolean" },
        "compare-steps": { type: "string" },
        "compare-batch": { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new Error(`Cannot parse the bench arguments: ${(e as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  const backend = v.backend ?? "cpu";
  if (backend !== "cpu" && backend !== "webgpu") {
    throw new Error(`Cannot use backend "${backend}": the bench knows cpu and webgpu; pass one`);
  }
  return {
    backend,
    stock: v.stock ?? false,
    threads: positiveInt("threads", v.threads, navigator.hardwareConcurrency || 1),
    batch: positiveInt("batch", v.batch, 300),
    repeats: positiveInt("repeats", v.repeats, 10),
    warmup: positiveInt("warmup", v.warmup, 3, 0),
    top: positiveInt("top", v.top, 10),
    seed: positiveInt("seed", v.seed, 1, 0),
    out: v.out,
    compareLoss: v["compare-loss"] ?? false,
    compareSteps: positiveInt("compare-steps", v["compare-steps"], 200),
    compareBatch: positiveInt("compare-batch", v["compare-batch"], 10),
  };
}

/** Loss reduction of the benchmark: the authors' code used the per-pixel mean. */
const LOSS: LossReduction = "mean";

/** A training loop over a fixed set of batches. */
interface Trainer {
  /** One Adam step on the next batch; returns the batch loss (read back, so the step is done). */
  step(): Promise<number>;
  /** Every weight of the model, variable after variable (read back). */
  weights(): Float32Array[];
  /** Frees the model, the data and the optimizer state. */
  dispose(): void;
}

/**
 * The training step of `train.ts` on the paper's configuration: the model of `model.ts`
 * (Glorot-uniform kernels, zero biases, leaky ReLU everywhere), the squared error of
 * `regularisers.ts`, the Keras Adam of `adam.ts` (lr 1e-3), on `batches` fixed batches of exact
 * blurred disks (`disks.ts`, radii uniform in [0, 32)) taken in turn.
 */
function makeTrainer(seed: number, batch: number, batches: number): Trainer {
  const model = createAutoencoder(diskAutoencoderConfig(), deriveSeed(seed, "init"));
  const targets = model.variables.map((v) => ({ name: v.name, variable: v.variable }));
  const varList = targets.map((t) => t.variable);
  const adam = new Adam(targets, KERAS_ADAM);
  const side = PAPER_DISK_GEOMETRY.size;
  const data = Array.from({ length: batches }, (_, i) => {
    const spec = {
      count: batch,
      geometry: PAPER_DISK_GEOMETRY,
      sampler: uniformRadii(),
      blur: "exact" as const,
      samples: 0,
    };
    const { images } = generateDiskDataset(spec, createRng(deriveSeed(seed, "bench-data", i)));
    return tf.tensor4d(images, [batch, side, side, 1]);
  });
  let next = 0;
  return {
    async step(): Promise<number> {
      const x = data[next];
      next = (next + 1) % data.length;
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => reconstructionError(model.reconstruct(x), x, LOSS),
          varList,
        );
        adam.apply(grads);
        return value;
      });
      const v = (await loss.data())[0];
      loss.dispose();
      return v;
    },
    weights(): Float32Array[] {
      return varList.map((v) => v.dataSync() as Float32Array);
    },
    dispose(): void {
      adam.dispose();
      model.dispose();
      tf.dispose(data);
    },
  };
}

/** Time spent in one kernel (or one kernel on given input shapes) over a profiled step. */
export interface KernelTime {
  /** tfjs kernel name. */
  name: string;
  /** Input shapes, when grouped by shapes too. */
  inputShapes?: number[][];
  /** Total milliseconds over all its calls in the step. */
  ms: number;
  /** Number of calls in the step. */
  calls: number;
}

/** What a timing run measured. */
export interface BenchResult {
  /** Backend actually in use. */
  backend: string;
  /** The WebGPU adapter's description, or the backend name on cpu. */
  device: string;
  /** Whether the stock kernels were used. */
  stock: boolean;
  /** Threads of the fast cpu kernels (1 on other backends). */
  threads: number;
  /** Images per step. */
  batch: number;
  /** Median milliseconds per step over the timed repeats. */
  medianMs: number;
  /** Fastest timed step. */
  minMs: number;
  /** Slowest timed step. */
  maxMs: number;
  /** Every timed step, in order. */
  stepsMs: number[];
  /**
   * Median CPU time (user + system, all threads of the process) per timed step: less sensitive
   * than wall time to other processes sharing the machine; above wall time when V8's helper
   * threads (garbage collection, compilation) run beside the main one.
   */
  cpuMedianMs: number;
  /** CPU time of every timed step, in order. */
  cpuStepsMs: number[];
  /** Kernels by total time in one profiled step, largest first (at most `top`). */
  topKernels: KernelTime[];
  /** Kernels grouped by name and input shapes, largest first (at most `top`). */
  topCalls: KernelTime[];
  /** Sum of all kernel times in the profiled step (profiling itself adds overhead). */
  profiledKernelMs: number;
  /** Loss of the last timed step (a sanity value). */
  lastLoss: number;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One kernel call of a tfjs profile, as far as the bench reads it. */
interface ProfiledKernel {
  name: string;
  kernelTimeMs: unknown;
  inputShapes: number[][];
}

/**
 * Sums the profile's kernel times by kernel name (and by input shapes when `byShapes`), largest
 * first. A backend without kernel timers (webgpu without timestamp queries) gives NaN times.
 */
function kernelTimes(kernels: ProfiledKernel[], byShapes: boolean): KernelTime[] {
  const groups = new Map<string, KernelTime>();
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : NaN;
    const key = byShapes ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
    const e = groups.get(key) ??
      { name: k.name, ...(byShapes ? { inputShapes: k.inputShapes } : {}), ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    groups.set(key, e);
  }
  return [...groups.values()].sort((a, b) => b.ms - a.ms);
}

/** Makes `backend` the active tfjs backend (as training does), with fast or stock kernels. */
async function useBackend(
  backend: "cpu" | "webgpu",
  stock: boolean,
  threads: number,
): Promise<string> {
  const info = await initBackend(backend, { cpuThreads: threads });
  if (stock) restoreStockKernels(info.name);
  else installFastKernels(info.name);
  return info.adapter ?? info.name;
}

/** Times training steps of the paper configuration (see the module doc). */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const device = await useBackend(opts.backend, opts.stock, opts.threads);
  const trainer = makeTrainer(opts.seed, opts.batch, 2);
  try {
    for (let i = 0; i < opts.warmup; i++) await trainer.step();
    const stepsMs: number[] = [];
    const cpuStepsMs: number[] = [];
    let lastLoss = NaN;
    for (let i = 0; i < opts.repeats; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      lastLoss = await trainer.step();
      stepsMs.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpuStepsMs.push((c.user + c.system) / 1000);
    }
    const profile = await tf.profile(() => trainer.step());
    const all = kernelTimes(profile.kernels, false);
    return {
      backend: tf.getBackend(),
      device,
      stock: opts.stock,
      threads: tf.getBackend() === "cpu" && !opts.stock ? cpuThreads() : 1,
      batch: opts.batch,
      medianMs: median(stepsMs),
      minMs: Math.min(...stepsMs),
      maxMs: Math.max(...stepsMs),
      stepsMs,
      cpuMedianMs: median(cpuStepsMs),
      cpuStepsMs,
      topKernels: all.slice(0, opts.top),
      topCalls: kernelTimes(profile.kernels, true).slice(0, opts.top),
      profiledKernelMs: all.reduce((s, k) => s + (Number.isFinite(k.ms) ? k.ms : 0), 0),
      lastLoss,
    };
  } finally {
    trainer.dispose();
  }
}

/** What `--compare-loss` measured. */
export interface CompareResult {
  /** Training steps of each run. */
  steps: number;
  /** Images per step. */
  batch: number;
  /** Loss of the last step with the stock kernels. */
  stockLoss: number;
  /** Loss of the last step with the fast kernels. */
  fastLoss: number;
  /** |fast − stock| / |stock|. */
  relativeDifference: number;
  /**
   * ‖w_fast − w_stock‖ / ‖w_stock‖ over all final weights: a finer look than the loss, which
   * averages per-pixel rounding differences away (the two often agree to the last bit).
   */
  weightsRelativeDifference: number;
  /** Whether the relative difference is within 1%. */
  pass: boolean;
  /** Wall-clock seconds of the stock run. */
  stockSeconds: number;
  /** Wall-clock seconds of the fast run. */
  fastSeconds: number;
}

/** Trains from one seed with the stock and then the fast cpu kernels and compares the losses. */
export async function compareLoss(opts: BenchOptions): Promise<CompareResult> {
  await useBackend("cpu", true, opts.threads);
  const train = async (): Promise<{ loss: number; seconds: number; weights: Float32Array[] }> => {
    const trainer = makeTrainer(opts.seed, opts.compareBatch, 4);
    const t0 = performance.now();
    try {
      let loss = NaN;
      for (let i = 0; i < opts.compareSteps; i++) loss = await trainer.step();
      return { loss, seconds: (performance.now() - t0) / 1000, weights: trainer.weights() };
    } finally {
      trainer.dispose();
    }
  };
  restoreStockKernels("cpu");
  const stock = await train();
  installFastKernels("cpu");
  const fast = await train();
  const relativeDifference = Math.abs(fast.loss - stock.loss) / Math.abs(stock.loss);
  let num = 0, den = 0;
  stock.weights.forEach((w, i) => {
    for (let j = 0; j < w.length; j++) {
      num += (fast.weights[i][j] - w[j]) ** 2;
      den += w[j] ** 2;
    }
  });
  return {
    steps: opts.compareSteps,
    batch: opts.compareBatch,
    stockLoss: stock.loss,
    fastLoss: fast.loss,
    relativeDifference,
    weightsRelativeDifference: Math.sqrt(num / den),
    pass: relativeDifference <= 0.01,
    stockSeconds: stock.seconds,
    fastSeconds: fast.seconds,
  };
}

/** Human-readable lines for a timing result. */
export function formatBench(r: BenchResult): string {
  const lines = [
    `backend ${r.backend} (${r.device}), ${
      r.stock ? "stock" : "fast"
    } kernels, ${r.threads} thread${r.threads === 1 ? "" : "s"}, batch ${r.batch}`,
    `ms per training step: median ${r.medianMs.toFixed(1)}, min ${r.minMs.toFixed(1)}, max ${
      r.maxMs.toFixed(1)
    } over ${r.stepsMs.length} steps (last loss ${r.lastLoss.toPrecision(4)})`,
    `CPU ms per training step (user + system): median ${r.cpuMedianMs.toFixed(1)}`,
    `top kernels of one profiled step (sum of all kernels ${r.profiledKernelMs.toFixed(1)} ms):`,
    ...r.topKernels.map((k) =>
      `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(9)} ms  ${
        String(k.calls).padStart(4)
      } calls`
    ),
    `top kernels by input shapes:`,
    ...r.topCalls.map((k) =>
      `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(9)} ms  ${
        String(k.calls).padStart(4)
      } calls  ${JSON.stringify(k.inputShapes)}`
    ),
  ];
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions | undefined;
  try {
    opts = parseBenchArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (opts === undefined) {
    console.log(USAGE);
    return 0;
  }
  let json: unknown;
  if (opts.compareLoss) {
    const r = await compareLoss(opts);
    console.log(
      `compare-loss on cpu, ${r.steps} steps at batch ${r.batch}: stock ${
        r.stockLoss.toPrecision(6)
      } (${r.stockSeconds.toFixed(1)} s), fast ${r.fastLoss.toPrecision(6)} (${
        r.fastSeconds.toFixed(1)
      } s), relative difference ${r.relativeDifference.toExponential(2)}: ${
        r.pass ? "PASS" : "FAIL"
      } (bar 1%); final weights differ by ${
        r.weightsRelativeDifference.toExponential(2)
      } (relative L2)`,
    );
    json = r;
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(json, null, 2) + "\n");
    }
    return r.pass ? 0 : 1;
  }
  const r = await runBench(opts);
  console.log(formatBench(r));
  json = r;
  if (opts.out !== undefined) {
    await Deno.writeTextFile(opts.out, JSON.stringify(json, null, 2) + "\n");
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
