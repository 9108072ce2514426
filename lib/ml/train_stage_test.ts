import assert from "node:assert/strict";
import { loadAutoencoder, reconstructBatched } from "./analysis.ts";
import { initBackend } from "./backend.ts";
import { readNpy } from "./npy.ts";
import { fakeContext, TINY } from "./test_fixtures.ts";
import {
  diskDatasetStage,
  quantise,
  trainParamDefs,
  trainStage,
  type TrainStageParams,
} from "./train_stage.ts";
import { diskAutoencoderConfig } from "./model.ts";
import { AUTHORS_CODE_TRAINING, authorsCodeData } from "./authors_code.ts";
import { readLossFile } from "../train/loss_file.ts";

await initBackend("cpu");

const dataset = diskDatasetStage({
  module: import.meta.url,
  id: "disks-test",
  description: "tiny disks",
  count: 30,
  size: 16,
  samples: 50,
  sampler: { kind: "hole", min: 0, max: 8, holeMin: 3, holeMax: 5 },
});

const trainer = trainStage({
  module: import.meta.url,
  id: "ae-test",
  description: "tiny autoencoder",
  dataset: "disks-test",
  config: TINY,
  params: {
    iterations: { default: 6 },
    batchSize: { default: 8 },
    checkpointEvery: { default: 3 },
    logEvery: { default: 2 },
  },
});

async function runDataset(root: string) {
  const { ctx } = fakeContext(dataset, { root });
  await dataset.run(ctx);
  return ctx;
}

Deno.test("diskDatasetStage() writes images.npy, radii.npy and dataset.json, deterministically", async () => {
  const root = await Deno.makeTempDir();
  try {
    const a = await runDataset(`${root}/a`), b = await runDataset(`${root}/b`);
    for (const f of dataset.outputs) {
      assert.deepEqual(await Deno.readFile(a.outPath(f)), await Deno.readFile(b.outPath(f)), f);
    }
    const images = await readNpy(a.outPath("images.npy"));
    assert.deepEqual(images.shape, [30, 16, 16]);
    assert.ok(images.data instanceof Float32Array);
    const radii = await readNpy(a.outPath("radii.npy"));
    assert.ok(radii.data instanceof Float64Array);
    assert.ok([...radii.data].every((r) => r > 0 && r < 8 && (r < 3 || r > 5)));
    const meta = JSON.parse(await Deno.readTextFile(a.outPath("dataset.json")));
    assert.deepEqual(meta.geometry.centre, [7.5, 7.5]);
    assert.equal(meta.sampler.kind, "hole");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainStage() trains, writes loadable weights and a loss curve, and resumes identically", async () => {
  const root = await Deno.makeTempDir();
  try {
    const ds = await runDataset(root);
    const inputs = { images: ds.outPath("images.npy"), keys: ds.outPath("radii.npy") };
    assert.deepEqual(trainer.inputs, {
      images: "disks-test:images.npy",
      keys: "disks-test:radii.npy",
    });
    const first = fakeContext(trainer, {
      root: `${root}/1`,
      inputs,
      scratchDir: `${root}/scratch`,
    });
    await trainer.run(first.ctx);
    assert.equal(first.recorded.progress.at(-1)?.step, 6);
    const loss = await readLossFile("train-x", first.ctx.outPath("loss.json"));
    assert.deepEqual(loss.runs[0].curves.map((c) => [c.name, c.role]), [
      ["loss", "objective"],
      ["data", "data"],
    ]);
    assert.deepEqual(loss.runs[0].steps, [1, 2, 4, 6]);
    assert.equal(loss.runs[0].seed, first.ctx.rng.fork("train").seed);
    const model = await loadAutoencoder(first.ctx.outDir);
    try {
      const images = (await readNpy(inputs.images)).data as Float32Array;
      assert.equal((await reconstructBatched(model, images)).length, images.length);
      assert.deepEqual(model.config, TINY);
    } finally {
      model.dispose();
    }
    // Same scratch directory: the second run resumes from the checkpoint at step 3 and must
    // write the same bytes.
    const second = fakeContext(trainer, {
      root: `${root}/2`,
      inputs,
      scratchDir: `${root}/scratch`,
    });
    await trainer.run(second.ctx);
    assert.deepEqual(second.recorded.records.resumed_from, [3]);
    for (const f of trainer.outputs) {
      assert.deepEqual(
        await Deno.readFile(second.ctx.outPath(f)),
        await Deno.readFile(first.ctx.outPath(f)),
        f,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainStage() declares quick values and turns depth parameters into the configuration", () => {
  const s = trainStage({ module: import.meta.url, id: "x", description: "x", dataset: "d" });
  assert.ok(s.params.iterations.quick !== undefined && s.params.batchSize.quick !== undefined);
  assert.deepEqual(s.params.encoderDepths.default, [1, 8, 4, 4, 3, 2, 1]);
  assert.equal(s.compute, true);
  assert.deepEqual(s.outputs, ["weights.json", "weights.bin", "loss.json"]);
  assert.throws(
    () =>
      trainStage({
        module: import.meta.url,
        id: "x",
        description: "x",
        dataset: "d",
        params: { nope: {} } as never,
      }),
    /unknown/,
  );
});

Deno.test("quantise(): grey levels as an 8-bit file stores them, ⌊255·v⌋/255, clamped", () => {
  const v = new Float32Array([0, 0.5, 1, 1.2, -0.1, 0.9999]);
  quantise(v, 255);
  assert.deepEqual([...v], [0, 127 / 255, 1, 1, 0, 254 / 255].map(Math.fround));
});

Deno.test("the code profile's values are declared on the disk data and training parameters, each with its source", () => {
  const defs = trainParamDefs(diskAutoencoderConfig(), {}, AUTHORS_CODE_TRAINING);
  assert.equal(defs.batchSize.code?.value, 64);
  assert.equal(defs.padding.code?.value, "valid");
  assert.equal(defs.padding.default, "same");
  assert.equal(defs.seed.code, undefined, "the code has no seed: the paper's stays");
  for (const [name, def] of Object.entries(defs)) {
    if (def.code) assert.match(def.code.source, /\.py/, name);
  }
  const full = authorsCodeData(32), limited = authorsCodeData(18);
  assert.equal(full.radiusMax?.value, 31.5);
  assert.equal(limited.radiusMax, undefined, "the paper's limit R = 18 stays under code");
  assert.equal(full.size?.value, 63);
  assert.throws(
    () => trainParamDefs(diskAutoencoderConfig(), {}, { nope: { value: 1, source: "x" } } as never),
    /Cannot declare the code value of "nope": unknown/,
  );
});

Deno.test("trainStage() under the code profile: 'valid' layers on the data's own size, a fresh subset per update, the best of every K-th update kept", async () => {
  const root = await Deno.makeTempDir();
  try {
    const codeData = diskDatasetStage({
      module: import.meta.url,
      id: "disks-code",
      description: "tiny disks, odd size",
      count: 30,
      size: 15,
      samples: 50,
      code: { levels: { value: 255, source: "image_utils.py: np.uint8(255·img)" } },
    });
    const ds = fakeContext(codeData, { root, profile: "code" }).ctx;
    await codeData.run(ds);
    const images = await readNpy(ds.outPath("images.npy"));
    assert.ok([...images.data].every((v) => Number.isInteger(Math.round(v * 255 * 1e4) / 1e4)));
    const codeTrainer = trainStage({
      module: import.meta.url,
      id: "ae-code",
      description: "tiny autoencoder, the code's way",
      dataset: "disks-code",
      config: TINY,
      params: { iterations: { default: 9 }, logEvery: { default: 100 } },
      code: {
        encoderDepths: { value: [1, 4, 2, 1], source: "t.py" },
        decoderDepths: { value: [1, 2, 4, 1], source: "t.py" },
        padding: { value: "valid", source: "t.py" },
        batchSize: { value: 8, source: "t.py" },
        batchDraw: { value: "subset", source: "t.py" },
        keepBest: { value: 4, source: "t.py" },
      },
    });
    const { ctx, recorded } = fakeContext(codeTrainer, {
      root,
      profile: "code",
      inputs: { images: ds.outPath("images.npy"), keys: ds.outPath("radii.npy") },
    });
    await codeTrainer.run(ctx);
    const weights = JSON.parse(await Deno.readTextFile(ctx.outPath("weights.json")));
    assert.deepEqual(weights.config.inputShape, [15, 15, 1]);
    assert.equal(weights.config.padding, "valid");
    const [loss] = JSON.parse(await Deno.readTextFile(ctx.outPath("loss.json"))).runs;
    // Candidates are updates 1, 5 and 9 (0-based 0, 4, 8); the kept one is the lowest.
    const candidates = loss.records.filter((r: { step: number }) => (r.step - 1) % 4 === 0);
    assert.deepEqual(candidates.map((r: { step: number }) => r.step), [1, 5, 9]);
    const best = Math.min(...candidates.map((r: { loss: number }) => r.loss));
    assert.equal(loss.kept.loss, best);
    assert.deepEqual(weights.training.kept, loss.kept);
    assert.ok(
      recorded.logs.some((l) => l.startsWith(`kept the weights after step ${loss.kept.step}`)),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainStage() in a group writes the bytes each member writes alone; its group key says who may join", async () => {
  const root = await Deno.makeTempDir();
  try {
    const ds = await runDataset(root);
    const inputs = { images: ds.outPath("images.npy"), keys: ds.outPath("radii.npy") };
    const sets: Record<string, number>[] = [
      { seed: 1 },
      { seed: 2, encoderWeightDecayLambda: 0.5 },
      { seed: 3, latentDistanceLambda: 0.01, iterations: 4 },
    ];
    const contexts = (where: string) =>
      sets.map((set, i) => fakeContext(trainer, { root: `${root}/${where}${i}`, inputs, set }));
    const together = contexts("group");
    const key = (c: { ctx: { params: TrainStageParams } }) =>
      trainer.group!.key(c.ctx.params, "cpu");
    assert.ok(key(together[0]) !== null);
    for (const c of together) assert.equal(key(c), key(together[0]));
    await trainer.group!.run(together.map((c) => c.ctx));
    const alone = contexts("alone");
    for (const c of alone) await trainer.run(c.ctx);
    for (const [i, c] of together.entries()) {
      for (const f of trainer.outputs) {
        assert.deepEqual(
          await Deno.readFile(c.ctx.outPath(f)),
          await Deno.readFile(alone[i].ctx.outPath(f)),
          `member ${i}: ${f}`,
        );
      }
      assert.equal(c.recorded.records.steps_run, sets[i].iterations ?? 6);
      assert.equal(c.recorded.progress.at(-1)?.step, sets[i].iterations ?? 6);
    }
    // Who may not join: the contractive term, another batch size, a backend without kernels.
    const params = together[0].ctx.params;
    assert.equal(trainer.group!.key({ ...params, contractiveLambda: 1 }, "cpu"), null);
    assert.equal(trainer.group!.key(params, "tensorflow"), null);
    assert.notEqual(trainer.group!.key({ ...params, batchSize: 4 }, "cpu"), key(together[0]));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
