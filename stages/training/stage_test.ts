import assert from "node:assert/strict";
import { join } from "node:path";
import type { AnyStage } from "../../pipeline/stage.ts";
import {
  isTrainingStage,
  makeTrainingCurvesStage,
  TRAINING_CURVES_ID,
  TRAINING_CURVES_OUTPUTS,
} from "./stage.ts";
import { fakeContext } from "../../lib/common/_test_context.ts";
import { DCGAN_LOSS, PCA_LOSS, POSITION_LOSS, UNTRAINED_LOSS } from "./_fixture.ts";

/** A stage as the registry holds it: only its id and outputs matter here. */
function fake(id: string, outputs = ["weights.json", "loss.json"]): AnyStage {
  return {
    id,
    description: id,
    module: import.meta.url,
    params: {},
    inputs: {},
    outputs,
    training: outputs.includes("loss.json") && !outputs.includes("loss.png"),
    run: () => Promise.resolve(),
  };
}

Deno.test("makeTrainingCurvesStage() declares one loss.json input per stage and its outputs", () => {
  const stage = makeTrainingCurvesStage([fake("train-ae"), fake("train-pos-dec")]);
  assert.equal(stage.id, TRAINING_CURVES_ID);
  assert.deepEqual(stage.inputs, {
    "train-ae": "train-ae:loss.json",
    "train-pos-dec": "train-pos-dec:loss.json",
  });
  assert.deepEqual(stage.outputs, ["figure.svg", "figure.png", "figure.json", "curves.md"]);
  assert.equal(stage.outputs.includes("checks.json"), false);
  assert.equal(stage.module, new URL("./stage.ts", import.meta.url).href);
});

Deno.test("makeTrainingCurvesStage() refuses no stage, bad or repeated ids, non-training stages", () => {
  assert.throws(() => makeTrainingCurvesStage([]), /no training stage was given/);
  assert.throws(() => makeTrainingCurvesStage([fake("Train_AE")]), /over "Train_AE": stage ids/);
  assert.throws(
    () => makeTrainingCurvesStage([fake("train-ae"), fake("train-ae")]),
    /over "train-ae": it is listed twice; list it once/,
  );
  assert.throws(
    () => makeTrainingCurvesStage([fake("dcgan", ["checks.json", "loss.png", "loss.json"])]),
    /over "dcgan": it writes no loss.json loss curve; pass training stages only/,
  );
});

Deno.test("isTrainingStage(): the stages marked as trainings, not those writing loss.json as a figure's data", () => {
  assert.equal(isTrainingStage(fake("train-ae")), true);
  assert.equal(isTrainingStage(fake("dcgan", ["loss.svg", "loss.png", "loss.json"])), false);
  assert.equal(isTrainingStage(fake("ae-d1", ["figure.png", "checks.json"])), false);
});

Deno.test("training-curves run() writes the figure and a table of the inputs' numbers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "training_curves_in_" });
  const fixtures: Record<string, unknown> = {
    "train-pcaae-ellipses-2": PCA_LOSS,
    "train-pos-dec": POSITION_LOSS,
    "train-dcgan": DCGAN_LOSS,
    "train-reg-none-s3": UNTRAINED_LOSS,
  };
  const inputs: Record<string, string> = {};
  for (const [id, json] of Object.entries(fixtures)) {
    inputs[id] = join(dir, `${id}.json`);
    await Deno.writeTextFile(inputs[id], JSON.stringify(json));
  }
  const stage = makeTrainingCurvesStage(Object.keys(fixtures).map((id) => fake(id)));
  const ctx = await fakeContext(stage.id, {}, inputs);
  const again = await fakeContext(stage.id, {}, inputs);
  try {
    await stage.run(ctx);
    for (const name of TRAINING_CURVES_OUTPUTS) {
      assert.ok((await Deno.stat(ctx.outPath(name))).size > 0, `${name} is empty`);
    }
    const md = await Deno.readTextFile(ctx.outPath("curves.md"));
    const rows = md.split("\n").filter((l) => l.startsWith("| `"));
    assert.deepEqual(rows, [
      "| `train-pcaae-ellipses-2` | — | total | 0.21 | 0.051 | 0.2429 | 2 | 10 |",
      "| `train-pos-dec` | run 0 | total | 0.01 | 0.001 | 0.1 | 2 | 50 |",
      "| `train-pos-dec` | run 1 | total | 0.02 | NaN | NaN | 2 | 50 |",
      "| `train-dcgan` | seed 1 | discriminator | 1.4 | 0.7 | 0.5 | 2 | 10 |",
      "| `train-dcgan` | seed 1 | generator | 0.7 | 1.4 | 2 | 2 | 10 |",
      "| `train-dcgan` | seed 2 | discriminator | 1.4 | 1.4 | 1 | 2 | 10 |",
      "| `train-dcgan` | seed 2 | generator | 0.7 | 1.4 | 2 | 2 | 10 |",
      "| `train-reg-none-s3` | — | total | — | — | — | 0 | — |",
    ]);
    const figure = JSON.parse(await Deno.readTextFile(ctx.outPath("figure.json")));
    assert.deepEqual([...new Set(figure.series.map((s: { panel: string }) => s.panel))], [
      "train-pcaae-ellipses-2",
      "train-pos-dec",
      "train-dcgan · seed 1",
      "train-dcgan · seed 2",
    ]);
    assert.match(
      ctx.logs.at(-1)!,
      /4 training stages read; 3 drawn; nothing to draw for train-reg-none-s3/,
    );
    // Same inputs, same bytes.
    await stage.run(again);
    for (const name of TRAINING_CURVES_OUTPUTS) {
      assert.deepEqual(
        await Deno.readFile(again.outPath(name)),
        await Deno.readFile(ctx.outPath(name)),
      );
    }
  } finally {
    for (const d of [dir, ctx.outDir, again.outDir]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("training-curves run() draws the trainings it is given and names the others", async () => {
  const dir = await Deno.makeTempDir({ prefix: "training_curves_in_" });
  const path = join(dir, "train-pcaae-ellipses-2.json");
  await Deno.writeTextFile(path, JSON.stringify(PCA_LOSS));
  const stage = makeTrainingCurvesStage([fake("train-pcaae-ellipses-2"), fake("train-dcgan")]);
  const ctx = await fakeContext(stage.id, {}, { "train-pcaae-ellipses-2": path });
  try {
    await stage.run(ctx);
    const md = await Deno.readTextFile(ctx.outPath("curves.md"));
    assert.equal(md.split("\n").filter((l) => l.startsWith("| `")).length, 1);
    assert.match(
      md,
      /Left out of this partial run, .* in the \w+ profile \(1\): `train-dcgan`\.\n$/,
    );
    assert.match(ctx.logs.at(-1)!, /; left out \(not up to date\): train-dcgan$/);
  } finally {
    for (const d of [dir, ctx.outDir]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("training-curves run() names the stage whose loss file it cannot read", async () => {
  const stage = makeTrainingCurvesStage([fake("train-ae")]);
  const ctx = await fakeContext(stage.id, {});
  try {
    await assert.rejects(
      stage.run(ctx),
      /Cannot draw the training curves: the stage was given no loss file/,
    );
    const bad = join(ctx.outDir, "loss.json");
    await Deno.writeTextFile(bad, JSON.stringify({ records: 3 }));
    await assert.rejects(
      stage.run({ ...ctx, inputs: { "train-ae": bad } }),
      /Cannot read loss of "train-ae": the file has the fields \["records"\]/,
    );
  } finally {
    await Deno.remove(ctx.outDir, { recursive: true });
  }
});
