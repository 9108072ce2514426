import assert from "node:assert/strict";
import { join } from "node:path";
import { parseLossFile, readLossFile } from "./loss_file.ts";
import {
  AUTOENCODER_LOSS,
  DCGAN_LOSS,
  PCA_LOSS,
  PLAIN_LOSS,
  POSITION_LOSS,
  UNTRAINED_LOSS,
} from "../../stages/training/_fixture.ts";

Deno.test("parseLossFile() reads the autoencoder format: the loss, then each term", () => {
  const loss = parseLossFile("train-reg-psi1-s1", AUTOENCODER_LOSS);
  assert.equal(loss.format, "autoencoder");
  assert.equal(loss.runs.length, 1);
  const [run] = loss.runs;
  assert.equal(run.label, "");
  assert.deepEqual(run.steps, [1, 50, 100]);
  assert.deepEqual(run.curves, [
    { name: "loss", role: "objective", values: [8, 4, 2] },
    { name: "data", role: "data", values: [6, 3, 1.5] },
    { name: "latentDistance", role: "regulariser", values: [2, 1, 0.5] },
  ]);
});

Deno.test("parseLossFile() reads a stage run for 0 updates as one empty run", () => {
  const loss = parseLossFile("train-reg-none-s3", UNTRAINED_LOSS);
  assert.equal(loss.runs.length, 1);
  assert.deepEqual(loss.runs[0].steps, []);
  assert.deepEqual(loss.runs[0].curves, [{ name: "loss", role: "objective", values: [] }]);
});

Deno.test("parseLossFile() reads the pca format, whose terms are fields of the records", () => {
  const loss = parseLossFile("train-pcaae-ellipses-2", PCA_LOSS);
  assert.equal(loss.format, "pca");
  assert.deepEqual(loss.runs[0].steps, [1, 10]);
  assert.deepEqual(loss.runs[0].curves, [
    { name: "loss", role: "objective", values: [0.21, 0.051] },
    { name: "reconstruction", role: "data", values: [0.2, 0.05] },
    { name: "covariance", role: "regulariser", values: [0.01, 0.001] },
  ]);
});

Deno.test("parseLossFile() reads every run of the position format, a null loss as NaN", () => {
  const loss = parseLossFile("train-pos-dec", POSITION_LOSS);
  assert.equal(loss.format, "position");
  assert.deepEqual(loss.runs.map((r) => r.label), ["run 0", "run 1"]);
  assert.deepEqual(loss.runs[0].curves[0].values, [0.01, 0.001]);
  const diverged = loss.runs[1].curves[0].values;
  assert.equal(diverged[0], 0.02);
  assert.ok(Number.isNaN(diverged[1]));
});

Deno.test("parseLossFile() reads the dcgan format: per seed, D and G losses, no scores", () => {
  const loss = parseLossFile("train-dcgan", DCGAN_LOSS);
  assert.equal(loss.format, "dcgan");
  assert.deepEqual(loss.runs.map((r) => r.label), ["seed 1", "seed 2"]);
  assert.deepEqual(loss.runs[1].steps, [1, 10]);
  assert.deepEqual(loss.runs[1].curves, [
    { name: "discriminator", role: "objective", values: [1.4, 1.4] },
    { name: "generator", role: "objective", values: [0.7, 1.4] },
  ]);
});

Deno.test("parseLossFile() refuses what no writer writes, saying where and how to fix it", () => {
  const cases: [unknown, RegExp][] = [
    [[1, 2], /the file is \[1,2\], not an object/],
    [{ curve: [] }, /the file has the fields \["curve"\], not records and terms, nor seeds/],
    [{ ...PLAIN_LOSS, records: "none" }, /records is "none", not an array/],
    [
      { terms: ["data"], records: [{ step: "1", loss: 1, terms: { data: 1 } }] },
      /records\[0\]\.step is "1", not an update number/,
    ],
    [
      { terms: [], records: [{ step: 5, loss: 1, terms: {} }, { step: 5, loss: 1, terms: {} }] },
      /records\[1\]\.step is 5, not after the previous step 5/,
    ],
    [
      { terms: ["data"], records: [{ step: 1, loss: "big", terms: { data: 1 } }] },
      /records\[0\]\.loss is "big", not a number/,
    ],
    [{ seeds: [{ seed: 1, records: [{ step: 1, generator: 1 }] }] }, /discriminator is missing/],
    [{ terms: ["data"], records: [], runs: [{ records: [] }] }, /runs\[0\]\.index is missing/],
  ];
  for (const [json, why] of cases) {
    assert.throws(() => parseLossFile("train-x", json), (e: Error) => {
      assert.match(e.message, /^Cannot read loss of "train-x": /);
      assert.match(e.message, why);
      assert.match(e.message, /; fix: rerun the stage \(deno task reproduce --force train-x\)/);
      return true;
    });
  }
});

Deno.test("readLossFile() reads a file, and names the stage when it is missing or not JSON", async () => {
  const dir = await Deno.makeTempDir({ prefix: "loss_file_test_" });
  try {
    const good = join(dir, "good.json");
    await Deno.writeTextFile(good, JSON.stringify(PLAIN_LOSS));
    assert.deepEqual((await readLossFile("train-ae", good)).runs[0].steps, [1, 10]);
    const bad = join(dir, "bad.json");
    await Deno.writeTextFile(bad, "{ not json");
    await assert.rejects(
      readLossFile("train-ae", bad),
      /^Error: Cannot read loss of "train-ae": loss.json is not valid JSON .*; fix: rerun/,
    );
    await assert.rejects(
      readLossFile("train-ae", join(dir, "missing.json")),
      /^Error: Cannot read loss of "train-ae": .*; fix: rerun the stage/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
