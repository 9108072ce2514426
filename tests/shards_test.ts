/**
 * `reproduce --shard I/N` end to end on the toy trainings: three clean project copies each run
 * one shard and export it, a fourth imports the three archives and builds the rest, and its
 * cache holds the same entries, output by output, as one machine's run.
 */
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { runs, spawnToy, toy, waitFor } from "./cli_util.ts";
import { assertUsage, dataHash, fresh, Q } from "./faults_util.ts";

const SHARDS = { TOY_SHARDS: "1" };
const TARGET = "toy-evaluate";
const TRAININGS = ["train-a", "train-b", "train-c", "train-d", "train-e"];

/** Every cache entry of a project: `stage/key` → its outputs' sha256, by file name. */
function cacheOutputs(project: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const cache = join(project, "data", "cache");
  for (const s of Deno.readDirSync(cache)) {
    if (!s.isDirectory) continue;
    for (const k of Deno.readDirSync(join(cache, s.name))) {
      if (!k.isDirectory) continue;
      const m = JSON.parse(
        Deno.readTextFileSync(join(cache, s.name, k.name, "manifest.json")),
      );
      out[`${s.name}/${k.name}`] = Object.fromEntries(
        Object.entries(m.outputs as Record<string, { sha256: string }>).map((
          [f, r],
        ) => [f, r.sha256]),
      );
    }
  }
  return out;
}

Deno.test("three shards and a merge give one machine's cache entries, bit for bit", async () => {
  const single = fresh();
  const one = await toy(single, ["reproduce", TARGET, ...Q], SHARDS);
  assert.equal(one.code, 0, one.err);

  const plan = await toy(
    fresh(),
    ["reproduce", TARGET, "--shard", "2/3", "--dry-run", ...Q],
    SHARDS,
  );
  assert.equal(plan.code, 0, plan.err);
  // Largest unit first to the least-loaded shard; train-e needs train-d: they go together.
  assert.match(plan.out, /^ {2}shard 1\/3 ~50s \(1\): train-a$/m);
  assert.match(plan.out, /^\* shard 2\/3 ~45s \(2\): train-d, train-e$/m);
  assert.match(plan.out, /^ {2}shard 3\/3 ~1m10s \(2\): train-b, train-c$/m);
  assert.match(plan.out, /would run train-d .*\nwould run train-e/);

  const machines = [fresh(), fresh(), fresh()];
  const shardRuns = await Promise.all(
    machines.map((dir, i) =>
      toy(dir, ["reproduce", TARGET, "--shard", `${i + 1}/3`, ...Q], SHARDS)
    ),
  );
  const trained: string[] = [];
  shardRuns.forEach((r, i) => {
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      new RegExp(
        `shard ${i + 1}/3: exported \\d+ trainings to data/shard-${i + 1}-of-3\\.tar\\.gz`,
      ),
    );
    const ran = runs(machines[i]);
    assert.ok(!ran.includes(TARGET), `shard ${i + 1} ran only trainings and what they need`);
    trained.push(...ran.filter((id) => id.startsWith("train-")));
  });
  assert.deepEqual(trained.sort(), TRAININGS, "each training ran once, on one shard");

  // `export --shard` packs what the shard has, as an interrupted shard run would have.
  const again = await toy(machines[1], ["export", "again.tar.gz", "--shard", "2/3", ...Q], SHARDS);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /exported 2 entries to again\.tar\.gz/);

  const merge = fresh();
  Deno.mkdirSync(join(merge, "data"));
  const archives = machines.map((dir, i) => {
    const name = `shard-${i + 1}-of-3.tar.gz`;
    copyFileSync(join(dir, "data", name), join(merge, name));
    return name;
  });
  // One bad archive among good ones: nothing is imported.
  const good = Deno.readFileSync(join(merge, archives[2]));
  Deno.writeFileSync(join(merge, "cut.tar.gz"), good.slice(0, good.length >> 1));
  const before = dataHash(merge);
  const refused = await toy(merge, ["import", ...archives.slice(0, 2), "cut.tar.gz"], SHARDS);
  assertUsage(refused, /^error: Cannot import "cut\.tar\.gz": /, "a cut archive among good ones");
  assert.equal(dataHash(merge), before);
  const imported = await toy(merge, ["import", ...archives], SHARDS);
  assert.equal(imported.code, 0, imported.err);
  assert.match(imported.out, /imported 5 entries \(0 already present\) from shard-1-of-3/);
  const rest = await toy(merge, ["reproduce", TARGET, ...Q], SHARDS);
  assert.equal(rest.code, 0, rest.err);
  assert.deepEqual(runs(merge), ["toy-data", TARGET], "the merge trains nothing");
  assert.deepEqual(cacheOutputs(merge), cacheOutputs(single));
});

Deno.test("bad --shard and --out: exit 2, one line, data/ untouched", async () => {
  const dir = fresh();
  Deno.mkdirSync(join(dir, "data"));
  const before = dataHash(dir);
  const T = TARGET;
  const cases: Array<[string[], RegExp]> = [
    [[T, "--shard", "0/3", ...Q], /^error: Cannot use --shard 0\/3: expected I\/N with 1 ≤ I ≤ N/],
    [[T, "--shard", "4/3", ...Q], /^error: Cannot use --shard 4\/3: /],
    [[T, "--shard", "1/3"], /^error: Cannot use --shard without --profile and --backend/],
    [[T, "--shard", "1/6", ...Q], /^error: Cannot share 4 training units among 6 shards/],
    [[T, "--out", "x.tar.gz", ...Q], /^error: Cannot use --out without --shard/],
    [[T, "--shard", "1/2", "--partial", ...Q], /^error: Cannot use --shard with --partial/],
    [[T, "--shard", "1/2", "--out", "data", ...Q], /^error: Cannot export to "data": it is a/],
    [
      ["source", "--shard", "1/2", ...Q],
      /^error: Cannot use --shard: the targets .*source.* need no/,
    ],
  ];
  for (const [args, re] of cases) {
    assertUsage(await toy(dir, ["reproduce", ...args], SHARDS), re, args.join(" "));
  }
  const st = await toy(dir, ["status", "--shard", "1/2", ...Q], SHARDS);
  assertUsage(
    st,
    /^error: Cannot use --shard with status: it applies to reproduce, export/,
    "status",
  );
  assert.equal(dataHash(dir), before);
});

Deno.test("a shard stopped mid-training exports its checkpoints; the next machine resumes", async () => {
  const env = { TOY_TRAINER: "1" };
  // The same parameters throughout (the pace of a step is one of them, so part of the key).
  const args = [
    "trainer",
    "--shard",
    "1/1",
    "--set",
    "trainer.steps=30",
    "--set",
    "trainer.ms=100",
    ...Q,
  ];
  const dir = fresh();
  const child = spawnToy(dir, ["reproduce", ...args], env);
  const scratch = join(dir, "data", "scratch", "trainer");
  // The step of the newest finished checkpoint. Saving one removes the older ones, so the
  // number of entries in the directory is no measure of progress (it is 2 only in passing).
  const newestStep = () => {
    try {
      const [key] = [...Deno.readDirSync(scratch)].map((e) => e.name);
      const steps = [...Deno.readDirSync(join(scratch, key, "checkpoints"))]
        .map((e) => /^ckpt-(\d{9})$/.exec(e.name))
        .filter((m) => m !== null)
        .map((m) => Number(m[1]));
      return Math.max(0, ...steps);
    } catch {
      return 0;
    }
  };
  await waitFor(() => newestStep() >= 2, 60_000);
  child.kill("SIGINT");
  const stopped = await child.output();
  assert.equal(stopped.code, 130);
  // Stopped by a signal, the shard run exported nothing itself: `export --shard` does it.
  const ex = await toy(
    dir,
    ["export", "part.tar.gz", ...args.slice(1)],
    env,
  );
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /exported 0 entries and the checkpoints of 1 unfinished stages to part/);

  const next = fresh();
  Deno.mkdirSync(join(next, "data"));
  Deno.copyFileSync(join(dir, "part.tar.gz"), join(next, "data", "part.tar.gz"));
  assert.equal((await toy(next, ["import", "data/part.tar.gz"], env)).code, 0);
  const done = await toy(next, ["reproduce", ...args], env);
  assert.equal(done.code, 0, done.err);
  assert.match(done.err, /shard 1\/1: exported 1 trainings to data\/shard-1-of-1\.tar\.gz/);
  const log = Deno.readTextFileSync(join(next, "data", "logs", "trainer.log"));
  assert.match(log, /resumed from checkpoint at step [1-9]/);
});
