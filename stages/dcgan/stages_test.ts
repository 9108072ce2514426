import assert from "node:assert/strict";
import { readLossFile } from "../../lib/train/loss_file.ts";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { writeNpy } from "../../lib/ml/npy.ts";
import { fakeContext } from "../../lib/ml/test_fixtures.ts";
import type { Check } from "../../lib/common/checks.ts";
import { dcganStage } from "./dcgan_stage.ts";
import { dcganStages } from "./stages.ts";
import { trainDcganStage } from "./train_stage.ts";
import { readDcganBundle } from "./weights.ts";

/** n disks of 64×64 with radii spread over [lo, hi]. */
function disks(radii: number[]): Float32Array {
  const r = new ExactDiskRenderer({ size: 64, sigma: 0.5 });
  const out = new Float32Array(radii.length * 4096);
  radii.forEach((rad, i) => r.render(rad, out.subarray(i * 4096, (i + 1) * 4096)));
  return out;
}

Deno.test("dcganStages lists train-dcgan then dcgan, with the catalogue's id", () => {
  assert.deepEqual(dcganStages.map((s) => s.id), ["train-dcgan", "dcgan"]);
  assert.equal(trainDcganStage.params.seeds.quick?.toString(), "1,2");
  assert.equal(trainDcganStage.params.seeds.default?.toString(), "1,2,3");
});

Deno.test("train-dcgan and dcgan run end to end on a tiny configuration", async () => {
  const root = await Deno.makeTempDir({ prefix: "dcgan-stages-" });
  try {
    const trainRadii = [2, 4, 6, 8, 20, 24, 28, 30];
    await writeNpy(`${root}/train.npy`, { data: disks(trainRadii), shape: [8, 64, 64] });
    const testRadii = [3, 12, 15, 25];
    await writeNpy(`${root}/test.npy`, { data: disks(testRadii), shape: [4, 64, 64] });
    await writeNpy(`${root}/radii.npy`, { data: Float64Array.from(testRadii), shape: [4] });
    await Deno.writeTextFile(
      `${root}/hole.json`,
      JSON.stringify({ sampler: { kind: "hole", min: 0, max: 32, holeMin: 11, holeMax: 18 } }),
    );
    const tiny = {
      seeds: [1, 2],
      iterations: 2,
      batchSize: 4,
      baseWidth: 1,
      kernelSize: 2,
      statisticsPoints: 8,
      logEvery: 1,
    };
    const t = fakeContext(trainDcganStage, {
      root,
      set: tiny,
      inputs: { images: `${root}/train.npy` },
    });
    await trainDcganStage.run(t.ctx);
    const bundle = await readDcganBundle(
      t.ctx.outPath("weights.json"),
      t.ctx.outPath("weights.bin"),
    );
    assert.deepEqual(bundle.seeds.map((s) => s.seed), [1, 2]);
    assert.notDeepEqual(bundle.seeds[0].values.g_out_kernel, bundle.seeds[1].values.g_out_kernel);
    const loss = await readLossFile("train-dcgan", t.ctx.outPath("loss.json"));
    assert.deepEqual(loss.runs.map((r) => [r.label, r.steps.length]), [["seed 1", 2], [
      "seed 2",
      2,
    ]]);

    const d = fakeContext(dcganStage, {
      root,
      set: { gridPoints: 5, refineSteps: 1, columns: [3, 12], zoom: [12, 15], samples: 3 },
      inputs: {
        weights: t.ctx.outPath("weights.json"),
        weightsBin: t.ctx.outPath("weights.bin"),
        loss: t.ctx.outPath("loss.json"),
        testImages: `${root}/test.npy`,
        testRadii: `${root}/radii.npy`,
        hole: `${root}/hole.json`,
      },
    });
    await dcganStage.run(d.ctx);
    for (const name of dcganStage.outputs) {
      assert.ok((await Deno.stat(d.ctx.outPath(name))).size > 0, `${name} written`);
    }
    const checks = JSON.parse(await Deno.readTextFile(d.ctx.outPath("checks.json"))) as Check[];
    assert.ok(checks.every((c) => c.item === "dcgan"));
    const main = checks[0];
    assert.equal(main.bar, 3);
    const projection = JSON.parse(await Deno.readTextFile(d.ctx.outPath("projection.json")));
    const m = projection.meanRatio;
    assert.equal(m.insideCount, 2);
    assert.equal(main.measured, m.ratio);
    assert.equal(main.pass, m.ratio >= 3);
    assert.equal(checks.filter((c) => /^seed \d: mean projection/.test(c.check)).length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
