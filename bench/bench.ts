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
 * and compares the losses. `--against-torch` times ours and a PyTorch reference of the same step in
 * turn (see `bench_torch.ts`).
 *
 * The step is the training step of `train.ts`, built from the same parts: the model of
 * `model.ts`, the loss of `regularisers.ts` (per-pixel mean), the Adam of `adam.ts`, the backend
 * set-up of `backend.ts`, exact blurred disks from `disks.ts`.
 *
 * Usage: `deno run -A bench/bench.ts [--backend cpu|webgpu] [--stock] [--batch 300]
 * [--repeats 10] [--warmup 3] [--top 10] [--seed 1] [--out bench.json]`
 * or `deno run -A bench/bench.ts --compare-loss [--compare-steps 200] [--compare-batch 10]`
 * or `deno run -A bench/bench.ts --against-torch [--python PATH] [--threads 1] [--repeats 10]`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { parseArgs } from "node:util";
import { KERAS_ADAM } from "../lib/ml/adam.ts";
import { initBackend } from "../lib/ml/backend.ts";
import { generateDiskDataset, PAPER_DISK_GEOMETRY, uniformRadii } from "../lib/ml/disks.ts";
import {
  cpuThreads,
  type ImageKernelImpl,
  imageKernelImpl,
  installFastKernels,
  restoreStockKernels,
  setImageKernelImpl,
} from "../lib/ml/kernels/mod.ts";
import { type BenchModel, benchModel, formatModelBench } from "./bench_models.ts";
import type { Profile } from "../pipeline/params.ts";
import { diskAutoencoderConfig } from "../lib/ml/model.ts";
import { diskAutoencoderFamily } from "../lib/ml/train.ts";
import type { KeptValue } from "../lib/train/loop.ts";
import { createRng, deriveSeed } from "../lib/ml/random.ts";
import type { LossReduction } from "../lib/ml/regularisers.ts";
import { parseProcessList, runProcesses, waitAtBarrier } from "./bench_processes.ts";
import { mainAgainstTorch, splitTorchArgs, TORCH_USAGE } from "./bench_torch.ts";
import { type CallStats, perStep, recordWebgpuCalls, topCalls } from "../lib/ml/webgpu_calls.ts";

/** Options of one benchmark run, as parsed from the command line. */
export interface BenchOptions {
  /** tfjs backend: `cpu` or `webgpu`. */
  backend: "cpu" | "webgpu";
  /** Run with the stock tfjs kernels instead of the fast ones. */
  stock: boolean;
  /** The model whose step is timed (default the disk autoencoder). */
  model: "disk" | BenchModel;
  /** The profile whose stage parameters `--model pca|dcgan` takes. */
  profile: Profile;
  /** The cpu convolutions' implementation (default: WebAssembly SIMD where available). */
  kernels?: ImageKernelImpl;
  /** Instead of timing, compare 200 steps with the WebAssembly and the JavaScript convolutions. */
  compareKernels: boolean;
  /** Threads of the fast cpu kernels (default: every core). */
  threads: number;
  /** Images per training step (the paper's 300). */
  batch: number;
  /** Timed blocks; the median, min and max are over these. */
  repeats: number;
  /**
   * Steps per timed block, read back once at its end; the block's time over its steps is one
   * timing. Undefined: 1 on cpu (a read costs nothing there), 10 on webgpu (each read waits at
   * least 10 ms in Deno; training itself reads every 100 steps).
   */
  block?: number;
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
  /** Instead of one run, run N processes at once for each N (see `bench_processes.ts`). */
  processes?: number[];
  /** In a process started by `--processes`: the barrier folder to wait at after warm-up. */
  barrier?: string;
}

const USAGE = `Usage: deno task bench [options]
  --backend cpu|webgpu   tfjs backend (default cpu)
  --stock                use the stock tfjs kernels instead of the fast ones
  --model disk|pca|dcgan the training step timed: the paper's disk autoencoder (default), the
                         PCA-like autoencoder's first step or the DCGAN (cpu; their stages'
                         parameters, --repeats updates timed after --warmup, at least 1)
  --profile paper|quick  the parameters --model pca|dcgan takes (default paper)
  --kernels wasm|js      the cpu convolutions: WebAssembly SIMD (default where available) or the
                         JavaScript ones (the fallback)
  --compare-kernels      train from one seed with the wasm and the js convolutions (cpu), compare
                         the losses (bar 1e-5 relative); steps and batch as --compare-loss
  --threads N            threads of the fast cpu kernels (default: one per core)
  --batch N              images per step (default 300, the paper's)
  --repeats N            timed blocks of steps (default 10)
  --block N              steps per timed block, one read back at its end (default 1 on cpu,
                         10 on webgpu, where each read waits ≥ 10 ms)
  --warmup N             untimed steps first (default 3)
  --top N                kernels listed in the profile (default 10)
  --seed N               seed of data and weights (default 1)
  --out PATH             also write the result as JSON to PATH
  --compare-loss         train from one seed with stock and with fast kernels (cpu), compare losses
  --compare-steps N      steps of --compare-loss (default 200)
  --compare-batch N      batch of --compare-loss (default 10: the stock cpu kernels are slow)
  --processes LIST       run N trainings at once for each N of LIST (e.g. 1,4,8), timed together,
                         and print their summed steps per second
  --barrier DIR          (set by --processes for the processes it starts)
${TORCH_USAGE}
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
        kernels: { type: "string" },
        model: { type: "string" },
        profile: { type: "string" },
        "compare-kernels": { type: "boolean" },
        threads: { type: "string" },
        batch: { type: "string" },
        repeats: { type: "string" },
        block: { type: "string" },
        warmup: { type: "string" },
        top: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        "compare-loss": { type: "boolean" },
        "compare-steps": { type: "string" },
        "compare-batch": { type: "string" },
        processes: { type: "string" },
        barrier: { type: "string" },
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
  const model = v.model ?? "disk";
  if (model !== "disk" && model !== "pca" && model !== "dcgan") {
    throw new Error(`Cannot bench model "${model}": choose disk, pca or dcgan`);
  }
  const profile = v.profile ?? "paper";
  if (profile !== "paper" && profile !== "quick") {
    throw new Error(`Cannot use --profile "${profile}": choose paper or quick`);
  }
  if (v.kernels !== undefined && v.kernels !== "wasm" && v.kernels !== "js") {
    throw new Error(`Cannot use --kernels "${v.kernels}": choose wasm or js`);
  }
  return {
    backend,
    stock: v.stock ?? false,
    model,
    profile,
    ...(v.kernels === undefined ? {} : { kernels: v.kernels as ImageKernelImpl }),
    compareKernels: v["compare-kernels"] ?? false,
    threads: positiveInt("threads", v.threads, navigator.hardwareConcurrency || 1),
    batch: positiveInt("batch", v.batch, 300),
    repeats: positiveInt("repeats", v.repeats, 10),
    ...(v.block === undefined ? {} : { block: positiveInt("block", v.block, 1) }),
    warmup: positiveInt("warmup", v.warmup, 3, 0),
    top: positiveInt("top", v.top, 10),
    seed: positiveInt("seed", v.seed, 1, 0),
    out: v.out,
    compareLoss: v["compare-loss"] ?? false,
    compareSteps: positiveInt("compare-steps", v["compare-steps"], 200),
    compareBatch: positiveInt("compare-batch", v["compare-batch"], 10),
    ...(v.processes === undefined ? {} : { processes: parseProcessList(v.processes) }),
    ...(v.barrier === undefined ? {} : { barrier: v.barrier }),
  };
}

/** Loss reduction of the benchmark: the authors' code used the per-pixel mean. */
const LOSS: LossReduction = "mean";

/** A training loop over a fixed set of batches. */
export interface Trainer {
  /**
   * `steps` Adam steps on the next batches, then one read of the last loss (which waits for
   * the device to finish them); returns that loss.
   */
  steps(steps: number): Promise<number>;
  /** Every weight of the model, variable after variable (read back). */
  weights(): Float32Array[];
  /** Frees the model, the data and the optimizer state. */
  dispose(): void;
}

/**
 * The training step of `train.ts` on the paper's configuration, the very one training runs:
 * the disk autoencoder's family of the training engine (`diskAutoencoderFamily`: the model of
 * `model.ts`, the squared error of `fused_losses.ts` (per-pixel mean), the Keras Adam of
 * `adam.ts`, lr 1e-3, batches gathered by index from images kept on the device), stepped over
 * `batches` fixed batches of exact blurred disks (`disks.ts`, radii uniform in [0, 32)) taken
 * in turn. Like training, it reads nothing back between steps.
 */
export function makeTrainer(seed: number, batch: number, batches: number): Trainer {
  const count = batch * batches;
  const { images } = generateDiskDataset({
    count,
    geometry: PAPER_DISK_GEOMETRY,
    sampler: uniformRadii(),
    blur: "exact",
    samples: 0,
  }, createRng(deriveSeed(seed, "bench-data")));
  const family = diskAutoencoderFamily({ count, images }, {
    config: diskAutoencoderConfig(),
    seed,
    iterations: 0,
    batchSize: batch,
    loss: LOSS,
    adam: KERAS_ADAM,
  });
  const epoch = family.epochData(0, Int32Array.from({ length: count }, (_, i) => i));
  let next = 0, step = 0;
  return {
    async steps(steps: number): Promise<number> {
      let kept: Record<string, KeptValue> | null = null;
      for (let i = 0; i < steps; i++) {
        const position = next;
        next = (next + 1) % batches;
        // Only the last step keeps its loss: the one read-back, after every step has run.
        kept = await family.update({
          step: step++,
          epoch: 0,
          position,
          data: epoch,
          logging: i === steps - 1,
        });
      }
      if (kept === null) return NaN;
      const v = (await kept.loss.data())[0];
      for (const t of new Set(Object.values(kept))) t.dispose();
      return v;
    },
    weights(): Float32Array[] {
      return family.model.variables.map((v) => v.variable.dataSync() as Float32Array);
    },
    dispose(): void {
      family.disposeEpochData(epoch);
      family.dispose();
      family.model.dispose();
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
  /** The cpu convolutions' implementation in force (cpu only). */
  kernels?: ImageKernelImpl;
  /** Threads of the fast cpu kernels (1 on other backends). */
  threads: number;
  /** Images per step. */
  batch: number;
  /** Steps per timed block (one read back per block). */
  block: number;
  /** Median milliseconds per step over the timed blocks. */
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
  /** On webgpu: the WebGPU calls of a training step, averaged over the timed steps. */
  host?: HostCosts;
}

/** Where the host side of a webgpu training step goes (see `webgpu_calls.ts`). */
export interface HostCosts {
  /** Kernel dispatches per step (`dispatchWorkgroups`). */
  dispatches: number;
  /** Tensors uploaded from CPU memory per step (buffers mapped at creation). */
  uploads: number;
  /** Bytes of those uploads per step. */
  uploadBytes: number;
  /** Uniform and other `writeBuffer` uploads per step. */
  writes: number;
  /** Milliseconds per step inside all recorded WebGPU calls. */
  ms: number;
  /** WebGPU methods by host time per step, largest first (at most `top`). */
  top: ({ name: string } & CallStats)[];
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
export async function useBackend(
  backend: "cpu" | "webgpu",
  stock: boolean,
  threads: number,
  kernels?: ImageKernelImpl,
): Promise<string> {
  const info = await initBackend(backend, { cpuThreads: threads });
  if (kernels !== undefined) setImageKernelImpl(kernels);
  if (stock) restoreStockKernels(info.name);
  else installFastKernels(info.name);
  return info.adapter ?? info.name;
}

/** Times training steps of the paper configuration (see the module doc). */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const device = await useBackend(opts.backend, opts.stock, opts.threads, opts.kernels);
  const trainer = makeTrainer(opts.seed, opts.batch, 2);
  try {
    const block = opts.block ?? (tf.getBackend() === "webgpu" ? 10 : 1);
    if (opts.warmup > 0) await trainer.steps(opts.warmup);
    if (opts.barrier !== undefined) await waitAtBarrier(opts.barrier);
    const stepsMs: number[] = [];
    const cpuStepsMs: number[] = [];
    let lastLoss = NaN;
    // The timed steps are also the recorded ones: wrapping adds about a microsecond per call,
    // small beside the calls themselves, and records exactly the steps whose time is quoted.
    const recorder = tf.getBackend() === "webgpu" ? recordWebgpuCalls() : undefined;
    try {
      for (let i = 0; i < opts.repeats; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        lastLoss = await trainer.steps(block);
        stepsMs.push((performance.now() - t0) / block);
        const c = process.cpuUsage(c0);
        cpuStepsMs.push((c.user + c.system) / 1000 / block);
      }
    } finally {
      recorder?.stop();
    }
    const host = recorder === undefined
      ? undefined
      : hostCosts(perStep(recorder.snapshot(), opts.repeats * block), opts.top);
    // Not in a process of --processes: its profiled step would run beside others' timed ones.
    const profile = opts.barrier === undefined
      ? await tf.profile(() => trainer.steps(1))
      : { kernels: [] };
    const all = kernelTimes(profile.kernels, false);
    return {
      backend: tf.getBackend(),
      device,
      stock: opts.stock,
      ...(tf.getBackend() === "cpu" ? { kernels: imageKernelImpl() } : {}),
      threads: tf.getBackend() === "cpu" && !opts.stock ? cpuThreads() : 1,
      batch: opts.batch,
      block,
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
      ...(host === undefined ? {} : { host }),
    };
  } finally {
    trainer.dispose();
  }
}

/** Summarises a per-step table of WebGPU calls. */
export function hostCosts(table: Record<string, CallStats>, top: number): HostCosts {
  const get = (name: string) => table[name] ?? { calls: 0, ms: 0, bytes: 0 };
  const uploads = get("GPUDevice.createBuffer(mappedAtCreation)");
  return {
    dispatches: get("GPUComputePassEncoder.dispatchWorkgroups").calls,
    uploads: uploads.calls,
    uploadBytes: uploads.bytes,
    writes: get("GPUQueue.writeBuffer").calls,
    ms: Object.values(table).reduce((s, e) => s + e.ms, 0),
    top: topCalls(table, top),
  };
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

/** ‖a − ref‖ / ‖ref‖ over every weight of two trainings, variable after variable. */
function weightsRelativeL2(a: Float32Array[], ref: Float32Array[]): number {
  let num = 0, den = 0;
  ref.forEach((w, i) => {
    for (let j = 0; j < w.length; j++) {
      num += (a[i][j] - w[j]) ** 2;
      den += w[j] ** 2;
    }
  });
  return Math.sqrt(num / den);
}

/** Trains from one seed with the stock and then the fast cpu kernels and compares the losses. */
export async function compareLoss(opts: BenchOptions): Promise<CompareResult> {
  await useBackend("cpu", true, opts.threads);
  const train = async (): Promise<{ loss: number; seconds: number; weights: Float32Array[] }> => {
    const trainer = makeTrainer(opts.seed, opts.compareBatch, 4);
    const t0 = performance.now();
    try {
      const loss = await trainer.steps(opts.compareSteps);
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
  return {
    steps: opts.compareSteps,
    batch: opts.compareBatch,
    stockLoss: stock.loss,
    fastLoss: fast.loss,
    relativeDifference,
    weightsRelativeDifference: weightsRelativeL2(fast.weights, stock.weights),
    pass: relativeDifference <= 0.01,
    stockSeconds: stock.seconds,
    fastSeconds: fast.seconds,
  };
}

/** The result of {@linkcode compareKernels}. */
export interface CompareKernelsResult {
  steps: number;
  batch: number;
  jsLoss: number;
  wasmLoss: number;
  /** |wasm − js| / |js| of the last loss. */
  relativeDifference: number;
  /** ‖w_wasm − w_js‖ / ‖w_js‖ over all final weights. */
  weightsRelativeDifference: number;
  /** Whether the relative difference of the losses is within 1e-5. */
  pass: boolean;
  jsSeconds: number;
  wasmSeconds: number;
}

/**
 * Trains from one seed with the JavaScript and then the WebAssembly convolutions (cpu) and
 * compares the losses: the new kernels must not change what training does (bar 1e-5 relative).
 */
export async function compareKernels(opts: BenchOptions): Promise<CompareKernelsResult> {
  await useBackend("cpu", false, opts.threads);
  const before = imageKernelImpl();
  const train = async (impl: ImageKernelImpl) => {
    setImageKernelImpl(impl);
    const trainer = makeTrainer(opts.seed, opts.compareBatch, 4);
    const t0 = performance.now();
    try {
      const loss = await trainer.steps(opts.compareSteps);
      return { loss, seconds: (performance.now() - t0) / 1000, weights: trainer.weights() };
    } finally {
      trainer.dispose();
    }
  };
  try {
    const js = await train("js");
    const wasm = await train("wasm");
    const relativeDifference = Math.abs(wasm.loss - js.loss) / Math.abs(js.loss);
    return {
      steps: opts.compareSteps,
      batch: opts.compareBatch,
      jsLoss: js.loss,
      wasmLoss: wasm.loss,
      relativeDifference,
      weightsRelativeDifference: weightsRelativeL2(wasm.weights, js.weights),
      pass: relativeDifference <= 1e-5,
      jsSeconds: js.seconds,
      wasmSeconds: wasm.seconds,
    };
  } finally {
    setImageKernelImpl(before);
  }
}

/** Human-readable lines for a timing result. */
export function formatBench(r: BenchResult): string {
  const lines = [
    `backend ${r.backend} (${r.device}), ${
      r.stock ? "stock" : r.kernels === undefined ? "fast" : `fast (${r.kernels} convolutions)`
    } kernels, ${r.threads} thread${r.threads === 1 ? "" : "s"}, batch ${r.batch}, ${r.block} step${
      r.block === 1 ? "" : "s"
    } per timed block`,
    `ms per training step: median ${r.medianMs.toFixed(1)}, min ${r.minMs.toFixed(1)}, max ${
      r.maxMs.toFixed(1)
    } over ${r.stepsMs.length} blocks (last loss ${r.lastLoss.toPrecision(4)})`,
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
  if (r.host !== undefined) {
    const h = r.host;
    lines.push(
      `host side per step: ${h.dispatches.toFixed(1)} dispatches, ${
        h.uploads.toFixed(1)
      } uploads from CPU memory (${(h.uploadBytes / 1024).toFixed(1)} KiB), ${
        h.writes.toFixed(1)
      } writeBuffer; ${h.ms.toFixed(1)} ms inside WebGPU calls; top calls:`,
      ...h.top.map((c) =>
        `  ${c.name.padEnd(40)} ${c.ms.toFixed(2).padStart(9)} ms  ${
          c.calls.toFixed(1).padStart(6)
        } calls  ${(c.bytes / 1024).toFixed(1).padStart(9)} KiB`
      ),
    );
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions | undefined;
  let torch: ReturnType<typeof splitTorchArgs>;
  try {
    torch = splitTorchArgs(argv);
    opts = parseBenchArgs(torch.rest);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (opts === undefined) {
    console.log(USAGE);
    return 0;
  }
  if (torch.flags !== undefined) return await mainAgainstTorch(opts, torch.flags);
  let json: unknown;
  if (opts.model !== "disk") {
    if (opts.kernels !== undefined) setImageKernelImpl(opts.kernels);
    const r = await benchModel(
      opts.model,
      opts.profile,
      opts.threads,
      Math.max(1, opts.warmup),
      opts.repeats,
    );
    console.log(formatModelBench(r));
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(r, null, 2) + "\n");
    }
    return 0;
  }
  if (opts.compareKernels) {
    const r = await compareKernels(opts);
    console.log(
      `compare-kernels on cpu, ${r.steps} steps at batch ${r.batch}: js ${
        r.jsLoss.toPrecision(8)
      } (${r.jsSeconds.toFixed(1)} s), wasm ${r.wasmLoss.toPrecision(8)} (${
        r.wasmSeconds.toFixed(1)
      } s), relative difference ${r.relativeDifference.toExponential(2)}: ${
        r.pass ? "PASS" : "FAIL"
      } (bar 1e-5); final weights differ by ${
        r.weightsRelativeDifference.toExponential(2)
      } (relative L2)`,
    );
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(r, null, 2) + "\n");
    }
    return r.pass ? 0 : 1;
  }
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
  if (opts.processes !== undefined) {
    const r = await runProcesses(opts, opts.processes, Deno.mainModule, (l) => console.log(l));
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(r, null, 2) + "\n");
    }
    return 0;
  }
  const r = await runBench(opts);
  if (opts.barrier === undefined) console.log(formatBench(r));
  json = r;
  if (opts.out !== undefined) {
    await Deno.writeTextFile(opts.out, JSON.stringify(json, null, 2) + "\n");
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
