import assert from "node:assert/strict";
import type { AnyStage } from "../../pipeline/stage.ts";
import { initBackend } from "../ml/backend.ts";
import { fakeContext } from "../ml/test_fixtures.ts";
import { dataHole, datasetStages, dataTest } from "../size/datasets.ts";
import { holeStage } from "./hole.ts";
import { lambdaStage } from "./lambda.ts";
import { regStage } from "./reg.ts";
import { generalisationStages } from "./stages.ts";
import {
  LAMBDAS,
  lambdaTrainingId,
  PAPER_SEEDS,
  QUICK_RECIPE,
  regTrainingId,
  REGULARISERS,
  trainingSeconds,
} from "./trainings.ts";

const byId = new Map<string, AnyStage>(
  [...datasetStages, ...generalisationStages].map((s) => [s.id, s]),
);
const quickValue = (s: AnyStage, name: string) => s.params[name].quick ?? s.params[name].default;

Deno.test("generalisationStages has unique ids and every input names a known stage's output", () => {
  assert.equal(byId.size, datasetStages.length + generalisationStages.length);
  for (const s of generalisationStages) {
    for (const ref of Object.values(s.inputs)) {
      const [id, file] = ref.split(":");
      assert.ok(byId.get(id)?.outputs.includes(file), `${s.id} reads ${ref}`);
    }
  }
  assert.deepEqual(generalisationStages.slice(-3).map((s) => s.id), ["hole", "reg", "lambda"]);
});

Deno.test("the quick profile trains exactly the seeds reg reads, and the λ sweep shares ψ3's seed 1", () => {
  for (const r of REGULARISERS) {
    const used = Number(
      r.key === "none" || r.key === "psi3"
        ? quickValue(regStage, "seeds")
        : quickValue(regStage, "otherSeeds"),
    );
    for (let s = 1; s <= PAPER_SEEDS; s++) {
      const t = byId.get(regTrainingId(r.key, s))!;
      assert.equal(quickValue(t, "iterations"), s <= used ? QUICK_RECIPE.iterations : 0, t.id);
      assert.equal(t.params.iterations.default, 10_000);
      assert.equal(t.params.loss.default, "sum");
      assert.equal(t.params.seed.default, s);
      if (r.param) assert.equal(t.params[r.param].default, r.lambda);
    }
  }
  const psi3 = REGULARISERS.find((r) => r.key === "psi3")!;
  assert.ok(LAMBDAS.includes(psi3.lambda));
  assert.equal(lambdaTrainingId(psi3.lambda), "train-reg-psi3-s1");
  for (const l of LAMBDAS) {
    const t = byId.get(lambdaTrainingId(l))!;
    assert.equal(t.params.encoderWeightDecayLambda.default, l);
    assert.equal(quickValue(t, "iterations"), QUICK_RECIPE.iterations);
  }
  assert.ok(byId.has("train-lambda-0p1") && byId.has("train-lambda-100"));
});

Deno.test("trainingSeconds() scales with updates, batch and the regulariser's extra passes", () => {
  const t = byId.get(regTrainingId("none", 1))!;
  const p = Object.fromEntries(Object.entries(t.params).map(([k, d]) => [k, d.quick ?? d.default]));
  const none = trainingSeconds(p as never, "cpu");
  assert.ok(none > 30 && none < 80, `quick none: ${none}`);
  assert.ok(trainingSeconds({ ...p, contractiveLambda: 1 } as never, "cpu") > 2 * (none - 1.5));
  assert.equal(trainingSeconds({ ...p, iterations: 0 } as never, "cpu"), 1.5);
});

Deno.test("hole stage runs end to end on a tiny test grid and a model trained for 2 updates", async () => {
  await initBackend("cpu");
  const root = await Deno.makeTempDir();
  try {
    const run = async (
      stage: AnyStage,
      set: Record<string, unknown>,
      inputs: Record<string, string> = {},
    ) => {
      const { ctx } = fakeContext(stage, { root, set: set as never, inputs });
      await stage.run(ctx);
      return (name: string) => ctx.outPath(name);
    };
    const test = await run(dataTest, { count: 40 });
    const hole = await run(dataHole, { count: 16, samples: 4 });
    const trainer = byId.get(regTrainingId("none", 1))!;
    const model = await run(trainer, { iterations: 2, batchSize: 4, logEvery: 1 }, {
      images: hole("images.npy"),
      keys: hole("radii.npy"),
    });
    const out = await run(holeStage, { radii: [5, 14.5, 25] }, {
      testImages: test("images.npy"),
      testRadii: test("radii.npy"),
      holeData: hole("dataset.json"),
      "model.json": model("weights.json"),
      "model.bin": model("weights.bin"),
    });
    for (const f of holeStage.outputs) assert.ok((await Deno.stat(out(f))).size > 0, f);
    const checks = JSON.parse(await Deno.readTextFile(out("checks.json")));
    assert.equal(checks.length, 3);
    assert.equal(checks[0].item, "hole");
    assert.equal(checks[0].op, ">=");
    assert.equal(typeof checks[0].measured, "number");
    const png = await Deno.readFile(out("figure.png"));
    assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]);

    // A seed the quick profile leaves untrained is refused by name.
    const untrained = await run(trainer, { iterations: 0 }, {
      images: hole("images.npy"),
      keys: hole("radii.npy"),
    });
    await assert.rejects(
      () =>
        run(holeStage, {}, {
          testImages: test("images.npy"),
          testRadii: test("radii.npy"),
          holeData: hole("dataset.json"),
          "model.json": untrained("weights.json"),
          "model.bin": untrained("weights.bin"),
        }),
      /trained for 0 updates/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("reg and lambda read every seed and every λ through their inputs", () => {
  for (const r of REGULARISERS) {
    for (let s = 1; s <= PAPER_SEEDS; s++) {
      assert.equal(
        regStage.inputs[`${r.key}-s${s}.json`],
        `${regTrainingId(r.key, s)}:weights.json`,
      );
    }
  }
  assert.equal(
    Object.keys(lambdaStage.inputs).filter((k) => k.endsWith(".bin")).length,
    LAMBDAS.length,
  );
});
