/**
 * What the benchmark programs share: the options of a run, the timed training step (the disk
 * autoencoder's family of the training engine, the very update training runs), the shape of
 * a result, and how the backend is set up. `bench.ts` (the command line), `bench_processes.ts`
 * (several processes at once) and `bench_torch.ts` (against PyTorch) import it; it imports
 * none of them.
 *
 * @module
 */
import process from "node:process";
import type { CallStats } from "../lib/ml/webgpu_calls.ts";
import { KERAS_ADAM } from "../lib/ml/adam.ts";
import { initBackend } from "../lib/ml/backend.ts";
import { generateDiskDataset, PAPER_DISK_GEOMETRY, uniformRadii } from "../lib/ml/disks.ts";
import {
  type ImageKernelImpl,
  installFastKernels,
  restoreStockKernels,
  setImageKernelImpl,
} from "../lib/ml/kernels/mod.ts";
import { diskAutoencoderConfig } from "../lib/ml/model.ts";
import { createRng, deriveSeed } from "../lib/ml/random.ts";
import type { LossReduction } from "../lib/ml/regularisers.ts";
import { diskAutoencoderFamily } from "../lib/ml/train.ts";
import type { KeptValue } from "../lib/train/loop.ts";
import type { Profile } from "../pipeline/params.ts";
import type { BenchModel } from "./bench_models.ts";

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
  /** With `--models`: the group sizes K whose grouped training is timed (cpu). */
  models?: number[];
  /** Time the kernels' chunk copies by where the tensors' values live (`bench_copies.ts`). */
  copies?: boolean;
  /** Instead of one run, run N processes at once for each N (see `bench_processes.ts`). */
  processes?: number[];
  /**
   * Instead of one run, this many rounds of one thread against `threads` threads, each in a
   * process of its own, with the machine's core scaling (see `bench_scaling.ts`).
   */
  threadScaling?: number;
  /**
   * With `threadScaling`: one one-thread process pinned to each of the first `threads` cores
   * (`taskset`), the N-thread process pinned to all of them; the one-thread figure is then that
   * of the mean core.
   */
  pin?: boolean;
  /** In a process started by `--processes`: the barrier folder to wait at after warm-up. */
  barrier?: string;
  /**
   * In a process started by `--thread-scaling`: after the warm-up, time blocks when asked on
   * stdin (see `bench_served.ts`) instead of once.
   */
  serve?: boolean;
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

/** `count` disks of the paper's geometry with uniform radii, the bench's data for `seed`. */
export function benchDisks(seed: number, count: number): Float32Array {
  return generateDiskDataset({
    count,
    geometry: PAPER_DISK_GEOMETRY,
    sampler: uniformRadii(),
    blur: "exact",
    samples: 0,
  }, createRng(deriveSeed(seed, "bench-data"))).images;
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
  const images = benchDisks(seed, count);
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

/** One timed block of steps: ms and CPU ms per step, and the loss read at its end. */
export interface TimedBlock {
  /** Wall-clock ms per step. */
  ms: number;
  /** CPU ms per step (user + system, all threads of the process). */
  cpuMs: number;
  /** The loss of the block's last step. */
  loss: number;
}

/** Times `block` steps of `trainer`, with one read of the loss at the end (see `Trainer`). */
export async function timeBlock(trainer: Trainer, block: number): Promise<TimedBlock> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const loss = await trainer.steps(block);
  const ms = (performance.now() - t0) / block;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000 / block, loss };
}

/** The q-quantile (0 ≤ q ≤ 1) of a non-empty list, interpolated linearly between ranks. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const at = q * (s.length - 1), lo = Math.floor(at), hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
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
