import assert from "node:assert/strict";
import { join } from "node:path";
import {
  fieldRunLoss,
  lossFileText,
  parseLossFile,
  readLossFile,
  type RunLoss,
  termRunLoss,
} from "./loss_file.ts";

const parsed = (runs: RunLoss[]): unknown => JSON.parse(lossFileText(runs));

const REGULARISED = termRunLoss("", 7, [
  { step: 1, loss: 8, terms: { data: 6, latentDistance: 2 } },
  { step: 50, loss: 4, terms: { data: 3, latentDistance: 1 } },
  { step: 100, loss: 2, terms: { data: 1.5, latentDistance: 0.5 } },
], { step: 50, loss: 4 });

Deno.test("termRunLoss() declares the loss, the data term and each regulariser, in order", () => {
  assert.deepEqual(REGULARISED.curves, [
    { name: "loss", role: "objective" },
    { name: "data", role: "data" },
    { name: "latentDistance", role: "regulariser" },
  ]);
  assert.deepEqual(REGULARISED.records[1], { step: 50, loss: 4, data: 3, latentDistance: 1 });
  assert.deepEqual(REGULARISED.kept, { step: 50, loss: 4 });
  assert.equal("kept" in termRunLoss("", 7, [], null), false);
});

Deno.test("a written loss file reads back: labels, seeds, steps, curves with their roles", () => {
  const loss = parseLossFile("train-reg-psi1-s1", parsed([REGULARISED]));
  assert.equal(loss.stage, "train-reg-psi1-s1");
  assert.deepEqual(loss.runs, [{
    label: "",
    seed: 7,
    steps: [1, 50, 100],
    curves: [
      { name: "loss", role: "objective", values: [8, 4, 2] },
      { name: "data", role: "data", values: [6, 3, 1.5] },
      { name: "latentDistance", role: "regulariser", values: [2, 1, 0.5] },
    ],
  }]);
});

Deno.test("lossFileText() writes stable text: sorted keys, one trailing newline", () => {
  const text = lossFileText([termRunLoss("", 3, [{ step: 1, loss: 2, terms: { data: 2 } }])]);
  assert.ok(text.endsWith("}\n") && !text.endsWith("\n\n"));
  const at = (key: string) => text.indexOf(`"${key}"`);
  assert.ok(
    at("curves") < at("label") && at("label") < at("records") && at("records") < at("seed"),
  );
  const record = text.slice(at("records"));
  const inRecord = (key: string) => record.indexOf(`"${key}"`);
  assert.ok(inRecord("data") < inRecord("loss") && inRecord("loss") < inRecord("step"));
  assert.equal(
    text,
    lossFileText(JSON.parse(text).runs),
    "rewriting what was read changes nothing",
  );
});

Deno.test("a run of 0 updates reads as one empty run; a NaN loss (written null) as NaN", () => {
  const empty = parseLossFile("train-reg-none-s3", parsed([termRunLoss("", 1, [])]));
  assert.deepEqual(empty.runs[0].steps, []);
  assert.deepEqual(empty.runs[0].curves, [{ name: "loss", role: "objective", values: [] }]);
  const diverged = parseLossFile(
    "train-pos-dec",
    parsed([
      termRunLoss("run 0", 1, [{ step: 1, loss: 1, terms: { data: 1 } }]),
      termRunLoss("run 1", 2, [{ step: 1, loss: NaN, terms: { data: Infinity } }]),
    ]),
  );
  assert.deepEqual(diverged.runs.map((r) => r.label), ["run 0", "run 1"]);
  assert.ok(diverged.runs[1].curves.every((c) => Number.isNaN(c.values[0])));
});

Deno.test("parseLossFile() refuses what the writer does not write, saying where and how to fix it", () => {
  const run = (over: Record<string, unknown>) => ({
    runs: [{
      label: "",
      seed: 1,
      curves: [{ name: "loss", role: "objective" }],
      records: [],
      ...over,
    }],
  });
  const cases: [unknown, RegExp][] = [
    [[1, 2], /the file is \[1,2\], not an object/],
    [{ terms: [], records: [] }, /the file has the fields \["terms","records"\], not runs/],
    [{ runs: "none" }, /runs is "none", not an array/],
    [run({ label: 3 }), /runs\[0\]\.label is 3, not a label/],
    [run({ seed: "s" }), /runs\[0\]\.seed is "s", not a seed/],
    [run({ curves: [{ name: "loss", role: "goal" }] }), /curves\[0\]\.role is "goal", not one of/],
    [run({ curves: [{ name: "step", role: "data" }] }), /curves\[0\]\.name is "step", not a curve/],
    [run({ records: [{ step: "1", loss: 1 }] }), /records\[0\]\.step is "1", not an update number/],
    [
      run({ records: [{ step: 5, loss: 1 }, { step: 5, loss: 1 }] }),
      /records\[1\]\.step is 5, not after the previous step 5/,
    ],
    [run({ records: [{ step: 1, loss: "big" }] }), /records\[0\]\.loss is "big", not a number/],
    [run({ records: [{ step: 1 }] }), /records\[0\]\.loss is missing, not a number/],
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
    await Deno.writeTextFile(good, lossFileText([REGULARISED]));
    assert.deepEqual((await readLossFile("train-ae", good)).runs[0].steps, [1, 50, 100]);
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

Deno.test("fieldRunLoss() keeps the step and the declared fields of each record, nothing else", () => {
  const run = fieldRunLoss("seed 2", 9, [
    { name: "discriminator", role: "objective" },
    { name: "realScore", role: "monitor" },
  ], [{ step: 10, discriminator: 0.5, generator: 2, realScore: 0.7 }]);
  assert.deepEqual(run.records, [{ step: 10, discriminator: 0.5, realScore: 0.7 }]);
  const read = parseLossFile("train-dcgan", parsed([run]));
  assert.deepEqual(read.runs[0].curves.map((c) => [c.name, c.role, c.values]), [
    ["discriminator", "objective", [0.5]],
    ["realScore", "monitor", [0.7]],
  ]);
});
