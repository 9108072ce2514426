/**
 * `deno task bench --models LIST`: the paper's disk autoencoder trained K at a time
 * (`lib/ml/group/group_train.ts`), for each K of the list: milliseconds per update of the
 * group, per model-update, and model-updates per second. Each group trains K seeds on one
 * set of random disks (see {@linkcode benchGroups} for how updates are timed).
 *
 * @module
 */

import { KERAS_ADAM } from "../lib/ml/adam.ts";
import { initBackend } from "../lib/ml/backend.ts";
import { diskAutoencoderConfig } from "../lib/ml/model.ts";
import type { TrainSettings } from "../lib/ml/train.ts";
import { trainGroup } from "../lib/ml/group/group_train.ts";
import { benchDisks, median } from "./bench_step.ts";

/** One K of `--models`. */
export interface GroupBenchRow {
  /** Models stepped together. */
  models: number;
  /** Median milliseconds of one update of the whole group. */
  updateMs: number;
  /** `updateMs / models`. */
  modelUpdateMs: number;
  /** Model-updates per second, `1000 · models / updateMs`. */
  modelUpdatesPerSecond: number;
}

/** What `--models` measured. */
export interface GroupBenchResult {
  /** The tfjs backend. */
  backend: "cpu" | "webgpu";
  /** Threads of the cpu kernels. */
  threads: number;
  /** Images per update and model. */
  batch: number;
  /** Timed updates per K (medians over these). */
  repeats: number;
  /** One row per K, in the order asked. */
  rows: GroupBenchRow[];
}

/**
 * Times groups of `models[i]` disk autoencoders. On the cpu backend an update has finished
 * when it returns: the median of the per-update times. On webgpu updates are queued: a run of
 * `warmup` updates and one of `warmup + repeats` are timed whole (each ends with a read-back),
 * and the difference over `repeats` is the time per update (a mean).
 */
export async function benchGroups(
  models: readonly number[],
  opts: {
    backend: "cpu" | "webgpu";
    threads: number;
    batch: number;
    repeats: number;
    warmup: number;
    seed: number;
  },
): Promise<GroupBenchResult> {
  await initBackend(opts.backend, { cpuThreads: opts.threads });
  const count = opts.batch * 2;
  const images = benchDisks(opts.seed, count);
  const warmup = Math.max(1, opts.warmup);
  const rows: GroupBenchRow[] = [];
  const members = (K: number, iterations: number): TrainSettings[] =>
    Array.from({ length: K }, (_, k) => ({
      config: diskAutoencoderConfig(),
      seed: opts.seed + k,
      iterations,
      batchSize: opts.batch,
      loss: "sum",
      adam: KERAS_ADAM,
      // One read-back at the end only: logging would add a read per update to the timing.
      logEvery: iterations,
    }));
  for (const K of models) {
    let updateMs: number;
    if (opts.backend === "webgpu") {
      const run = async (iterations: number) => {
        const t0 = performance.now();
        await trainGroup({ count, images }, members(K, iterations));
        return performance.now() - t0;
      };
      const short = await run(warmup);
      updateMs = ((await run(warmup + opts.repeats)) - short) / opts.repeats;
    } else {
      const times: number[] = [];
      let last = performance.now();
      await trainGroup({ count, images }, members(K, warmup + opts.repeats), {
        onProgress: (step) => {
          const now = performance.now();
          if (step > warmup) times.push(now - last);
          last = now;
        },
      });
      updateMs = median(times);
    }
    rows.push({
      models: K,
      updateMs,
      modelUpdateMs: updateMs / K,
      modelUpdatesPerSecond: (1000 * K) / updateMs,
    });
  }
  return {
    backend: opts.backend,
    threads: opts.threads,
    batch: opts.batch,
    repeats: opts.repeats,
    rows,
  };
}

/** The table `--models` prints. */
export function formatGroupBench(r: GroupBenchResult): string {
  const lines = [
    `disk autoencoders trained together on ${r.backend}${
      r.backend === "cpu" ? `, ${r.threads} thread(s)` : ""
    }, batch ${r.batch} each, ${
      r.backend === "cpu" ? "medians" : "means"
    } of ${r.repeats} updates:`,
    `  models  ms/update  ms/model-update  model-updates/s  vs K=${r.rows[0].models}`,
  ];
  for (const row of r.rows) {
    lines.push(
      `  ${String(row.models).padStart(6)}  ${row.updateMs.toFixed(1).padStart(9)}  ${
        row.modelUpdateMs.toFixed(1).padStart(15)
      }  ${row.modelUpdatesPerSecond.toFixed(2).padStart(15)}  ${
        (row.modelUpdateMs / r.rows[0].modelUpdateMs).toFixed(2).padStart(6)
      }×`,
    );
  }
  return lines.join("\n");
}

/** Parses `--models 1,5,10`: positive integers, at most 64 each. */
export function parseModelList(raw: string): number[] {
  const list = raw.split(",").map((s) => Number(s.trim()));
  if (list.length === 0 || !list.every((k) => Number.isInteger(k) && k >= 1 && k <= 64)) {
    throw new Error(
      `Cannot parse --models "${raw}": expected a comma-separated list of integers from 1 to 64, e.g. 1,5,10`,
    );
  }
  return list;
}
