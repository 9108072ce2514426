/**
 * The bench against PyTorch: `deno task bench --against-torch`.
 *
 * Why: a time per step means little alone; the one we quote is beside PyTorch's for the same
 * training step on the same machine, at the same thread count. `bench_torch_disk_ae.py` is
 * that step in PyTorch (the model of `model.ts`, per-pixel mean squared error, Adam), timed the
 * way `bench.ts` times ours: blocks of steps after a warm-up.
 *
 * Ours runs in the bench's process, torch in a python process of its own that times a block
 * whenever it is asked (its `--serve` mode); after both have warmed up they take turns, a block
 * of ours then a block of torch, each idle while the other runs. So whatever else loads the
 * machine, which on a shared one changes from second to second, falls on both alike: timing one
 * whole process after the other gave per-process ratios anywhere from 0.4 to 8.6 on a busy
 * two-core machine. The result is the median ms per step of each over its blocks and their
 * ratio, ours over torch, with the ratio of CPU times and that of the fastest blocks beside it:
 * with other processes on the cores, torch's OpenMP threads wait for each other by spinning
 * (its default), which at 2 threads can cost it several times its idle time, and the fastest
 * blocks are the nearest to an idle machine.
 *
 * PyTorch is not a dependency of the project: the comparison looks for a python3 that imports
 * torch (`python3`, then `/usr/bin/python3`, or `--python PATH` only) and, with none, says why
 * it skipped and succeeds.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import {
  type BenchOptions,
  makeTrainer,
  median,
  quantile,
  timeBlock,
  type TimedBlock,
  useBackend,
} from "./bench_step.ts";
import { cpuThreads } from "../lib/ml/kernels/mod.ts";
import { describeArchitecture, diskAutoencoderConfig } from "../lib/ml/model.ts";
import { ServedProcess } from "./bench_served.ts";
import { pinnedCores } from "./bench_scaling.ts";

/** The flags of `--against-torch`, taken out of the bench's command line. */
export interface TorchFlags {
  /** The only python to try; undefined: `DEFAULT_PYTHONS` in turn. */
  python?: string;
}

/** Pythons tried in turn without `--python`: the one on PATH, then Debian's (python3-torch). */
export const DEFAULT_PYTHONS: readonly string[] = ["python3", "/usr/bin/python3"];

/**
 * The PyTorch reference script, beside this module (a URL: turned into a path only when run,
 * so that a copy of the bench loaded from elsewhere still starts).
 */
export const TORCH_SCRIPT: URL = new URL("./bench_torch_disk_ae.py", import.meta.url);

/** Help lines of the flags, for the bench's usage text. */
export const TORCH_USAGE =
  `  --against-torch        time ours and the PyTorch reference of the same step, a block of each in
                         turn, at the same --threads, --batch, --block, --repeats (blocks of each)
                         and --warmup (cpu only); print both medians and their ratio, or why it
                         skipped (no python3 with torch)
  --python PATH          python3 with torch for --against-torch (default: python3, /usr/bin/python3)`;

/**
 * Takes `--against-torch` and `--python PATH` (or `--python=PATH`) out of the bench's
 * arguments; the rest go to `parseBenchArgs`. `flags` is undefined without `--against-torch`.
 */
export function splitTorchArgs(argv: readonly string[]): { flags?: TorchFlags; rest: string[] } {
  const rest: string[] = [];
  let against = false;
  let python: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--against-torch") {
      against = true;
    } else if (a === "--python" || a.startsWith("--python=")) {
      const value = a === "--python" ? argv[++i] : a.slice("--python=".length);
      if (value === undefined || value === "") {
        throw new Error(`Cannot parse --python: it needs a path; pass --python PATH`);
      }
      python = value;
    } else {
      rest.push(a);
    }
  }
  if (!against) {
    if (python !== undefined) {
      throw new Error(`Cannot use --python alone: it belongs to --against-torch; add it`);
    }
    return { rest };
  }
  return { flags: python === undefined ? {} : { python }, rest };
}

/** A python that imports torch, or why none was found. */
export type TorchPython =
  | { found: true; python: string; version: string }
  | { found: false; why: string };

/** Runs `python -c 'import torch'` on each candidate in turn; the first that works is used. */
export async function findTorchPython(candidates: readonly string[]): Promise<TorchPython> {
  const tried: string[] = [];
  for (const python of candidates) {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(python, {
        args: ["-c", "import torch; print(torch.__version__)"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (e) {
      tried.push(`${python}: ${e instanceof Deno.errors.NotFound ? "not found" : String(e)}`);
      continue;
    }
    if (out.success) {
      return { found: true, python, version: new TextDecoder().decode(out.stdout).trim() };
    }
    // The last line of a traceback is the error itself, e.g. "No module named 'torch'".
    const last = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
    tried.push(`${python}: ${last || `exit code ${out.code}`}`);
  }
  return {
    found: false,
    why: `no python3 with torch (${tried.join("; ")}); ` +
      `install one (Debian: apt-get install python3-torch) or pass --python PATH`,
  };
}

/** One layer as the reference describes it: shapes [h, w, c] and parameters. */
export interface TorchLayer {
  /** `encoder` or `decoder`. */
  part: string;
  /** Input [height, width, channels]. */
  inShape: number[];
  /** Output [height, width, channels]. */
  outShape: number[];
  /** Trainable parameters (kernel + bias). */
  params: number;
}

/** The first line the reference prints in `--serve` mode, after its warm-up. */
export interface TorchSettings {
  /** `torch.__version__`. */
  torch: string;
  /** `torch.get_num_threads()` after setting it. */
  threads: number;
  /** Images per step. */
  batch: number;
  /** Trainable parameters of the model. */
  params: number;
  /** Its layers, in `model.ts`'s order. */
  layers: TorchLayer[];
}

/**
 * Throws unless the reference's layers are those of `model.ts`'s disk autoencoder: same
 * parts, shapes and parameter counts (1,412 in all).
 */
export function checkSameModel(layers: readonly TorchLayer[]): void {
  const ours = describeArchitecture(diskAutoencoderConfig());
  const show = (r: TorchLayer) =>
    `${r.part} ${r.inShape.join("×")} → ${r.outShape.join("×")}, ${r.params} parameters`;
  for (let i = 0; i < Math.max(ours.length, layers.length); i++) {
    const a = ours[i] === undefined ? "none" : show(ours[i]);
    const b = layers[i] === undefined ? "none" : show(layers[i]);
    if (a !== b) {
      throw new Error(
        `Cannot compare against torch: layer ${i} of the reference is ${b}, ours ${a}; ` +
          `fix bench_torch_disk_ae.py to build model.ts's disk autoencoder`,
      );
    }
  }
}

/** Medians over the blocks and their ratio. */
export interface MedianComparison {
  /** Median ms per step of ours over its blocks. */
  oursMedianMs: number;
  /** Median ms per step of torch over its blocks. */
  torchMedianMs: number;
  /** `oursMedianMs / torchMedianMs`: above 1 when ours is slower. */
  ratio: number;
  /** Ours' fastest block, ms per step: the nearest to an idle machine. */
  oursMinMs: number;
  /** Torch's fastest block, ms per step. */
  torchMinMs: number;
  /** Timed blocks of each (ours and torch ran as many, in turn). */
  blocks: number;
  /**
   * Quartiles [25%, 50%, 75%] of the ratios of the blocks timed one after the other (ours over
   * torch): how much the ratio moves with the machine's load.
   */
  pairRatioQuartiles: [number, number, number];
}

/** Compares block times (ms per step): `ours[i]` and `torch[i]` were timed one after the other. */
export function compareMedians(
  ours: readonly number[],
  torch: readonly number[],
): MedianComparison {
  if (ours.length !== torch.length || ours.length === 0) {
    throw new Error(
      `Cannot compare against torch: ${ours.length} blocks of ours, ${torch.length} of torch; ` +
        `both need the same number, at least one`,
    );
  }
  const oursMedianMs = median(ours), torchMedianMs = median(torch);
  const pairs = ours.map((o, i) => o / torch[i]);
  return {
    oursMedianMs,
    torchMedianMs,
    ratio: oursMedianMs / torchMedianMs,
    oursMinMs: Math.min(...ours),
    torchMinMs: Math.min(...torch),
    blocks: ours.length,
    pairRatioQuartiles: [quantile(pairs, 0.25), quantile(pairs, 0.5), quantile(pairs, 0.75)],
  };
}

/** What `--against-torch` measured. */
export interface TorchComparison extends MedianComparison {
  /** The python that ran torch. */
  python: string;
  /** Its `torch.__version__`. */
  torch: string;
  /** Threads asked for. */
  threads: number;
  /** Threads ours used (1 with the stock kernels). */
  oursThreads: number;
  /** Threads torch reported using. */
  torchThreads: number;
  /** Whether ours used the stock tfjs kernels. */
  stock: boolean;
  /** With `--pin`: the cores both sides ran on (taskset's list). */
  pinnedCores?: string;
  /** Images per step. */
  batch: number;
  /** Steps per timed block. */
  block: number;
  /** Untimed steps of each before the first block. */
  warmup: number;
  /** Trainable parameters of both models. */
  params: number;
  /** Median CPU ms per step of ours (user + system, all threads of the process). */
  oursCpuMedianMs: number;
  /** Median CPU ms per step of torch (process time, all threads). */
  torchCpuMedianMs: number;
  /**
   * `oursCpuMedianMs / torchCpuMedianMs`: less moved than `ratio` by other processes taking
   * the cores, more by helper threads (V8's garbage collector and compiler on our side).
   */
  cpuRatio: number;
  /** Ours' ms per step of every block, in order. */
  oursStepsMs: number[];
  /** Torch's ms per step of every block, in order. */
  torchStepsMs: number[];
  /** Our loss after the last block (a sanity value). */
  oursLastLoss: number;
  /** Torch's loss after the last block. */
  torchLastLoss: number;
}

/**
 * Pins every thread of this process, and so the threads it starts later, to `cores` (taskset's
 * list). Why: a shared host may run one core at two thirds of the other's speed for minutes
 * (2-core development machine, 2026-12-05: ours at 88–97 ms a step beside torch's steady 131, on
 * a run whose previous one gave 54–65 ms), and two unpinned processes taking turns can land on
 * different cores for a whole run; pinned, both run on the same ones, whatever their speed.
 */
async function pinThisProcess(cores: string): Promise<void> {
  const p = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", cores, String(Deno.pid)],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!p.success) {
    throw new Error(
      `Cannot pin the bench to cores ${cores}: taskset said ${
        new TextDecoder().decode(p.stderr).trim()
      }; drop --pin`,
    );
  }
}

/** The reference script's arguments for its `--serve` mode. */
export function torchArgs(opts: BenchOptions): string[] {
  return [
    "--serve",
    `--threads=${opts.threads}`,
    `--warmup=${opts.warmup}`,
    `--batch=${opts.batch}`,
    `--seed=${opts.seed}`,
  ];
}

/**
 * Times `opts.repeats` blocks of `opts.block` steps (1 by default) of ours (in this process,
 * on the cpu backend) and as many of the reference under `python`, a block of each in turn,
 * after `opts.warmup` untimed steps of each; `onBlock` hears each pair.
 */
export async function runAgainstTorch(
  opts: BenchOptions,
  python: { python: string; version: string },
  onBlock: (line: string) => void = () => {},
): Promise<TorchComparison> {
  if (TORCH_SCRIPT.protocol !== "file:") {
    throw new Error(
      `Cannot run the torch reference: ${TORCH_SCRIPT.href} is not a local file; ` +
        `run the bench from the repository`,
    );
  }
  const block = opts.block ?? 1;
  const cores = opts.pin ? pinnedCores(opts.threads) : undefined;
  // Before ours starts its kernel threads, which take this process's cores.
  if (cores !== undefined) await pinThisProcess(cores);
  const script = [fileURLToPath(TORCH_SCRIPT), ...torchArgs(opts)];
  // Started first: it imports torch and warms up while ours does.
  const torch = new ServedProcess(
    `the torch reference${cores === undefined ? "" : ` pinned to cores ${cores}`}`,
    python.python,
    script,
    cores,
  );
  let ended = false;
  try {
    await useBackend("cpu", opts.stock, opts.threads);
    const trainer = makeTrainer(opts.seed, opts.batch, 2);
    try {
      if (opts.warmup > 0) await trainer.steps(opts.warmup);
      const settings = await torch.next<TorchSettings>();
      checkSameModel(settings.layers);
      const oursStepsMs: number[] = [], oursCpuMs: number[] = [];
      const torchStepsMs: number[] = [], torchCpuMs: number[] = [];
      let oursLastLoss = NaN, torchLastLoss = NaN;
      for (let i = 0; i < opts.repeats; i++) {
        const o = await timeBlock(trainer, block);
        oursLastLoss = o.loss;
        oursStepsMs.push(o.ms);
        oursCpuMs.push(o.cpuMs);
        const t = await torch.block<TimedBlock>(block);
        torchStepsMs.push(t.ms);
        torchCpuMs.push(t.cpuMs);
        torchLastLoss = t.loss;
        onBlock(
          `block ${i + 1}/${opts.repeats}: ours ${oursStepsMs[i].toFixed(1)} ms/step, torch ${
            t.ms.toFixed(1)
          } ms/step`,
        );
      }
      await torch.close();
      ended = true;
      const oursCpuMedianMs = median(oursCpuMs), torchCpuMedianMs = median(torchCpuMs);
      return {
        python: python.python,
        torch: python.version,
        threads: opts.threads,
        oursThreads: opts.stock ? 1 : cpuThreads(),
        torchThreads: settings.threads,
        stock: opts.stock,
        ...(cores === undefined ? {} : { pinnedCores: cores }),
        batch: opts.batch,
        block,
        warmup: opts.warmup,
        params: settings.params,
        ...compareMedians(oursStepsMs, torchStepsMs),
        oursCpuMedianMs,
        torchCpuMedianMs,
        cpuRatio: oursCpuMedianMs / torchCpuMedianMs,
        oursStepsMs,
        torchStepsMs,
        oursLastLoss,
        torchLastLoss,
      };
    } finally {
      trainer.dispose();
    }
  } finally {
    if (!ended) await torch.kill();
  }
}

/** Human-readable lines for a comparison. */
export function formatComparison(c: TorchComparison): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const threads = c.oursThreads === c.threads && c.torchThreads === c.threads
    ? plural(c.threads, "thread")
    : `${plural(c.threads, "thread")} asked, ours used ${c.oursThreads}, torch ${c.torchThreads}`;
  const [q1, q2, q3] = c.pairRatioQuartiles.map((x) => x.toFixed(2));
  return [
    `against torch ${c.torch} (${c.python}), cpu, ${threads}, batch ${c.batch}, ${
      plural(c.params, "parameter")
    }; ${plural(c.blocks, "block")} of ${plural(c.block, "step")} each, ours and torch in turn${
      c.pinnedCores === undefined
        ? ""
        : `, both pinned to core${c.pinnedCores.includes("-") ? "s" : ""} ${c.pinnedCores}`
    }, ${plural(c.warmup, "warm-up step")} first`,
    `ours  median ${c.oursMedianMs.toFixed(1)} ms/step (CPU ${
      c.oursCpuMedianMs.toFixed(1)
    } ms), fastest ${c.oursMinMs.toFixed(1)}, over ${c.blocks} blocks${
      c.stock ? " (stock kernels)" : ""
    }`,
    `torch median ${c.torchMedianMs.toFixed(1)} ms/step (CPU ${
      c.torchCpuMedianMs.toFixed(1)
    } ms), fastest ${c.torchMinMs.toFixed(1)}, over ${c.blocks} blocks`,
    `ours/torch ${
      c.ratio.toFixed(2)
    } (block after block: median ${q2}, middle half ${q1}–${q3}); ` +
    `in CPU time ${c.cpuRatio.toFixed(2)}; fastest over fastest ${
      (c.oursMinMs / c.torchMinMs).toFixed(2)
    }`,
  ].join("\n");
}

/**
 * `--against-torch` from the bench's command line: finds a python with torch and runs the
 * comparison, or prints why it skipped; writes the result (or `{ skipped }`) to `opts.out`.
 * Returns the exit code: 0, or 2 (with a line to `logError`) for options it cannot run with.
 */
export async function mainAgainstTorch(
  opts: BenchOptions,
  flags: TorchFlags,
  log: (line: string) => void = console.log,
  logError: (line: string) => void = console.error,
): Promise<number> {
  const refused = [
    ...(opts.backend === "cpu" ? [] : [`--backend ${opts.backend}`]),
    ...(opts.compareLoss ? ["--compare-loss"] : []),
    ...(opts.processes === undefined ? [] : ["--processes"]),
  ];
  if (refused.length > 0) {
    logError(
      `Cannot compare against torch with ${
        refused.join(", ")
      }: the reference times one training on the CPU; drop ${refused.length === 1 ? "it" : "them"}`,
    );
    return 2;
  }
  const write = async (json: unknown) => {
    if (opts.out !== undefined) {
      await Deno.writeTextFile(opts.out, JSON.stringify(json, null, 2) + "\n");
    }
  };
  const found = await findTorchPython(
    flags.python === undefined ? DEFAULT_PYTHONS : [flags.python],
  );
  if (!found.found) {
    log(`bench --against-torch skipped: ${found.why}`);
    await write({ skipped: found.why });
    return 0;
  }
  const c = await runAgainstTorch(opts, found, log);
  log(formatComparison(c));
  await write(c);
  return 0;
}
