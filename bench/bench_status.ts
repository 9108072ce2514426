/**
 * Benchmark of `status` on a DAG of many cached toy stages (the target: under a second for
 * 1,000 on a 2-core machine). Builds the cache once (in-process, through the same code the
 * workers run), then times `computeStatus` in-process and the whole `status` command as a
 * process, and prints medians.
 *
 * Usage: deno run -A bench/bench_status.ts [--stages 1000] [--repeats 7] [--out file.json]
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeLatest } from "../pipeline/cache.ts";
import { buildGraph } from "../pipeline/graph.ts";
import type { Job } from "../pipeline/job.ts";
import { keyOf } from "../pipeline/key.ts";
import { Layout } from "../pipeline/layout.ts";
import type { Manifest } from "../pipeline/manifest.ts";
import { Planner } from "../pipeline/planner.ts";
import { seedFromLabel } from "../pipeline/rng.ts";
import { computeStatus } from "../pipeline/status.ts";
import { executeJob } from "../pipeline/worker.ts";
import { manyStages } from "../tests/fixtures/toy_stages.ts";

/** Bad input: one line, exit code 2 (as the project's other commands). */
function usage(message: string): never {
  console.error(
    `error: ${message}; usage: bench_status.ts [--stages N] [--repeats N] [--out FILE]`,
  );
  Deno.exit(2);
}

let values;
try {
  values = parseArgs({
    args: Deno.args,
    strict: true,
    options: {
      stages: { type: "string", default: "1000" },
      repeats: { type: "string", default: "7" },
      out: { type: "string" },
    },
  }).values;
} catch (e) {
  usage((e as Error).message.split(". ")[0]);
}

/** A plain decimal integer from 1 to `max`. */
function count(name: string, raw: string, max: number): number {
  const v = /^[1-9][0-9]*$/.test(raw) ? Number(raw) : NaN;
  if (!(v <= max)) {
    usage(`Cannot use --${name} ${JSON.stringify(raw)}: expected an integer from 1 to ${max}`);
  }
  return v;
}
const n = count("stages", values.stages, 100_000), repeats = count("repeats", values.repeats, 1000);
const root = Deno.makeTempDirSync({ prefix: "bench-status-" });
const codeRoot = new URL("..", import.meta.url).pathname;
const stages = manyStages(n);
const graph = buildGraph(stages);
const layout = new Layout(root);
const settings = {
  profile: "quick" as const,
  backend: "cpu",
  overrides: [],
  deno: Deno.version.deno,
};
const planner = new Planner(codeRoot, settings);
const manifests = new Map<string, Manifest>();
const t0 = performance.now();
for (const s of graph.order) {
  const inputs = planner.inputHashes(s, manifests)!;
  const parts = planner.parts(s, inputs);
  const key = keyOf(parts);
  const job: Job = {
    stage: s.id,
    key,
    parts,
    profile: "quick",
    backend: "none",
    threads: 1,
    params: planner.params(s),
    inputs: Object.fromEntries(
      Object.entries(s.inputs).map(([k, ref]) => {
        const up = ref.split(":")[0];
        return [k, {
          ref,
          path: join(layout.entry(up, manifests.get(up)!.key), "out.txt"),
          sha256: inputs[k],
        }];
      }),
    ),
    outDir: layout.entry(s.id, key),
    scratchDir: join(root, "scratch"),
    seed: seedFromLabel(s.id),
  };
  manifests.set(s.id, await executeJob(s, job, () => {}));
  writeLatest(layout, s.id, { key, parts });
}
console.error(`built ${n} cached stages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const inProcess: number[] = [];
for (let i = 0; i < repeats; i++) {
  const t = performance.now();
  const rows = computeStatus(layout, graph, new Planner(codeRoot, settings), []);
  inProcess.push(performance.now() - t);
  if (rows.some((r) => r.state !== "up-to-date")) throw new Error("bench: not all stages cached");
}
const processMs: number[] = [];
for (let i = 0; i < repeats; i++) {
  const t = performance.now();
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../tests/fixtures/toy_main.ts", import.meta.url).href,
      "status",
      "--profile",
      "quick",
      "--backend",
      "cpu",
    ],
    cwd: root,
    env: { TOY_MANY: String(n) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  processMs.push(performance.now() - t);
  if (!new TextDecoder().decode(r.stdout).includes(`${n} stages: ${n} up-to-date`)) {
    throw new Error("bench: status disagrees");
  }
}
const result = {
  stages: n,
  repeats,
  statusInProcessMedianMs: Math.round(median(inProcess)),
  statusCommandMedianMs: Math.round(median(processMs)),
  statusCommandMinMs: Math.round(Math.min(...processMs)),
  statusCommandMaxMs: Math.round(Math.max(...processMs)),
};
console.log(JSON.stringify(result, null, 2));
if (values.out) Deno.writeTextFileSync(values.out, JSON.stringify(result, null, 2));
Deno.removeSync(root, { recursive: true });
