import assert from "node:assert/strict";
import type { Check } from "../../lib/common/checks.ts";
import type { Json, Stage } from "../../pipeline/stage.ts";
import { readNpy } from "../../lib/ml/npy.ts";
import { fakeContext } from "../../lib/ml/test_fixtures.ts";
import { pcaStages } from "./stages.ts";
import { readLatentModel } from "./latent_model.ts";

const byId = new Map(pcaStages.map((s) => [s.id, s]));
const TINY_DATA = { count: 24, samples: 10 };
const TINY_TRAIN = { iterations: 3, batchSize: 8, logEvery: 1, checkpointEvery: 2 };

/** Runs one stage with tiny parameters; its inputs are read from the outputs already made. */
async function runStage(root: string, id: string, set: Record<string, Json> = {}): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const stage = byId.get(id) as Stage<any>;
  assert.ok(stage, `no stage ${id}`);
  const inputs: Record<string, string> = {};
  for (const [local, ref] of Object.entries(stage.inputs)) {
    const [from, file] = ref.split(":");
    inputs[local] = `${root}/out-${from}/${file}`;
  }
  const { ctx } = fakeContext(stage, { root, profile: "quick", set, inputs });
  await stage.run(ctx);
  for (const o of stage.outputs) {
    assert.ok((await Deno.stat(ctx.outPath(o))).isFile, `${id} did not write ${o}`);
  }
  return ctx.outDir;
}

Deno.test("the PCA stages run end to end on tiny settings and write their checks", async () => {
  const root = await Deno.makeTempDir({ prefix: "pca-stages-" });
  try {
    for (const id of ["data-ellipses", "data-ellipses-test", "data-grey", "data-grey-test"]) {
      await runStage(root, id, TINY_DATA);
    }
    const params = await readNpy(`${root}/out-data-ellipses/params.npy`);
    assert.deepEqual(params.shape, [24, 3]);
    for (
      const id of [
        "train-pcaae-ellipses-1",
        "train-pcaae-ellipses-2",
        "train-pcaae-ellipses-3",
        "train-ae-ellipses",
      ]
    ) {
      await runStage(root, id, TINY_TRAIN);
    }
    for (const id of ["train-pcaae-grey-1", "train-pcaae-grey-2", "train-ae-grey"]) {
      await runStage(root, id, TINY_TRAIN);
    }
    // Step 3 carries three one-output encoders and a decoder reading three components.
    const step3 = await readLatentModel(
      `${root}/out-train-pcaae-ellipses-3/model.json`,
      `${root}/out-train-pcaae-ellipses-3/model.bin`,
    );
    assert.equal(step3.config.encoders.length, 3);
    assert.equal(step3.config.decoder.decoderDepths![0], 3);
    // Step 2's frozen encoder is step 1's, bit for bit.
    const step1 = await readLatentModel(
      `${root}/out-train-pcaae-ellipses-1/model.json`,
      `${root}/out-train-pcaae-ellipses-1/model.bin`,
    );
    assert.deepEqual(
      step3.values.get("encoder0/encoder_0_kernel")!.data,
      step1.values.get("encoder0/encoder_0_kernel")!.data,
    );
    assert.equal(step3.values.get("bn/mean")!.data[0], step1.values.get("bn/mean")!.data[0]);
    for (const id of ["ellipses", "pca-arch", "nav-ae", "nav-pca", "grey"]) {
      const out = await runStage(root, id);
      const checks = JSON.parse(await Deno.readTextFile(`${out}/checks.json`)) as Check[];
      assert.ok(checks.length > 0 && checks.every((c) => c.item === id), `${id} checks`);
    }
    const nav = JSON.parse(await Deno.readTextFile(`${root}/out-nav-pca/checks.json`)) as Check[];
    assert.deepEqual(nav.filter((c) => c.op !== "report").map((c) => [c.op, c.bar]), [["<=", 0.1], [
      ">=",
      0.95,
    ]]);
    const table = await Deno.readTextFile(`${root}/out-nav-pca/correlations.md`);
    assert.match(table, /\| PCA-like \| z3 \|/);
    assert.match(table, /\| standard \| z3 \|/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
