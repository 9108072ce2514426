import assert from "node:assert/strict";
import { join } from "node:path";
import { parseBenchArgs } from "./bench.ts";
import {
  checkSameModel,
  compareMedians,
  DEFAULT_PYTHONS,
  findTorchPython,
  formatComparison,
  mainAgainstTorch,
  oursArgs,
  runAgainstTorch,
  splitTorchArgs,
  torchArgs,
  type TorchComparison,
} from "./bench_torch.ts";
import { describeArchitecture, diskAutoencoderConfig } from "./model.ts";

// Found once: the real run below needs it, and is skipped (not failed) without it.
const TORCH = await findTorchPython(DEFAULT_PYTHONS);

Deno.test("splitTorchArgs() leaves the bench's own arguments alone", () => {
  const argv = ["--threads", "2", "--batch=16", "--stock"];
  assert.deepEqual(splitTorchArgs(argv), { rest: argv });
});

Deno.test("splitTorchArgs() takes its flags out, in either form", () => {
  assert.deepEqual(splitTorchArgs(["--threads", "1", "--against-torch"]), {
    flags: { rounds: 5 },
    rest: ["--threads", "1"],
  });
  assert.deepEqual(
    splitTorchArgs(["--against-torch", "--python", "/x/py", "--rounds=3", "--batch=8"]),
    { flags: { python: "/x/py", rounds: 3 }, rest: ["--batch=8"] },
  );
  assert.deepEqual(
    splitTorchArgs(["--python=py", "--rounds", "2", "--against-torch"]).flags,
    { python: "py", rounds: 2 },
  );
});

Deno.test("splitTorchArgs() rejects bad rounds, missing values and flags without --against-torch", () => {
  assert.throws(() => splitTorchArgs(["--against-torch", "--rounds=0"]), /--rounds "0"/);
  assert.throws(() => splitTorchArgs(["--against-torch", "--rounds", "1.5"]), /--rounds "1\.5"/);
  assert.throws(
    () => splitTorchArgs(["--against-torch", "--python"]),
    /--python: it needs a value/,
  );
  assert.throws(() => splitTorchArgs(["--python=py"]), /belong to --against-torch/);
  assert.throws(() => splitTorchArgs(["--rounds=2"]), /belong to --against-torch/);
});

Deno.test("oursArgs() gives the bench the same options, on cpu, with the output", () => {
  const opts = parseBenchArgs(["--batch=16", "--threads=2", "--repeats=4", "--seed=9"])!;
  const back = parseBenchArgs(oursArgs(opts, "o.json"))!;
  assert.deepEqual(back, { ...opts, block: 1, top: 1, out: "o.json" });
  assert.deepEqual(torchArgs(opts), [
    "--threads=2",
    "--blocks=4",
    "--block=1",
    "--warmup=3",
    "--batch=16",
    "--seed=9",
  ]);
});

Deno.test("compareMedians() takes the medians over all blocks and their ratio", () => {
  const c = compareMedians([[10, 30], [20, 40]], [[5, 5], [10, 10]]);
  assert.equal(c.oursMedianMs, 25);
  assert.equal(c.torchMedianMs, 7.5);
  assert.equal(c.ratio, 25 / 7.5);
  assert.equal(c.blocks, 4);
  assert.deepEqual(c.roundRatios, [4, 3]);
  assert.throws(() => compareMedians([[1]], [[1], [2]]), /Cannot compare against torch/);
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
      { python: "./no-such-python3", rounds: 1 },
      "unused",
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
      { rounds: 1 },
      "unused",
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

Deno.test("formatComparison() prints the medians, the ratio and the blocks", () => {
  const c: TorchComparison = {
    python: "python3",
    torch: "1.13.0",
    threads: 2,
    oursThreads: 2,
    torchThreads: 2,
    stock: false,
    batch: 300,
    block: 1,
    warmup: 3,
    rounds: 2,
    params: 1412,
    ...compareMedians([[300, 320], [310, 330]], [[100, 100], [110, 110]]),
    oursCpuMedianMs: 600,
    torchCpuMedianMs: 200,
    cpuRatio: 3,
    oursStepsMs: [],
    torchStepsMs: [],
  };
  assert.equal(
    formatComparison(c),
    [
      "against torch 1.13.0 (python3), cpu, 2 threads, batch 300, 1412 parameters; 2 rounds of ours then torch, one process each, 2 blocks of 1 step per process after 3 warm-up",
      "ours  median 315.0 ms/step (CPU 600.0 ms) over 4 blocks",
      "torch median 105.0 ms/step (CPU 200.0 ms) over 4 blocks",
      "ours/torch 3.00 (per round 3.10, 2.91); in CPU time 3.00",
    ].join("\n"),
  );
});

Deno.test({
  name: "runAgainstTorch() runs ours and torch in turn at batch 4 (needs python3 with torch)",
  ignore: !TORCH.found,
  async fn() {
    if (!TORCH.found) return;
    const opts = parseBenchArgs(["--batch=4", "--repeats=2", "--warmup=1", "--threads=1"])!;
    const rounds: string[] = [];
    const c = await runAgainstTorch(opts, { rounds: 2 }, TORCH, undefined, (l) => rounds.push(l));
    assert.equal(rounds.length, 2);
    assert.equal(c.params, 1412);
    assert.equal(c.blocks, 4);
    assert.deepEqual([c.oursThreads, c.torchThreads], [1, 1]);
    assert.deepEqual(c.torchStepsMs.map((r) => r.length), [2, 2]);
    assert.ok(c.oursMedianMs > 0 && c.torchMedianMs > 0);
    assert.ok(Math.abs(c.ratio - c.oursMedianMs / c.torchMedianMs) < 1e-12);
    assert.ok(Math.abs(c.cpuRatio - c.oursCpuMedianMs / c.torchCpuMedianMs) < 1e-12);
  },
});
