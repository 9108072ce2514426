import assert from "node:assert/strict";
import {
  compareKernels,
  compareLoss,
  formatBench,
  parseBenchArgs,
  runBench,
  WARMUP_STEPS,
  WARMUP_STEPS_THREADS,
} from "./bench.ts";
import { median } from "./bench_step.ts";
import { wasmSimdSupported } from "../lib/ml/kernels/mod.ts";
import { benchModel, formatModelBench } from "./bench_models.ts";

Deno.test("parseBenchArgs() fills the paper's defaults", () => {
  const o = parseBenchArgs([]);
  assert.ok(o !== undefined);
  assert.equal(o.backend, "cpu");
  assert.equal(o.batch, 300);
  assert.equal(o.stock, false);
  assert.equal(o.compareLoss, false);
  assert.equal(o.compareKernels, false);
  assert.equal(o.kernels, undefined);
  assert.equal(o.compareSteps, 200);
  assert.equal(o.out, undefined);
});

Deno.test("parseBenchArgs() warms the disk step up longer on several threads", () => {
  const warmup = (...argv: string[]) => parseBenchArgs(argv)!.warmup;
  assert.equal(warmup("--threads=1"), WARMUP_STEPS);
  assert.equal(warmup("--threads=2"), WARMUP_STEPS_THREADS);
  assert.equal(warmup("--threads=2", "--thread-scaling=3"), WARMUP_STEPS_THREADS);
  // Modes that count their warm-up in updates of their own keep the short one.
  assert.equal(warmup("--threads=2", "--models=1,5"), WARMUP_STEPS);
  assert.equal(warmup("--threads=2", "--processes=1,2"), WARMUP_STEPS);
  assert.equal(warmup("--threads=2", "--model=dcgan"), WARMUP_STEPS);
  assert.equal(warmup("--threads=2", "--compare-loss"), WARMUP_STEPS);
  // Given, it is taken as given.
  assert.equal(warmup("--threads=2", "--warmup=7"), 7);
  assert.ok(WARMUP_STEPS_THREADS > WARMUP_STEPS);
});

Deno.test("parseBenchArgs() reads every flag", () => {
  const o = parseBenchArgs([
    "--backend=webgpu",
    "--stock",
    "--threads=3",
    "--batch",
    "16",
    "--repeats=4",
    "--warmup=0",
    "--top=3",
    "--seed=7",
    "--out=x.json",
    "--compare-loss",
    "--compare-steps=5",
    "--compare-batch=2",
    "--block=5",
    "--processes=1,4,8",
    "--kernels=js",
    "--compare-kernels",
    "--model=pca",
    "--profile=quick",
  ]);
  assert.deepEqual(o, {
    backend: "webgpu",
    stock: true,
    kernels: "js",
    compareKernels: true,
    model: "pca",
    profile: "quick",
    threads: 3,
    batch: 16,
    repeats: 4,
    warmup: 0,
    top: 3,
    seed: 7,
    out: "x.json",
    compareLoss: true,
    compareSteps: 5,
    compareBatch: 2,
    block: 5,
    processes: [1, 4, 8],
  });
  assert.equal(parseBenchArgs(["--help"]), undefined);
});

Deno.test("parseBenchArgs() rejects unknown flags, stray arguments and bad values", () => {
  assert.throws(
    () => parseBenchArgs(["--batchsize", "3"]),
    /Cannot parse the bench arguments.*batchsize/s,
  );
  assert.throws(() => parseBenchArgs(["extra"]), /Cannot parse the bench arguments/);
  assert.throws(() => parseBenchArgs(["--backend", "tpu"]), /Cannot use backend "tpu"/);
  assert.throws(() => parseBenchArgs(["--batch", "0"]), /Cannot parse --batch "0"/);
  assert.throws(() => parseBenchArgs(["--repeats", "2.5"]), /Cannot parse --repeats "2.5"/);
  assert.throws(() => parseBenchArgs(["--block", "0"]), /Cannot parse --block "0"/);
  assert.throws(() => parseBenchArgs(["--kernels", "simd"]), /Cannot use --kernels "simd"/);
  assert.throws(() => parseBenchArgs(["--model", "gan"]), /Cannot bench model "gan"/);
  assert.throws(() => parseBenchArgs(["--profile", "code"]), /Cannot use --profile "code"/);
  for (const bad of ["", "1,,4", "0,4", "1,1", "2.5", "four"]) {
    assert.throws(
      () => parseBenchArgs(["--processes", bad]),
      new RegExp(`Cannot parse --processes "${bad.replace(".", "\\.")}"`),
    );
  }
});

Deno.test("--models takes a list of group sizes and rejects what is not one", () => {
  assert.deepEqual(parseBenchArgs(["--models", "1,5,10"])!.models, [1, 5, 10]);
  assert.equal(parseBenchArgs([])!.models, undefined);
  for (const bad of ["", "0,5", "2.5", "five", "65"]) {
    assert.throws(
      () => parseBenchArgs(["--models", bad]),
      new RegExp(`Cannot parse --models "${bad.replace(".", "\\.")}"`),
    );
  }
});

Deno.test("median() takes the middle value", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

Deno.test("runBench() times a few small steps and profiles one", async () => {
  // A generous --top: at batch 2 the fast convolutions need not be among the slowest kernels.
  const opts = parseBenchArgs(["--batch=2", "--repeats=2", "--warmup=1", "--top=40"])!;
  const r = await runBench(opts);
  assert.equal(r.backend, "cpu");
  assert.equal(r.stepsMs.length, 2);
  assert.ok(r.minMs <= r.medianMs && r.medianMs <= r.maxMs);
  assert.ok(Number.isFinite(r.lastLoss) && r.lastLoss > 0);
  assert.ok(r.topKernels.length > 4 && r.topKernels.length <= 40 && r.topCalls.length <= 40);
  // The convolutions: the encoder's and decoder's stacks, forward and backward.
  assert.ok(r.topKernels.some((k) => k.name === "ConvStackOfModel"));
  assert.ok(r.topKernels.some((k) => k.name === "ConvStackBackwardOfModel"));
  assert.match(formatBench(r), /ms per training step: median/);
});

Deno.test("compareLoss() finds stock and fast kernels train alike", async () => {
  const opts = parseBenchArgs(["--compare-loss", "--compare-steps=3", "--compare-batch=2"])!;
  const r = await compareLoss(opts);
  assert.equal(r.steps, 3);
  assert.ok(r.pass, `relative difference ${r.relativeDifference}`);
  assert.ok(r.relativeDifference < 1e-4);
  assert.ok(r.weightsRelativeDifference < 1e-4, `weights differ by ${r.weightsRelativeDifference}`);
});

Deno.test({
  name: "compareKernels() finds the WebAssembly and JavaScript convolutions train alike",
  ignore: !wasmSimdSupported(),
  async fn() {
    const opts = parseBenchArgs(["--compare-kernels", "--compare-steps=3", "--compare-batch=2"])!;
    const r = await compareKernels(opts);
    assert.equal(r.steps, 3);
    assert.ok(r.pass, `relative difference ${r.relativeDifference}`);
    assert.ok(r.weightsRelativeDifference < 1e-5);
  },
});

Deno.test("benchModel() times the PCA-like autoencoder's and the DCGAN's quick steps", async () => {
  for (const model of ["pca", "dcgan"] as const) {
    const r = await benchModel(model, "quick", 1, 1, 2);
    assert.equal(r.model, model);
    assert.ok(r.batch >= 2);
    // A time only where the longer run took longer (this machine's noise may say otherwise).
    assert.ok(r.seconds[1] > r.seconds[0] ? r.msPerStep > 0 : Number.isNaN(r.msPerStep));
    assert.ok(r.seconds[1] >= 0 && r.seconds[0] >= 0);
    assert.match(formatModelBench(r), new RegExp(`^${model} \\(quick profile\\)`));
  }
});

Deno.test("formatModelBench() says when the updates timed are lost in the noise, with the fix", () => {
  const r = {
    model: "pca" as const,
    profile: "paper" as const,
    threads: 2,
    batch: 512,
    repeats: 3,
    msPerStep: NaN,
    seconds: [2.9, 2.9] as [number, number],
  };
  assert.equal(
    formatModelBench(r),
    "pca (paper profile), cpu, 2 threads, batch 512: no time per update: the run with 3 more updates was not longer (runs of 2.9 and 2.9 s); raise --repeats",
  );
  assert.equal(
    formatModelBench({ ...r, msPerStep: 312.25, seconds: [2.9, 3.84] }),
    "pca (paper profile), cpu, 2 threads, batch 512: 312.3 ms per update (3 updates timed beyond the warm-up; runs of 2.9 and 3.8 s)",
  );
});
