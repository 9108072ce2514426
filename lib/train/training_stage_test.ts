import assert from "node:assert/strict";
import { fakeContext } from "../ml/test_fixtures.ts";
import { readLossFile } from "./loss_file.ts";
import {
  type RunIo,
  runIo,
  type RunPlan,
  singleRun,
  type TrainedRun,
  trainingStage,
} from "./training_stage.ts";

type ToyParams = { seeds: number; iterations: number; fail: boolean };

/** The toy family's training: its "model" is its seed and the updates it took. */
function toyTrain(
  p: ToyParams,
  run: RunPlan,
  io: RunIo,
): TrainedRun<{ seed: number; steps: number }> {
  const records = [];
  for (let step = 1; step <= p.iterations; step++) {
    io.onProgress(step, p.iterations, { loss: 1 / step });
    records.push({ step, loss: run.seed + 1 / step, data: 1 / step });
  }
  io.onLog("trained");
  return {
    model: { seed: run.seed, steps: p.iterations },
    seconds: 0.5,
    stepsRun: p.iterations,
    resumedFrom: null,
    loss: {
      label: run.label,
      seed: run.seed,
      curves: [{ name: "loss", role: "objective" }, { name: "data", role: "data" }],
      records,
    },
  };
}

/** A model family with nothing to compute: a "model" is its seed and the updates it took. */
function toyStage(events: string[], withRuns: boolean) {
  return trainingStage<ToyParams, { loaded: number }, { seed: number; steps: number }>({
    id: "train-toy",
    description: "toy",
    module: import.meta.url,
    params: {
      seeds: { type: "integer", default: 2, doc: "runs" },
      iterations: { type: "integer", default: 3, doc: "updates" },
      fail: { type: "boolean", default: false, doc: "fail in save" },
    },
    inputs: { images: "data-toy:images.npy" },
    models: ["model.json"],
    estimate: (p) => p.iterations,
    runs: withRuns
      ? (ctx) =>
        Array.from(
          { length: ctx.params.seeds },
          (_, k): RunPlan => ({ index: k, label: `run ${k}`, seed: 100 + k }),
        )
      : undefined,
    load: () => {
      events.push("load");
      return Promise.resolve({ loaded: 1 });
    },
    train: (ctx, _data, run, io) => {
      events.push(`train ${run.index} in ${io.checkpointDir.slice(ctx.scratchDir.length)}`);
      return Promise.resolve(toyTrain(ctx.params, run, io));
    },
    async save(ctx, _data, runs) {
      if (ctx.params.fail) throw new Error("disk full");
      await Deno.writeTextFile(ctx.outPath("model.json"), JSON.stringify(runs.map((r) => r.model)));
    },
    dispose: (m) => void events.push(`dispose ${m.seed}`),
    release: () => void events.push("release"),
    group: {
      key: () => "toy",
      trainGroup: (ctxs) => {
        events.push(`group of ${ctxs.length}`);
        return Promise.resolve(
          ctxs.map((ctx) => toyTrain(ctx.params, singleRun(ctx), runIo(ctx, singleRun(ctx)))),
        );
      },
    },
  });
}

Deno.test("trainingStage() marks the stage, adds loss.json, and trains every planned run", async () => {
  const root = await Deno.makeTempDir({ prefix: "training_stage_test_" });
  try {
    const events: string[] = [];
    const stage = toyStage(events, true);
    assert.equal(stage.training, true);
    assert.equal(stage.compute, true);
    assert.deepEqual(stage.outputs, ["model.json", "loss.json"]);
    const { ctx, recorded } = fakeContext(stage, { root });
    await stage.run(ctx);
    assert.deepEqual(events, [
      "load",
      "train 0 in /checkpoints-0",
      "train 1 in /checkpoints-1",
      "dispose 100",
      "dispose 101",
      "release",
    ]);
    // Progress runs over both runs; log lines carry the run's label.
    assert.deepEqual(recorded.progress.map((p) => [p.step, p.total, p.phase]), [
      [1, 6, "run 0"],
      [2, 6, "run 0"],
      [3, 6, "run 0"],
      [4, 6, "run 1"],
      [5, 6, "run 1"],
      [6, 6, "run 1"],
    ]);
    assert.ok(recorded.logs.includes("run 1: trained"));
    assert.ok(recorded.logs.includes("run 0: 3 updates in 0.5 s; last loss 100.3"));
    const loss = await readLossFile("train-toy", ctx.outPath("loss.json"));
    assert.deepEqual(loss.runs.map((r) => [r.label, r.seed, r.steps]), [
      ["run 0", 100, [1, 2, 3]],
      ["run 1", 101, [1, 2, 3]],
    ]);
    assert.deepEqual(recorded.records, {
      train_seconds: 1,
      ms_per_step: 1000 / 6,
      steps_run: 6,
      resumed_from: [null, null],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainingStage(): one run by default, seeded from ctx.rng.fork('train')", async () => {
  const root = await Deno.makeTempDir({ prefix: "training_stage_test_" });
  try {
    const events: string[] = [];
    const stage = toyStage(events, false);
    const { ctx, recorded } = fakeContext(stage, { root });
    await stage.run(ctx);
    assert.ok(events.includes("train 0 in /checkpoints"));
    const [run] = (await readLossFile("train-toy", ctx.outPath("loss.json"))).runs;
    assert.equal(run.label, "");
    assert.equal(run.seed, ctx.rng.fork("train").seed);
    assert.ok(recorded.logs.includes("trained"), "no prefix for a stage's only run");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainingStage() frees every model and what load holds when saving fails", async () => {
  const root = await Deno.makeTempDir({ prefix: "training_stage_test_" });
  try {
    const events: string[] = [];
    const stage = toyStage(events, true);
    const { ctx } = fakeContext(stage, { root, set: { fail: true } });
    await assert.rejects(stage.run(ctx), /disk full/);
    assert.deepEqual(events.slice(-3), ["dispose 100", "dispose 101", "release"]);
    assert.equal(await Deno.stat(ctx.outPath("loss.json")).catch(() => null), null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainingStage(): a member of a group writes the bytes and facts it writes alone", async () => {
  const root = await Deno.makeTempDir({ prefix: "training_stage_test_" });
  try {
    const events: string[] = [];
    const stage = toyStage(events, false);
    const alone = fakeContext(stage, { root: `${root}/alone` });
    await stage.run(alone.ctx);
    const a = fakeContext(stage, { root: `${root}/a` });
    const b = fakeContext(stage, { root: `${root}/b`, set: { iterations: 5 } });
    events.length = 0;
    await stage.group!.run([a.ctx, b.ctx]);
    assert.deepEqual(events, [
      "load",
      "group of 2",
      "dispose " + a.ctx.rng.fork("train").seed,
      "dispose " + b.ctx.rng.fork("train").seed,
      "release",
    ]);
    for (const f of stage.outputs) {
      assert.equal(
        await Deno.readTextFile(a.ctx.outPath(f)),
        await Deno.readTextFile(alone.ctx.outPath(f)),
        f,
      );
    }
    assert.deepEqual(a.recorded.records, alone.recorded.records);
    const other = await readLossFile("train-toy", b.ctx.outPath("loss.json"));
    assert.equal(other.runs[0].steps.length, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
