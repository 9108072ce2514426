import assert from "node:assert/strict";
import { loadAutoencoder, reconstructBatched } from "./analysis.ts";
import { initBackend } from "./backend.ts";
import { readNpy } from "./npy.ts";
import { fakeContext, TINY } from "./test_fixtures.ts";
import { diskDatasetStage, trainStage } from "./train_stage.ts";

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
    const loss = JSON.parse(await Deno.readTextFile(first.ctx.outPath("loss.json")));
    assert.deepEqual(loss.terms, ["data"]);
    assert.deepEqual(loss.records.map((r: { step: number }) => r.step), [1, 2, 4, 6]);
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
