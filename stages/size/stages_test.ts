/**
 * Every size item stage run end to end on a tiny fixture through a fake Context: untrained
 * models (with and without biases) saved as a training stage saves them, a 24-disk exact test
 * set and a 12-disk Monte Carlo training set. Checks that each stage writes its declared
 * outputs and `checks.json` for its own item; the numbers of untrained models mean nothing,
 * except Proposition 1, which holds for any decoder without biases.
 */
import { strict as assert } from "node:assert";
import type { AnyStage, Json } from "../../pipeline/stage.ts";
import type { Check } from "../../lib/common/checks.ts";
import { initBackend } from "../../lib/ml/backend.ts";
import { ExactDiskRenderer, monteCarloDisk } from "../../lib/ml/disks.ts";
import { createAutoencoder, diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { writeNpy } from "../../lib/ml/npy.ts";
import { createRng } from "../../lib/ml/random.ts";
import { saveWeights } from "../../lib/ml/weights_io.ts";
import { defaultParams, fakeContext } from "../../lib/common/_test_context.ts";
import { sizeStages } from "./stages.ts";

async function fixture(): Promise<Record<string, string>> {
  await initBackend("cpu");
  const dir = await Deno.makeTempDir({ prefix: "size-fixture-" });
  const m = 64, P = m * m;
  const exact = new ExactDiskRenderer({ size: m, sigma: 0.5 });
  const testRadii = Float64Array.from({ length: 24 }, (_, i) => (32 * i) / 23);
  const test = new Float32Array(24 * P);
  testRadii.forEach((r, i) => exact.render(r, test.subarray(i * P, (i + 1) * P)));
  await writeNpy(`${dir}/test_images.npy`, { data: test, shape: [24, m, m] });
  await writeNpy(`${dir}/test_radii.npy`, { data: testRadii, shape: [24] });
  const rng = createRng(9);
  const trainRadii = Float64Array.from({ length: 12 }, () => 32 * rng.next());
  const train = new Float32Array(12 * P);
  trainRadii.forEach((r, i) =>
    monteCarloDisk(r, { size: m, sigma: 0.5 }, 100, rng, train.subarray(i * P, (i + 1) * P))
  );
  await writeNpy(`${dir}/train_images.npy`, { data: train, shape: [12, m, m] });
  await writeNpy(`${dir}/train_radii.npy`, { data: trainRadii, shape: [12] });
  const meta = (max: number, kind = "uniform") =>
    JSON.stringify({
      params: { samples: 100, blur: "mc" },
      geometry: { size: m, sigma: 0.5, centre: [31.5, 31.5] },
      sampler: { kind, min: 0, max },
    });
  await Deno.writeTextFile(`${dir}/uniform.json`, meta(32));
  await Deno.writeTextFile(`${dir}/limited.json`, meta(18));
  await Deno.writeTextFile(`${dir}/test.json`, meta(32, "grid"));
  for (const [name, bias] of [["ae", true], ["nobias", false]] as const) {
    const model = createAutoencoder(
      diskAutoencoderConfig({ encoderBias: bias, decoderBias: bias }),
      3,
    );
    await saveWeights(model, `${dir}/${name}.json`, `${dir}/${name}.bin`, {
      training: {
        params: { learningRate: 0.001, batchSize: 300, iterations: 0, loss: "mean" },
        count: 12,
      },
    });
    model.dispose();
  }
  return {
    "train-ae:weights.json": `${dir}/ae.json`,
    "train-ae:weights.bin": `${dir}/ae.bin`,
    "train-limited:weights.json": `${dir}/ae.json`,
    "train-limited:weights.bin": `${dir}/ae.bin`,
    "train-nobias:weights.json": `${dir}/nobias.json`,
    "train-nobias:weights.bin": `${dir}/nobias.bin`,
    "train-limited-nobias:weights.json": `${dir}/nobias.json`,
    "train-limited-nobias:weights.bin": `${dir}/nobias.bin`,
    "data-test:images.npy": `${dir}/test_images.npy`,
    "data-test:radii.npy": `${dir}/test_radii.npy`,
    "data-test:dataset.json": `${dir}/test.json`,
    "data-uniform:images.npy": `${dir}/train_images.npy`,
    "data-uniform:radii.npy": `${dir}/train_radii.npy`,
    "data-uniform:dataset.json": `${dir}/uniform.json`,
    "data-limited:dataset.json": `${dir}/limited.json`,
  };
}

const OVERRIDES: Record<string, Record<string, Json>> = { airy: { gridN: 40 } };

Deno.test("size item stages write their outputs and checks on a tiny fixture", async () => {
  const files = await fixture();
  const items = sizeStages.filter((s: AnyStage) => !s.id.startsWith("train-"));
  assert.equal(items.length, 10);
  for (const stage of items) {
    const inputs = Object.fromEntries(
      Object.entries(stage.inputs).map(([k, ref]) => [k, files[ref as string]]),
    );
    const ctx = await fakeContext(
      stage.id,
      defaultParams(stage.params, OVERRIDES[stage.id]),
      inputs,
    );
    await stage.run(ctx);
    for (const out of stage.outputs) {
      assert.ok((await Deno.stat(ctx.outPath(out))).size > 0, `${stage.id}: ${out}`);
    }
    const checks = JSON.parse(await Deno.readTextFile(ctx.outPath("checks.json"))) as Check[];
    assert.ok(checks.length > 0 && checks.every((c) => c.item === stage.id), stage.id);
    if (stage.id === "nobias") {
      assert.equal(checks[0].pass, true, "Proposition 1 holds for any decoder without biases");
    }
    if (stage.id === "arch") assert.ok(checks.slice(0, 3).every((c) => c.pass), "arch checks");
    await Deno.remove(ctx.outDir, { recursive: true });
  }
  await Deno.remove(files["data-test:images.npy"].replace(/\/[^/]*$/, ""), { recursive: true });
});
