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
 * [--repeats 10] [--warmup N] [--top 10] [--seed 1] [--out bench.json]`
 * or `deno run -A bench/bench.ts --compare-loss [--compare-steps 200] [--compare-batch 10]`
 * or `deno run -A bench/bench.ts --against-torch [--python PATH] [--threads 1] [--repeats 10]`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { useDirectSteps } from "../lib/ml/direct_step_cpu.ts";
import {
  cpuThreads,
  type ImageKernelImpl,
  imageKernelImpl,
  installFastKernels,
  restoreStockKernels,
  setImageKernelImpl,
} from "../lib/ml/kernels/mod.ts";
import { type CallStats, perStep, recordWebgpuCalls, topCalls } from "../lib/ml/webgpu_calls.ts";
import { benchModel, formatModelBench } from "./bench_models.ts";
import { benchGroups, formatGroupBench, parseModelList } from "./bench_group.ts";
import { parseProcessList, runProcesses, waitAtBarrier } from "./bench_processes.ts";
import { formatThreadScaling, pinRefusal, runThreadScaling, serveSteps } from "./bench_scaling.ts";
import { copyTimes, formatCopyTimes } from "./bench_copies.ts";
import {
  type BenchOptions,
  type BenchResult,
  type HostCosts,
  type KernelTime,
  makeTrainer,
  median,
  timeBlock,
  useBackend,
} from "./bench_step.ts";
import { mainAgainstTorch, splitTorchArgs, TORCH_USAGE } from "./bench_torch.ts";

const USAGE = `Usage: deno task bench [options]
  --backend cpu|webgpu   tfjs backend (default cpu)
  --stock                use the stock tfjs kernels instead of the fast ones
  --model disk|pca|dcgan the training step timed: the paper's disk autoencoder (default), the
                         PCA-like autoencoder's first step or the DCGAN (cpu; their stages'
                         parameters, --repeats updates timed after --warmup, at least 1)
  --profile paper|quick  the parameters --model pca|dcgan takes (default paper)
  --kernels wasm|js      the cpu convolutions and the backward pass's and loss's elementwise
                         kernels: WebAssembly SIMD (default where available) or the JavaScript
                         ones (the fallback)
  --compare-kernels      train from one seed with the wasm and the js convolutions (cpu), compare
                         the losses (bar 1e-5 relative); steps and batch as --compare-loss
  --threads N            threads of the fast cpu kernels (default: one per core)
  --batch N              images per step (default 300, the paper's)
  --repeats N            timed blocks of steps (default 10)
  --block N              steps per timed block, one read back at its end (default 1 on cpu,
                         10 on webgpu, where each read waits ≥ 10 ms)
  --warmup N             untimed steps first (default 3; 100 for the disk step on more than one
                         thread and for --thread-scaling, whose runs reach their steady speed
                         later)
  --top N                kernels listed in the profile (default 10)
  --seed N               seed of data and weights (default 1)
  --out PATH             also write the result as JSON to PATH
  --compare-loss         train from one seed with stock and with fast kernels (cpu), compare losses
  --compare-steps N      steps of --compare-loss (default 200)
  --compare-batch N      batch of --compare-loss (default 10: the stock cpu kernels are slow)
  --processes LIST       run N trainings at once for each N of LIST (e.g. 1,4,8), timed together,
                         and print their summed steps per second
  --thread-scaling N     N rounds of one thread against --threads threads: two warm
                         processes, one per thread count, time --repeats steps each in turn;
                         with the machine's own scaling of an integer loop to as many cores in
                         each round; prints the medians and both ratios
  --pin                  with --thread-scaling: one one-thread process pinned to each of the
                         --threads first cores (taskset), the other on all of them; compares
                         with the mean core (a core slowed by its host no longer decides), and
                         times the pinned one-thread processes at once too: the step's own
                         ceiling on that many cores; with --against-torch: ours and torch both
                         pinned to the --threads first cores, so that they run on the same ones
  --copies               time the kernels' chunk copies by where tensors live: plain arrays
                         (one thread), shared ones (kernel threads), one shared wasm memory
  --models LIST          train K disk autoencoders together for each K of LIST (e.g. 1,5,10)
                         and print ms per update, per model-update and model-updates per second
  --barrier DIR          (set by --processes for the processes it starts)
  --serve                (set by --thread-scaling for the processes it starts)
${TORCH_USAGE}
  --help                 this text`;

/** Untimed steps before timing, by default: one thread runs at its steady speed after a few. */
export const WARMUP_STEPS = 3;

/**
 * Untimed steps before timing the disk step on more than one thread, and in `--thread-scaling`
 * (both of its processes, so that they compare like with like), by default. Several threads
 * reach their steady speed only after about a hundred steps: two processes of 200 steps each
 * (2026-12-04, 2-core machine, medians of steps 0–19, 20–39, …, 180–199) gave 39.8, 35.3, 35.9,
 * 34.0, 34.9, 34.4, 33.7, 33.7, 32.9, 31.9 ms on two threads and 61.1, 59.3, 61.0, 60.8, 60.0,
 * 59.7, 60.0, 57.4, 59.3, 60.9 ms on one; with 3 warm-up steps, a third of 20 timed steps on two
 * threads fell in the first, slow ones. Trainings run thousands of steps: the steady speed is
 * theirs.
 */
export const WARMUP_STEPS_THREADS = 100;

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
        "thread-scaling": { type: "string" },
        pin: { type: "boolean" },
        copies: { type: "boolean" },
        models: { type: "string" },
        barrier: { type: "string" },
        serve: { type: "boolean" },
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
  const threads = positiveInt("threads", v.threads, navigator.hardwareConcurrency || 1);
  // The long warm-up is for the disk step's timings only (plain, --thread-scaling, and the
  // processes --thread-scaling starts); the other modes count their warm-up in updates of
  // their own.
  const diskStep = model === "disk" && v.processes === undefined && v.models === undefined &&
    !v["compare-kernels"] && !v["compare-loss"];
  const longWarmup = diskStep && (threads > 1 || v["thread-scaling"] !== undefined);
  return {
    backend,
    stock: v.stock ?? false,
    model,
    profile,
    ...(v.kernels === undefined ? {} : { kernels: v.kernels as ImageKernelImpl }),
    compareKernels: v["compare-kernels"] ?? false,
    threads,
    batch: positiveInt("batch", v.batch, 300),
    repeats: positiveInt("repeats", v.repeats, 10),
    ...(v.block === undefined ? {} : { block: positiveInt("block", v.block, 1) }),
    warmup: positiveInt("warmup", v.warmup, longWarmup ? WARMUP_STEPS_THREADS : WARMUP_STEPS, 0),
    top: positiveInt("top", v.top, 10),
    seed: positiveInt("seed", v.seed, 1, 0),
    out: v.out,
    compareLoss: v["compare-loss"] ?? false,
    compareSteps: positiveInt("compare-steps", v["compare-steps"], 200),
    compareBatch: positiveInt("compare-batch", v["compare-batch"], 10),
    ...(v.processes === undefined ? {} : { processes: parseProcessList(v.processes) }),
    ...(v["thread-scaling"] === undefined
      ? {}
      : { threadScaling: positiveInt("thread-scaling", v["thread-scaling"], 1) }),
    ...(v.pin ? { pin: true } : {}),
    ...(v.barrier === undefined ? {} : { barrier: v.barrier }),
    ...(v.serve ? { serve: true } : {}),
    ...(v.models === undefined ? {} : { models: parseModelList(v.models) }),
    ...(v.copies ? { copies: true } : {}),
  };
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
        const t = await timeBlock(trainer, block);
        lastLoss = t.loss;
        stepsMs.push(t.ms);
        cpuStepsMs.push(t.cpuMs);
      }
    } finally {
      recorder?.stop();
    }
    const host = recorder === undefined
      ? undefined
      : hostCosts(perStep(recorder.snapshot(), opts.repeats * block), opts.top);
    // Not in a process of --processes: its profiled step would run beside others' timed ones.
    // Through tfjs's ops, which run the kernels the direct update calls (it runs no op to profile).
    const direct = useDirectSteps(false);
    let profile: { kernels: ProfiledKernel[] };
    try {
      profile = opts.barrier === undefined
        ? await tf.profile(() => trainer.steps(1))
        : { kernels: [] };
    } finally {
      useDirectSteps(direct);
    }
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
    `top kernels of one profiled step, through tfjs's ops (sum of all kernels ${
      r.profiledKernelMs.toFixed(1)
    } ms):`,
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
  if (opts.threadScaling !== undefined && opts.threads < 2) {
    console.error(
      `Cannot measure thread scaling with --threads ${opts.threads}: pass --threads 2 or more`,
    );
    return 2;
  }
  if (opts.threadScaling !== undefined && opts.backend !== "cpu") {
    console.error(
      `Cannot measure thread scaling on ${opts.backend}: threads are the cpu kernels'; drop --backend`,
    );
    return 2;
  }
  if (opts.pin) {
    const why = await pinRefusal(opts, torch.flags !== undefined);
    if (why !== undefined) {
      console.error(why);
      return 2;
    }
  }
  if (opts.serve) {
    await serveSteps(opts);
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
  if (opts.models !== undefined) {
    if (opts.stock) {
      throw new Error(
        `Cannot bench --models with --stock: grouped kernels run with the fast kernels; drop --stock`,
      );
    }
    if (opts.kernels !== undefined) setImageKernelImpl(opts.kernels);
    const r = await benchGroups(opts.models, opts);
    console.log(formatGroupBench(r));
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(r, null, 2) + "\n");
    }
    return 0;
  }
  if (opts.copies) {
    const r = copyTimes();
    console.log(formatCopyTimes(r));
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(r, null, 2) + "\n");
    }
    return 0;
  }
  if (opts.threadScaling !== undefined) {
    const r = await runThreadScaling(
      opts,
      opts.threadScaling,
      Deno.mainModule,
      (l) => console.log(l),
    );
    console.log(formatThreadScaling(r));
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(r, null, 2) + "\n");
    }
    return 0;
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
