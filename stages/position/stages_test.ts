import assert from "node:assert/strict";
import type { AnyStage } from "../../pipeline/stage.ts";
import { initBackend } from "../../lib/ml/backend.ts";
import { readNpy } from "../../lib/ml/npy.ts";
import { fakeContext } from "../../lib/ml/test_fixtures.ts";
import type { Check } from "../../lib/common/checks.ts";
import { positionStages } from "./stages.ts";
import {
  dataPosOnehot,
  dataPosTriangular,
  trainPosDec,
  trainPosDecOnehot,
  trainPosEncAe,
  trainPosEncRegress,
} from "./trainings.ts";
import { encWeightsStage } from "./enc_weights.ts";
import { decOnehotStage, decStage } from "./dec.ts";

await initBackend("cpu");

Deno.test("positionStages lists unique ids and every input comes from an earlier stage", () => {
  const seen = new Map<string, readonly string[]>();
  for (const s of positionStages) {
    assert.ok(!seen.has(s.id), `duplicate ${s.id}`);
    for (const ref of Object.values(s.inputs)) {
      const [id, file] = ref.split(":");
      assert.ok(seen.get(id)?.includes(file), `${s.id} reads ${ref} before it is made`);
    }
    seen.set(s.id, s.outputs);
  }
  for (const id of ["table2", "prop3", "enc-weights", "dec", "dec-onehot"]) {
    assert.ok(seen.has(id), id);
  }
});

Deno.test("the position stages run end to end on tiny settings and write their checks", async () => {
  const root = await Deno.makeTempDir({ prefix: "position-stages-" });
  try {
    const outs = new Map<string, string>();
    const run = async (stage: AnyStage, set: Record<string, number> = {}) => {
      const inputs: Record<string, string> = {};
      for (const [name, ref] of Object.entries(stage.inputs)) {
        const [id, file] = (ref as string).split(":");
        inputs[name] = `${outs.get(id)}/${file}`;
      }
      const { ctx, recorded } = fakeContext(stage, { root, profile: "quick", inputs, set });
      await stage.run(ctx);
      outs.set(stage.id, ctx.outDir);
      for (const f of stage.outputs) await Deno.stat(ctx.outPath(f));
      return { ctx, recorded };
    };
    await run(dataPosOnehot);
    await run(dataPosTriangular, { count: 40 });
    const images = await readNpy(`${outs.get("data-pos-triangular")}/images.npy`);
    assert.deepEqual(images.shape, [40, 64]);
    const tiny = { iterations: 4, logEvery: 2, checkpointEvery: 2 };
    await run(trainPosEncRegress, { ...tiny, seeds: 2 });
    await run(trainPosEncAe, tiny);
    await run(trainPosDec, { ...tiny, batchSize: 8 });
    await run(trainPosDecOnehot, { ...tiny, batchSize: 8 });
    const runs = JSON.parse(
      await Deno.readTextFile(`${outs.get("train-pos-enc-regress")}/runs.json`),
    );
    assert.equal(runs.runs.length, 2);
    assert.notEqual(runs.runs[0].seed, runs.runs[1].seed);
    await run(encWeightsStage);
    await run(decStage, { testCount: 64 });
    await run(decOnehotStage, { testCount: 64 });
    for (const id of ["enc-weights", "dec", "dec-onehot"]) {
      const checks = JSON.parse(await Deno.readTextFile(`${outs.get(id)}/checks.json`)) as Check[];
      assert.ok(checks.length >= 3 && checks.every((c) => c.item === id), id);
      assert.ok(
        checks.every((c) => c.op === "report" ? c.pass === null : typeof c.pass === "boolean"),
        id,
      );
    }
    const dec = JSON.parse(await Deno.readTextFile(`${outs.get("dec")}/checks.json`)) as Check[];
    // The S39 two-sample Dirac equals the triangle on every training signal.
    assert.equal(dec.find((c) => c.check.startsWith("S39"))?.measured, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("positionTrainStage() reuses finished runs and writes the same bytes after an interruption", async () => {
  const root = await Deno.makeTempDir({ prefix: "position-resume-" });
  try {
    const data = fakeContext(dataPosOnehot, { root });
    await dataPosOnehot.run(data.ctx);
    const inputs = { images: data.ctx.outPath("images.npy"), codes: data.ctx.outPath("codes.npy") };
    const set = { iterations: 4, seeds: 2, logEvery: 2, checkpointEvery: 2 };
    const a = fakeContext(trainPosEncRegress, {
      root: `${root}/a`,
      inputs,
      set,
      scratchDir: `${root}/scratch`,
    });
    await trainPosEncRegress.run(a.ctx);
    // A new attempt with the same scratch directory (as after an interruption once both runs
    // had finished) reuses the runs and rebuilds run 0's weight files from the saved values.
    const b = fakeContext(trainPosEncRegress, {
      root: `${root}/b`,
      inputs,
      set,
      scratchDir: `${root}/scratch`,
    });
    await trainPosEncRegress.run(b.ctx);
    assert.ok(b.recorded.logs.some((l) => l.includes("reused")));
    for (const f of trainPosEncRegress.outputs) {
      assert.deepEqual(
        await Deno.readFile(a.ctx.outPath(f)),
        await Deno.readFile(b.ctx.outPath(f)),
        f,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a position stage run again on its scratch directory reuses every finished run, to the same bytes", async () => {
  const root = await Deno.makeTempDir({ prefix: "position-reuse-" });
  try {
    const data = fakeContext(dataPosOnehot, { root, profile: "quick" });
    await dataPosOnehot.run(data.ctx);
    const inputs = {
      images: data.ctx.outPath("images.npy"),
      codes: data.ctx.outPath("codes.npy"),
    };
    const set = { iterations: 4, logEvery: 2, checkpointEvery: 2, seeds: 2 };
    const scratchDir = `${root}/scratch`;
    const first = fakeContext(trainPosEncRegress, {
      root: `${root}/1`,
      profile: "quick",
      inputs,
      set,
      scratchDir,
    });
    await trainPosEncRegress.run(first.ctx);
    const again = fakeContext(trainPosEncRegress, {
      root: `${root}/2`,
      profile: "quick",
      inputs,
      set,
      scratchDir,
    });
    await trainPosEncRegress.run(again.ctx);
    assert.deepEqual(
      again.recorded.logs.filter((l) => l.endsWith("reused from an earlier attempt")),
      ["run 0: reused from an earlier attempt", "run 1: reused from an earlier attempt"],
    );
    assert.equal(again.recorded.records.steps_run, 0);
    for (const f of trainPosEncRegress.outputs) {
      assert.deepEqual(
        await Deno.readFile(again.ctx.outPath(f)),
        await Deno.readFile(first.ctx.outPath(f)),
        f,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
