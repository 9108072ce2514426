import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { buildGraph } from "./graph.ts";
import { assignShards, inGraphOrder, parseShard, shardUnits } from "./shard.ts";
import { type AnyStage, defineStage } from "./stage.ts";

function stage(id: string, inputs: string[] = []): AnyStage {
  return defineStage({
    id,
    description: id,
    module: import.meta.url,
    params: {},
    inputs: Object.fromEntries(inputs.map((u) => [u, `${u}:out` as const])),
    outputs: ["out"],
    run: () => Promise.resolve(),
  });
}

Deno.test("parseShard() takes I/N from 1/1 to N/N and refuses anything else as a usage error", () => {
  assert.deepEqual(parseShard("1/3"), { index: 1, count: 3 });
  assert.deepEqual(parseShard("3/3"), { index: 3, count: 3 });
  for (
    const bad of ["0/3", "4/3", "1/0", "3", "1/3/3", "01/3", "1 /3", "-1/3", "1/1001", "a/b", ""]
  ) {
    assert.throws(
      () => parseShard(bad),
      (e) => e instanceof UsageError && /--shard/.test(e.message),
    );
  }
});

Deno.test("shardUnits() keeps a training with the trainings it needs, even through other stages", () => {
  const g = buildGraph([
    stage("data"),
    stage("t1", ["data"]),
    stage("mid", ["t1"]),
    stage("t2", ["mid"]),
    stage("t3", ["data"]),
    stage("t4", ["data"]),
    stage("t5", ["t4"]),
  ]);
  const est: Record<string, number> = { t1: 1, t2: 2, t3: 4, t4: 8, t5: 16 };
  const units = shardUnits(
    g,
    ["t1", "t2", "t3", "t4", "t5"].map((id) => g.byId.get(id)!),
    (s) => est[s.id],
  );
  assert.deepEqual(units, [
    { ids: ["t1", "t2"], seconds: 3 },
    { ids: ["t3"], seconds: 4 },
    { ids: ["t4", "t5"], seconds: 24 },
  ]);
});

Deno.test("assignShards() puts the largest first on the least loaded shard, deterministically", () => {
  const units = [
    { ids: ["a"], seconds: 5 },
    { ids: ["b"], seconds: 4 },
    { ids: ["c"], seconds: 3 },
    { ids: ["d"], seconds: 3 },
    { ids: ["e"], seconds: 2 },
  ];
  const shards = assignShards(units, 2);
  assert.deepEqual(shards, [
    { ids: ["a", "d"], seconds: 8 }, // a, b; c to shard 2 (4 < 5); d to shard 1
    { ids: ["b", "c", "e"], seconds: 9 },
  ]);
  // The input order does not matter.
  assert.deepEqual(assignShards([...units].reverse(), 2), shards);
});

Deno.test("assignShards() spreads unknown estimates, and refuses more shards than units", () => {
  const units = ["a", "b", "c", "d"].map((id) => ({ ids: [id], seconds: 0 }));
  assert.deepEqual(assignShards(units, 3).map((s) => s.ids), [["a", "d"], ["b"], ["c"]]);
  assert.throws(() => assignShards(units, 5), /Cannot share 4 training units among 5 shards/);
});

Deno.test("inGraphOrder() lists each shard's stages dependencies first", () => {
  const g = buildGraph([stage("x"), stage("y", ["x"]), stage("z")]);
  assert.deepEqual(inGraphOrder(g, [{ ids: ["z", "y", "x"], seconds: 1 }])[0].ids, ["x", "y", "z"]);
});
