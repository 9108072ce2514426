import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { parseBenchArgs } from "./bench.ts";
import { quantile, useBackend } from "./bench_step.ts";
import { pinnedCores, pinRefusal } from "./bench_scaling.ts";
import {
  checkSameModel,
  compareMedians,
  DEFAULT_PYTHONS,
  findTorchPython,
  formatComparison,
  mainAgainstTorch,
  runAgainstTorch,
  splitTorchArgs,
  TORCH_SCRIPT,
  torchArgs,
  type TorchComparison,
} from "./bench_torch.ts";
import { createAutoencoder, describeArchitecture, diskAutoencoderConfig } from "../lib/ml/model.ts";
import { createRng } from "../lib/ml/random.ts";

// Found once: the real runs below need it, and is skipped (not failed) without it.
const TORCH = await findTorchPython(DEFAULT_PYTHONS);

Deno.test("splitTorchArgs() leaves the bench's own arguments alone", () => {
  const argv = ["--threads", "2", "--batch=16", "--stock"];
  assert.deepEqual(splitTorchArgs(argv), { rest: argv });
});

Deno.test("splitTorchArgs() takes its flags out, in either form", () => {
  assert.deepEqual(splitTorchArgs(["--threads", "1", "--against-torch"]), {
    flags: {},
    rest: ["--threads", "1"],
  });
  assert.deepEqual(
    splitTorchArgs(["--against-torch", "--python", "/x/py", "--batch=8"]),
    { flags: { python: "/x/py" }, rest: ["--batch=8"] },
  );
  assert.deepEqual(splitTorchArgs(["--python=py", "--against-torch"]).flags, { python: "py" });
});

Deno.test("splitTorchArgs() rejects --python without a path or without --against-torch", () => {
  assert.throws(() => splitTorchArgs(["--against-torch", "--python"]), /--python: it needs a path/);
  assert.throws(() => splitTorchArgs(["--against-torch", "--python="]), /it needs a path/);
  assert.throws(() => splitTorchArgs(["--python=py"]), /belongs to --against-torch/);
});

Deno.test("torchArgs() gives the reference the same options, in its serve mode", () => {
  const opts = parseBenchArgs(["--batch=16", "--threads=2", "--warmup=5", "--seed=9"])!;
  assert.deepEqual(torchArgs(opts), [
    "--serve",
    "--threads=2",
    "--warmup=5",
    "--batch=16",
    "--seed=9",
  ]);
});

Deno.test("quantile() interpolates between ranks", () => {
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(quantile([7], 0.75), 7);
});

Deno.test("compareMedians() takes the medians of each and their ratio, and block ratios", () => {
  const c = compareMedians([10, 30, 20, 40], [5, 5, 10, 10]);
  assert.equal(c.oursMedianMs, 25);
  assert.equal(c.torchMedianMs, 7.5);
  assert.equal(c.ratio, 25 / 7.5);
  assert.equal(c.blocks, 4);
  assert.deepEqual([c.oursMinMs, c.torchMinMs], [10, 5]);
  // Block ratios 2, 6, 2, 4.
  assert.deepEqual(c.pairRatioQuartiles, [2, 3, 4.5]);
  assert.throws(() => compareMedians([1], [1, 2]), /1 blocks of ours, 2 of torch/);
  assert.throws(() => compareMedians([], []), /at least one/);
});

Deno.test("checkSameModel() accepts model.ts's disk autoencoder and names a differing layer", () => {
  const ours = describeArchitecture(diskAutoencoderConfig()).map((r) => ({
    part: r.part,
    inShape: r.inShape,
    outShape: r.outShape,
    params: r.params,
  }));
  assert.equal(ours.reduce((s, r) => s + r.params, 0), 1412);
  checkSameModel(ours);
  const noBias = ours.map((r, i) => i === 7 ? { ...r, params: r.params - 3 } : r);
  assert.throws(
    () => checkSameModel(noBias),
    /layer 7 of the reference is decoder 2×2×2 → 4×4×3, 54 parameters, ours .* 57 parameters/,
  );
  assert.throws(() => checkSameModel(ours.slice(0, 11)), /layer 11 of the reference is none/);
});

Deno.test("findTorchPython() says why a python that does not exist was not used", async () => {
  const r = await findTorchPython(["./no-such-python3"]);
  assert.equal(r.found, false);
  assert.match(
    r.found ? "" : r.why,
    /^no python3 with torch \(\.\/no-such-python3: not found\); install .* --python PATH$/,
  );
});

Deno.test("mainAgainstTorch() skips with one line and exit code 0 without torch", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "r.json");
    const opts = parseBenchArgs([`--out=${out}`])!;
    const lines: string[] = [];
    const code = await mainAgainstTorch(
      opts,
      { python: "./no-such-python3" },
      (l) => lines.push(l),
    );
    assert.equal(code, 0);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^bench --against-torch skipped: no python3 with torch/);
    const json = JSON.parse(await Deno.readTextFile(out));
    assert.match(json.skipped, /not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mainAgainstTorch() refuses webgpu, --compare-loss and --processes", async () => {
  const cases: [string[], RegExp][] = [
    [["--backend=webgpu"], /with --backend webgpu: .*; drop it$/],
    [["--compare-loss", "--processes=1,2"], /with --compare-loss, --processes: .*; drop them$/],
  ];
  for (const [argv, message] of cases) {
    const errors: string[] = [];
    const code = await mainAgainstTorch(
      parseBenchArgs(argv)!,
      {},
      () => {
        throw new Error("nothing should be printed to stdout");
      },
      (l) => errors.push(l),
    );
    assert.equal(code, 2);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^Cannot compare against torch/);
    assert.match(errors[0], message);
  }
});

/** A comparison on 2 threads of 4 blocks each, ours at 3× torch's time, for the format's tests. */
const COMPARISON: TorchComparison = {
  python: "python3",
  torch: "1.13.0",
  threads: 2,
  oursThreads: 2,
  torchThreads: 2,
  stock: false,
  batch: 300,
  block: 1,
  warmup: 3,
  params: 1412,
  ...compareMedians([300, 320, 310, 330], [100, 100, 110, 110]),
  oursCpuMedianMs: 600,
  torchCpuMedianMs: 200,
  cpuRatio: 3,
  oursStepsMs: [],
  torchStepsMs: [],
  oursLastLoss: 0.1,
  torchLastLoss: 0.1,
};

Deno.test("formatComparison() prints the medians, the ratio and the blocks", () => {
  const c = COMPARISON;
  assert.equal(
    formatComparison(c),
    [
      "against torch 1.13.0 (python3), cpu, 2 threads, batch 300, 1412 parameters; 4 blocks of 1 step each, ours and torch in turn, 3 warm-up steps first",
      "ours  median 315.0 ms/step (CPU 600.0 ms), fastest 300.0, over 4 blocks",
      "torch median 105.0 ms/step (CPU 200.0 ms), fastest 100.0, over 4 blocks",
      "ours/torch 3.00 (block after block: median 3.00, middle half 2.95–3.05); in CPU time 3.00; fastest over fastest 3.00",
    ].join("\n"),
  );
});

Deno.test({
  name: "runAgainstTorch() times ours and torch block after block at batch 4 (needs torch)",
  ignore: !TORCH.found,
  async fn() {
    if (!TORCH.found) return;
    const opts = parseBenchArgs(["--batch=4", "--repeats=3", "--warmup=1", "--threads=1"])!;
    const blocks: string[] = [];
    const c = await runAgainstTorch(opts, TORCH, (l) => blocks.push(l));
    assert.equal(blocks.length, 3);
    assert.equal(c.params, 1412);
    assert.equal(c.blocks, 3);
    assert.deepEqual([c.oursThreads, c.torchThreads], [1, 1]);
    assert.deepEqual([c.oursStepsMs.length, c.torchStepsMs.length], [3, 3]);
    assert.ok(c.oursMedianMs > 0 && c.torchMedianMs > 0);
    assert.ok(Math.abs(c.ratio - c.oursMedianMs / c.torchMedianMs) < 1e-12);
    assert.ok(Math.abs(c.cpuRatio - c.oursCpuMedianMs / c.torchCpuMedianMs) < 1e-12);
    assert.ok(Number.isFinite(c.oursLastLoss) && Number.isFinite(c.torchLastLoss));
  },
});

Deno.test("formatComparison() names the cores --pin put both sides on", () => {
  const c: TorchComparison = { ...COMPARISON, threads: 1, pinnedCores: pinnedCores(1) };
  assert.match(formatComparison(c), /ours and torch in turn, both pinned to core 0, 3 warm-up/);
  assert.match(
    formatComparison({ ...c, pinnedCores: pinnedCores(2) }),
    /both pinned to cores 0-1, 3 warm-up/,
  );
});

Deno.test({
  name: "--against-torch --pin runs ours and torch on core 0 (needs torch and taskset)",
  ignore: !TORCH.found ||
    (await pinRefusal(parseBenchArgs(["--pin", "--threads=1"])!, true)) !== undefined,
  async fn() {
    if (!TORCH.found) return;
    // In a process of its own: pinning this one would put the rest of the tests on one core.
    const p = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./bench.ts", import.meta.url).pathname,
        "--against-torch",
        "--pin",
        `--python=${TORCH.python}`,
        "--batch=4",
        "--repeats=2",
        "--warmup=1",
        "--threads=1",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(p.stdout);
    assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
    assert.match(out, /cpu, 1 thread, batch 4, .*ours and torch in turn, both pinned to core 0,/);
  },
});

Deno.test({
  name: "runAgainstTorch() reports the reference's own error when it stops (needs torch)",
  ignore: !TORCH.found,
  async fn() {
    if (!TORCH.found) return;
    // A warm-up the script refuses (ours skips a negative one) makes it exit at once.
    const opts = { ...parseBenchArgs(["--batch=2", "--threads=1"])!, warmup: -1 };
    await assert.rejects(
      () => runAgainstTorch(opts, TORCH),
      /Cannot run the torch reference: exit code 2:\n.*--warmup must be at least 0/s,
    );
  },
});

Deno.test({
  name:
    "the reference computes model.ts's disk autoencoder: same weights, same outputs (needs torch)",
  ignore: !TORCH.found,
  async fn() {
    if (!TORCH.found) return;
    await useBackend("cpu", false, 1);
    const model = createAutoencoder(diskAutoencoderConfig(), 7);
    const rng = createRng(3);
    // Non-zero biases and kernels twice their initial size: the output then depends on every
    // weight and is far from zero, so a shifted padding or a swapped axis would show.
    const weights = await model.readWeights();
    for (const [name, w] of Object.entries(weights)) {
      weights[name] = w.map((v) => name.endsWith("_bias") ? rng.next() - 0.3 : 2 * v);
    }
    model.writeWeights(weights);
    const shape = [2, 64, 64, 1];
    const x = Float32Array.from({ length: 2 * 64 * 64 }, () => rng.next());
    const y = tf.tidy(() => model.reconstruct(tf.tensor4d(x, [2, 64, 64, 1])));
    const ours = (await y.data()) as Float32Array;
    y.dispose();
    const shapes = Object.fromEntries(model.variables.map((v) => [v.name, v.variable.shape]));
    model.dispose();

    const child = new Deno.Command(TORCH.python, {
      args: [fileURLToPath(TORCH_SCRIPT), "--forward"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const request = {
      weights: Object.fromEntries(
        Object.entries(weights).map(([k, w]) => [k, { shape: shapes[k], data: Array.from(w) }]),
      ),
      x: { shape, data: Array.from(x) },
    };
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(request)));
    await writer.close();
    const out = await child.output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const theirs = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(theirs.shape, shape);
    let maxDiff = 0, maxAbs = 0;
    ours.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - theirs.data[i]));
      maxAbs = Math.max(maxAbs, Math.abs(v));
    });
    assert.ok(maxAbs > 0.5, `output too small to compare: ${maxAbs}`);
    assert.ok(maxDiff <= 1e-5 * maxAbs, `largest difference ${maxDiff} (largest value ${maxAbs})`);
  },
});
