import assert from "node:assert/strict";
import { join } from "node:path";
import type { Job } from "./job.ts";
import type { AnyStage } from "./stage.ts";
import { executeJob } from "./worker.ts";

function job(dir: string, stage: string): Job {
  return {
    stage,
    key: "k",
    parts: { deps: {} },
    profile: "quick",
    backend: "cpu",
    threads: 3,
    params: {},
    inputs: {},
    outDir: join(dir, "out"),
    scratchDir: join(dir, "scratch"),
    seed: 1,
  } as unknown as Job;
}

function stage(id: string, compute: boolean, seen: string[]): AnyStage {
  return {
    id,
    description: id,
    module: import.meta.url,
    params: {},
    inputs: {},
    outputs: ["x.txt"],
    compute,
    async run(ctx) {
      seen.push(`run ${ctx.backend}`);
      await Deno.writeTextFile(ctx.outPath("x.txt"), "x");
    },
  };
}

Deno.test("executeJob() starts the compute backend before a compute stage runs and records its facts", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const seen: string[] = [];
    const start = (backend: string, threads: number) => {
      seen.push(`start ${backend} ${threads}`);
      return Promise.resolve({ backend, adapter: "test adapter", hardware_gpu: false });
    };
    const m = await executeJob(stage("c", true, seen), job(dir, "c"), () => {}, start);
    assert.deepEqual(seen, ["start cpu 3", "run cpu"]);
    assert.equal(m.adapter, "test adapter");
    assert.equal(m.records.backend, "cpu");
    assert.equal(m.records.hardware_gpu, false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("executeJob() starts no backend for a stage without compute", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const seen: string[] = [];
    const start = () => (seen.push("start"), Promise.resolve({}));
    const m = await executeJob(stage("p", false, seen), job(dir, "p"), () => {}, start);
    assert.deepEqual(seen, ["run cpu"]);
    assert.equal(m.adapter, null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
