/**
 * The bench against PyTorch: `deno task bench --against-torch`.
 *
 * Why: a time per step means little alone; the one we quote is beside PyTorch's for the same
 * training step on the same machine, at the same thread count. `bench_torch_disk_ae.py` is
 * that step in PyTorch (the model of `model.ts`, per-pixel mean squared error, Adam), timed the
 * way `bench.ts` times ours: blocks of steps after a warm-up.
 *
 * The two run in turn, one process each per round (ours, torch, ours, torch, …), so that
 * whatever else runs on the machine falls on both; each process warms up before it times. The
 * result is the median ms per step of each over all its blocks and their ratio, ours over torch.
 *
 * PyTorch is not a dependency of the project: the comparison looks for a python3 that imports
 * torch (`python3`, then `/usr/bin/python3`, or `--python PATH` only) and, with none, says why
 * it skipped and succeeds.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchOptions, type BenchResult, median } from "./bench.ts";
import { describeArchitecture, diskAutoencoderConfig } from "./model.ts";

/** The flags of `--against-torch`, taken out of the bench's command line. */
export interface TorchFlags {
  /** The only python to try; undefined: `DEFAULT_PYTHONS` in turn. */
  python?: string;
  /** Rounds: each runs one process of ours, then one of torch. */
  rounds: number;
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
  `  --against-torch        time ours and the PyTorch reference in turn, one process each per round, at
                         the same --threads, --batch, --block, --repeats and --warmup (cpu only);
                         print both medians and their ratio, or why it skipped (no torch)
  --python PATH          python3 with torch for --against-torch (default: python3, /usr/bin/python3)
  --rounds N             rounds of --against-torch (default 5)`;

const DEFAULT_ROUNDS = 5;

/**
 * Takes `--against-torch`, `--python PATH` and `--rounds N` (or `--python=PATH`, `--rounds=N`)
 * out of the bench's arguments; the rest go to `parseBenchArgs`. `flags` is undefined without
 * `--against-torch`.
 */
export function splitTorchArgs(argv: readonly string[]): { flags?: TorchFlags; rest: string[] } {
  const rest: string[] = [];
  let against = false;
  let python: string | undefined;
  let rounds: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith("--") && a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    if (name === "--against-torch" && inline === undefined) {
      against = true;
    } else if (name === "--python" || name === "--rounds") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") {
        throw new Error(`Cannot parse ${name}: it needs a value; pass ${name} VALUE`);
      }
      if (name === "--python") python = value;
      else rounds = value;
    } else {
      rest.push(a);
    }
  }
  if (!against) {
    if (python !== undefined || rounds !== undefined) {
      throw new Error(
        `Cannot use --python or --rounds alone: they belong to --against-torch; add it`,
      );
    }
    return { rest };
  }
  let n = DEFAULT_ROUNDS;
  if (rounds !== undefined) {
    n = Number(rounds);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`Cannot parse --rounds "${rounds}": expected an integer ≥ 1`);
    }
  }
  return { flags: { ...(python === undefined ? {} : { python }), rounds: n }, rest };
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

/** What the PyTorch script prints (see `bench_torch_disk_ae.py`). */
export interface TorchRun {
  /** `torch.__version__`. */
  torch: string;
  /** `torch.get_num_threads()` after setting it. */
  threads: number;
  /** Images per step. */
  batch: number;
  /** Steps per timed block. */
  block: number;
  /** Trainable parameters of the model. */
  params: number;
  /** Per layer: shapes [h, w, c] and parameters, in `model.ts`'s order. */
  layers: { part: string; inShape: number[]; outShape: number[]; params: number }[];
  /** Wall ms per step of every timed block. */
  stepsMs: number[];
  /** CPU ms per step (process time, all threads) of every timed block. */
  cpuStepsMs: number[];
  /** Loss of the last step. */
  lastLoss: number;
}

/**
 * Throws unless the reference's layers are those of `model.ts`'s disk autoencoder: same
 * parts, shapes and parameter counts (1,412 in all).
 */
export function checkSameModel(layers: TorchRun["layers"]): void {
  const ours = describeArchitecture(diskAutoencoderConfig());
  const show = (r: { part: string; inShape: number[]; outShape: number[]; params: number }) =>
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

/** Medians over every block of every round, and their ratio. */
export interface MedianComparison {
  /** Median ms per step of ours over all blocks. */
  oursMedianMs: number;
  /** Median ms per step of torch over all blocks. */
  torchMedianMs: number;
  /** `oursMedianMs / torchMedianMs`: above 1 when ours is slower. */
  ratio: number;
  /** Timed blocks of each side (ours and torch ran as many). */
  blocks: number;
  /** Per round, ours' median over torch's: how much the ratio moves with the machine's load. */
  roundRatios: number[];
}

/** Compares per-round block times (ms per step), `ours[r]` and `torch[r]` of round r. */
export function compareMedians(
  ours: readonly number[][],
  torch: readonly number[][],
): MedianComparison {
  const o = ours.flat(), t = torch.flat();
  if (ours.length !== torch.length || o.length !== t.length || o.length === 0) {
    throw new Error(
      `Cannot compare against torch: ${o.length} blocks of ours in ${ours.length} rounds, ` +
        `${t.length} of torch in ${torch.length}; both need the same, at least one`,
    );
  }
  const oursMedianMs = median(o), torchMedianMs = median(t);
  return {
    oursMedianMs,
    torchMedianMs,
    ratio: oursMedianMs / torchMedianMs,
    blocks: o.length,
    roundRatios: ours.map((r, i) => median(r) / median(torch[i])),
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
  /** Threads ours reported using. */
  oursThreads: number;
  /** Threads torch reported using. */
  torchThreads: number;
  /** Whether ours used the stock tfjs kernels. */
  stock: boolean;
  /** Images per step. */
  batch: number;
  /** Steps per timed block. */
  block: number;
  /** Untimed steps at the start of each process. */
  warmup: number;
  /** Rounds (one process of each per round). */
  rounds: number;
  /** Trainable parameters of both models. */
  params: number;
  /** Median CPU ms per step of ours (user + system, all threads). */
  oursCpuMedianMs: number;
  /** Median CPU ms per step of torch. */
  torchCpuMedianMs: number;
  /**
   * `oursCpuMedianMs / torchCpuMedianMs`: less moved than `ratio` by other processes taking
   * the cores, more by helper threads (V8's garbage collector and compiler on our side).
   */
  cpuRatio: number;
  /** Ours' ms per step of every block, round by round. */
  oursStepsMs: number[][];
  /** Torch's ms per step of every block, round by round. */
  torchStepsMs: number[][];
}

/** The bench's arguments for one process of ours in a round (cpu, no profile to speak of). */
export function oursArgs(opts: BenchOptions, out: string): string[] {
  return [
    "--backend=cpu",
    `--threads=${opts.threads}`,
    `--batch=${opts.batch}`,
    `--repeats=${opts.repeats}`,
    `--block=${opts.block ?? 1}`,
    `--warmup=${opts.warmup}`,
    "--top=1",
    `--seed=${opts.seed}`,
    ...(opts.stock ? ["--stock"] : []),
    `--out=${out}`,
  ];
}

/** The reference script's arguments for one process in a round. */
export function torchArgs(opts: BenchOptions): string[] {
  return [
    `--threads=${opts.threads}`,
    `--blocks=${opts.repeats}`,
    `--block=${opts.block ?? 1}`,
    `--warmup=${opts.warmup}`,
    `--batch=${opts.batch}`,
    `--seed=${opts.seed}`,
  ];
}

/** Runs a command to its end; throws with the end of its stderr when it fails. */
async function runOrThrow(what: string, cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`Cannot run ${what}: exit code ${out.code}:\n${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Runs `flags.rounds` rounds of one bench process of ours (the module `entry`) and one of the
 * reference under `python`, in that order, with the options of `opts`; `onRound` hears each
 * round's medians.
 */
export async function runAgainstTorch(
  opts: BenchOptions,
  flags: TorchFlags,
  python: { python: string; version: string },
  entry: string = new URL("./bench.ts", import.meta.url).href,
  onRound: (line: string) => void = () => {},
): Promise<TorchComparison> {
  const script = entry.startsWith("file:") ? fileURLToPath(entry) : entry;
  if (TORCH_SCRIPT.protocol !== "file:") {
    throw new Error(
      `Cannot run the torch reference: ${TORCH_SCRIPT.href} is not a local file; ` +
        `run the bench from the repository`,
    );
  }
  const reference = fileURLToPath(TORCH_SCRIPT);
  const dir = await Deno.makeTempDir({ prefix: "bench-torch-" });
  const ours: BenchResult[] = [], torch: TorchRun[] = [];
  try {
    for (let r = 0; r < flags.rounds; r++) {
      const out = join(dir, `ours-${r}.json`);
      await runOrThrow("our bench", Deno.execPath(), ["run", "-A", script, ...oursArgs(opts, out)]);
      ours.push(JSON.parse(await Deno.readTextFile(out)) as BenchResult);
      const printed = await runOrThrow("the torch reference", python.python, [
        reference,
        ...torchArgs(opts),
      ]);
      const t = JSON.parse(printed) as TorchRun;
      checkSameModel(t.layers);
      torch.push(t);
      onRound(
        `round ${r + 1}/${flags.rounds}: ours ${ours[r].medianMs.toFixed(1)} ms/step, torch ${
          median(t.stepsMs).toFixed(1)
        } ms/step`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const oursStepsMs = ours.map((o) => o.stepsMs), torchStepsMs = torch.map((t) => t.stepsMs);
  const oursCpuMedianMs = median(ours.flatMap((o) => o.cpuStepsMs));
  const torchCpuMedianMs = median(torch.flatMap((t) => t.cpuStepsMs));
  return {
    python: python.python,
    torch: python.version,
    threads: opts.threads,
    oursThreads: ours[0].threads,
    torchThreads: torch[0].threads,
    stock: opts.stock,
    batch: opts.batch,
    block: opts.block ?? 1,
    warmup: opts.warmup,
    rounds: flags.rounds,
    params: torch[0].params,
    ...compareMedians(oursStepsMs, torchStepsMs),
    oursCpuMedianMs,
    torchCpuMedianMs,
    cpuRatio: oursCpuMedianMs / torchCpuMedianMs,
    oursStepsMs,
    torchStepsMs,
  };
}

/** Human-readable lines for a comparison. */
export function formatComparison(c: TorchComparison): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const threads = c.oursThreads === c.torchThreads
    ? plural(c.threads, "thread")
    : `${plural(c.threads, "thread")} asked, ours used ${c.oursThreads}, torch ${c.torchThreads}`;
  return [
    `against torch ${c.torch} (${c.python}), cpu, ${threads}, batch ${c.batch}, ${
      plural(c.params, "parameter")
    }; ${plural(c.rounds, "round")} of ours then torch, one process each, ${
      plural(c.blocks / c.rounds, "block")
    } of ${plural(c.block, "step")} per process after ${c.warmup} warm-up`,
    `ours  median ${c.oursMedianMs.toFixed(1)} ms/step (CPU ${
      c.oursCpuMedianMs.toFixed(1)
    } ms) over ${c.blocks} blocks${c.stock ? " (stock kernels)" : ""}`,
    `torch median ${c.torchMedianMs.toFixed(1)} ms/step (CPU ${
      c.torchCpuMedianMs.toFixed(1)
    } ms) over ${c.blocks} blocks`,
    `ours/torch ${c.ratio.toFixed(2)} (per round ${
      c.roundRatios.map((x) => x.toFixed(2)).join(", ")
    }); in CPU time ${c.cpuRatio.toFixed(2)}`,
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
  entry: string,
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
  const c = await runAgainstTorch(opts, flags, found, entry, log);
  log(formatComparison(c));
  await write(c);
  return 0;
}
