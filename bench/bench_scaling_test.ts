import assert from "node:assert/strict";
import { parseBenchArgs } from "./bench.ts";
import {
  coreScaling,
  formatThreadScaling,
  meanCoreMs,
  pinRefusal,
  runThreadScaling,
  type ScalingResult,
  servedArgs,
  trainingsAtOnce,
} from "./bench_scaling.ts";

Deno.test("coreScaling() is the work of n loops at once over one loop's", async () => {
  // One loop alone takes 100 ms; two at once take 100 and 200 ms: 1 + 0.5 loops' worth.
  const times: Record<number, number[]> = { 1: [100], 2: [100, 200] };
  assert.equal(await coreScaling(2, 1, (n) => Promise.resolve(times[n])), 1.5);
  // The real loops run in workers and give a positive, finite figure (its size is the machine's).
  const real = await coreScaling(2, 1_000_000);
  assert.ok(Number.isFinite(real) && real > 0, `two cores: ${real}`);
});

Deno.test({
  name: "runThreadScaling() times one and two threads in two warm processes, in turn",
  sanitizeResources: false,
  async fn() {
    const opts = parseBenchArgs(["--batch=4", "--repeats=3", "--warmup=1", "--threads=2"])!;
    const lines: string[] = [];
    const r = await runThreadScaling(
      opts,
      2,
      new URL("./bench.ts", import.meta.url).href,
      (l) => lines.push(l),
    );
    assert.equal(r.rounds.length, 2);
    assert.equal(r.threads, 2);
    assert.equal(r.warmup, 1);
    assert.equal(r.steps, 3);
    assert.ok(r.oneMs > 0 && r.manyMs > 0 && r.cores > 0);
    assert.equal(r.speedup, r.oneMs / r.manyMs);
    const [a, b] = r.rounds.map((x) => x.speedup).sort((x, y) => x - y);
    // Interpolated between the two rounds' ratios (to rounding: a + (b − a)/2 is not always (a + b)/2).
    const want = [a + (b - a) / 4, (a + b) / 2, a + (3 * (b - a)) / 4];
    assert.equal(r.speedupQuartiles.length, 3);
    r.speedupQuartiles.forEach((q, i) =>
      assert.ok(Math.abs(q - want[i]) <= 1e-12 * b, `${q} ${want[i]}`)
    );
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^round 2: 1 thread [\d.]+ ms, 2 threads [\d.]+ ms per step: [\d.]+×/);
  },
});

Deno.test("servedArgs() gives back the options of a served process, on its thread count", () => {
  const opts = parseBenchArgs([
    "--batch=16",
    "--block=2",
    "--warmup=7",
    "--threads=4",
    "--seed=9",
    "--kernels=js",
    "--repeats=5",
  ])!;
  const back = parseBenchArgs(servedArgs(opts, 1))!;
  assert.equal(back.serve, true);
  assert.equal(back.threads, 1);
  for (const k of ["backend", "batch", "block", "warmup", "seed", "kernels", "stock"] as const) {
    assert.deepEqual(back[k], opts[k], k);
  }
});

/** A summary of 0 rounds of 20 steps at batch 300 on two threads, as the format tests give it. */
const SUMMARY: ScalingResult = {
  threads: 2,
  batch: 300,
  warmup: 100,
  steps: 20,
  pinned: false,
  rounds: [],
  oneMs: 60,
  manyMs: 32,
  speedup: 1.875,
  speedupQuartiles: [1.8, 1.86, 1.9],
  cores: 1.99,
};

Deno.test("formatThreadScaling() gives the medians, the ratio and its quartiles", () => {
  const r = SUMMARY;
  assert.equal(
    formatThreadScaling(r),
    "thread scaling at batch 300, 0 rounds of 20 steps each, two processes taking turns after " +
      "100 warm-up steps each: 1 thread 60.0 ms, 2 threads 32.0 ms per step (medians of the " +
      "rounds' medians): 1.88× one thread (the rounds' ratios, quartiles: 1.80, 1.86, 1.90); the " +
      "machine's own 2 cores gave 1.99× one (an integer loop on each, median of the rounds)",
  );
});

Deno.test("--thread-scaling needs two threads or more, on cpu, and --pin no more than the cores", async () => {
  const cases: [string[], RegExp][] = [
    [["--threads=1"], /Cannot measure thread scaling with --threads 1: pass --threads 2 or more/],
    [
      ["--threads=2", "--backend=webgpu"],
      /Cannot measure thread scaling on webgpu: threads are the cpu kernels'; drop --backend/,
    ],
    [
      [`--threads=${(navigator.hardwareConcurrency || 1) + 1}`, "--pin"],
      /Cannot pin \d+ threads to this machine's \d+ cores: pass --threads \d+ or fewer, or drop --pin/,
    ],
  ];
  for (const [args, message] of cases) {
    const p = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./bench.ts", import.meta.url).pathname, "--thread-scaling=2"]
        .concat(args),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(p.code, 2, args.join(" "));
    assert.match(new TextDecoder().decode(p.stderr), message);
  }
});

Deno.test("trainingsAtOnce() is N where the cores do not slow each other, less where they do", () => {
  assert.ok(Math.abs(trainingsAtOnce([60, 90], [60, 90]) - 2) < 1e-9);
  // Each 10% slower at once: 2/1.1.
  assert.ok(Math.abs(trainingsAtOnce([50, 50], [55, 55]) - 2 / 1.1) < 1e-9);
});

Deno.test("meanCoreMs() is the step time at the cores' mean speed", () => {
  assert.equal(meanCoreMs([50]), 50);
  // 1/60 + 1/90 steps per ms on two cores: a mean core does one step in 72 ms.
  assert.ok(Math.abs(meanCoreMs([60, 90]) - 72) < 1e-9);
});

Deno.test("formatThreadScaling() names the pinned processes and each core's figure", () => {
  const r: ScalingResult = {
    ...SUMMARY,
    pinned: true,
    oneMs: 57.3,
    coreMs: [56.7, 58.0],
    manyMs: 30.5,
    speedup: 57.3 / 30.5,
    atOnce: 1.934,
  };
  assert.match(
    formatThreadScaling(r),
    new RegExp(
      "3 processes taking turns \\(one thread pinned to each of cores 0–1, 2 threads to all of " +
        "them\\) after 100 warm-up steps each: 1 thread on the mean core 57\\.3 ms \\(each core: " +
        "56\\.7, 58\\.0\\), 2 threads 30\\.5 ms per step",
    ),
  );
  assert.match(
    formatThreadScaling(r),
    /quartiles: 1\.80, 1\.86, 1\.90\); 2 one-thread trainings at once, one pinned to each core, gave 1\.93× one \(the step's own ceiling, median of the rounds\); the machine's own 2 cores/,
  );
});

Deno.test("pinRefusal() needs --thread-scaling or --against-torch and no more threads than cores", async () => {
  const cores = navigator.hardwareConcurrency || 1;
  assert.equal(
    await pinRefusal(parseBenchArgs(["--pin", "--threads=2"])!),
    "Cannot pin: --pin is for --thread-scaling and --against-torch; add one or drop --pin",
  );
  assert.match(
    (await pinRefusal(parseBenchArgs(["--pin", `--threads=${cores + 1}`])!, true))!,
    new RegExp(`^Cannot pin ${cores + 1} threads to this machine's ${cores} cores`),
  );
  const many = parseBenchArgs(["--pin", "--thread-scaling=2", `--threads=${cores + 1}`])!;
  assert.match(
    (await pinRefusal(many))!,
    new RegExp(`^Cannot pin ${cores + 1} threads to this machine's ${cores} cores`),
  );
});

/** Whether `taskset` runs here (util-linux): the pinned run needs it. */
const hasTaskset = (await pinRefusal(
  parseBenchArgs(["--pin", "--thread-scaling=1", "--threads=1"])!,
)) === undefined;

Deno.test({
  name: "runThreadScaling() with --pin times one thread on each core, then both",
  ignore: !hasTaskset || (navigator.hardwareConcurrency || 1) < 2,
  sanitizeResources: false,
  async fn() {
    const args = ["--batch=4", "--repeats=3", "--warmup=1", "--threads=2", "--pin"];
    const lines: string[] = [];
    const r = await runThreadScaling(
      parseBenchArgs(args)!,
      1,
      new URL("./bench.ts", import.meta.url).href,
      (l) => lines.push(l),
    );
    assert.equal(r.pinned, true);
    assert.equal(r.rounds[0].coreMs!.length, 2);
    assert.equal(r.rounds[0].oneMs, meanCoreMs(r.rounds[0].coreMs!));
    assert.deepEqual(r.coreMs, r.rounds[0].coreMs);
    assert.ok(r.atOnce! > 0 && r.atOnce === r.rounds[0].atOnce, `at once: ${r.atOnce}`);
    assert.match(
      lines[0],
      /^round 1: 1 thread [\d.]+ ms \(mean core; on cores 0–1: [\d.]+, [\d.]+\), 2 threads .*; 2 one-thread trainings at once: [\d.]+× one; the machine's/,
    );
  },
});
