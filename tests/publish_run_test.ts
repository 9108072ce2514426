/**
 * `publish-run` on the toy project: a published run holds the report's bytes, the trainings'
 * archive and the provenance; importing the archive rebuilds the same report with no
 * training; a partial run is published only with --partial, and bad input changes nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runs, TASK_PERMISSIONS, toy } from "./cli_util.ts";
import { assertUsage, dataHash, entryDir, fresh, Q, treeHash } from "./faults_util.ts";

const SHARDS = { TOY_SHARDS: "1" };
const OUT = ["--out", "results/run"];

Deno.test("a published run rebuilds its report from its archive with no training", async () => {
  const dir = fresh();
  const built = await toy(dir, ["reproduce", "toy-report", ...Q], SHARDS);
  assert.equal(built.code, 0, built.err);
  const pub = await toy(dir, ["publish-run", ...Q], SHARDS);
  assert.equal(pub.code, 0, pub.err);
  const date = new Date().toISOString().slice(0, 10);
  const run = join(dir, "results", `quick-cpu-${date}`);
  assert.match(
    pub.out,
    new RegExp(`published 5 files, .* MB, to results/quick-cpu-${date} \\(5 trainings`),
  );
  assert.deepEqual(
    [...Deno.readDirSync(run)].map((e) => e.name).sort(),
    ["REPORT.md", "index.html", "provenance.json", "trainings.tar.gz", "weights.svg"],
  );
  // The report exactly as the pipeline rendered it.
  for (const f of ["index.html", "REPORT.md", "weights.svg"]) {
    assert.deepEqual(
      Deno.readFileSync(join(run, f)),
      Deno.readFileSync(join(dir, "figures", "quick", f)),
    );
  }
  const prov = JSON.parse(Deno.readTextFileSync(join(run, "provenance.json")));
  assert.equal(prov.profile, "quick");
  assert.equal(prov.backend, "cpu");
  assert.equal(prov.partial, false);
  assert.deepEqual(prov.adapters, ["toy cpu"]);
  assert.ok(prov.commit === null || /^[0-9a-f]{40}$/.test(prov.commit));
  const byId = Object.fromEntries(prov.stages.map((s: { id: string }) => [s.id, s]));
  assert.deepEqual(Object.keys(byId).sort(), [
    "toy-data",
    "toy-report",
    "train-a",
    "train-b",
    "train-c",
    "train-d",
    "train-e",
  ]);
  assert.equal(byId["train-a"].training, true);
  assert.ok(prov.stages.every((s: { finished: boolean }) => s.finished));
  assert.equal(prov.report.key, entryDir(dir, "toy-report").split("/").at(-1));

  // Elsewhere: the archive and a reproduce rebuild the same report; nothing trains.
  const other = fresh();
  Deno.mkdirSync(join(other, "data"));
  Deno.copyFileSync(join(run, "trainings.tar.gz"), join(other, "data", "trainings.tar.gz"));
  const im = await toy(other, ["import", "data/trainings.tar.gz"], SHARDS);
  assert.equal(im.code, 0, im.err);
  assert.match(im.out, /imported 5 entries/);
  const again = await toy(other, ["reproduce", "toy-report", ...Q], SHARDS);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(runs(other), ["toy-data", "toy-report"]);
  // Once the code or the parameters move on, status names what the published run no longer
  // matches (here a parameter; a code change reads "code: <files>").
  const moved = await toy(other, ["status", "toy-report", "--set", "train-b.cost=7", ...Q], SHARDS);
  assert.equal(moved.code, 0, moved.err);
  assert.match(moved.out, /~ train-b +stale .*params: cost 40 → 7/);
  assert.match(moved.out, /✓ train-a +up-to-date/);
  assert.equal(entryDir(other, "toy-report").split("/").at(-1), prov.report.key);
  assert.deepEqual(
    Deno.readFileSync(join(other, "figures", "quick", "index.html")),
    Deno.readFileSync(join(run, "index.html")),
  );

  // A second publication to the same place, or where the tasks may not write, changes nothing.
  const before = [dataHash(dir), treeHash(join(dir, "results"))];
  assertUsage(
    await toy(dir, ["publish-run", ...Q], SHARDS),
    /^error: Cannot publish to "results\/quick-cpu-[0-9-]+": it exists already/,
    "again",
  );
  assertUsage(
    await toy(dir, ["publish-run", ...Q, ...OUT], SHARDS, TASK_PERMISSIONS),
    /^error: Cannot publish to "results\/run": no permission to write there; run it as `deno task publish-run`/,
    "without the permission",
  );
  assertUsage(
    await toy(dir, ["publish-run", "train-a", ...Q], SHARDS),
    /^error: Cannot run publish-run on "train-a": it takes no targets/,
    "a target",
  );
  assert.deepEqual([dataHash(dir), treeHash(join(dir, "results"))], before);
});

Deno.test("an unfinished run is published with --partial only, from its partial report", async () => {
  const dir = fresh();
  const some = await toy(dir, ["reproduce", "train-a", "train-e", ...Q], SHARDS);
  assert.equal(some.code, 0, some.err);
  const before = dataHash(dir);
  assertUsage(
    await toy(dir, ["publish-run", ...Q, ...OUT], SHARDS),
    /^error: Cannot publish the quick run on cpu: 3 stages are not up to date \(.*\); run `deno task reproduce --profile quick --backend cpu` first, or publish what there is with --partial$/,
    "not finished",
  );
  assertUsage(
    await toy(dir, ["publish-run", "--partial", ...Q, ...OUT], SHARDS),
    /^error: Cannot publish the partial quick run on cpu: .* run `deno task reproduce --profile quick --backend cpu --partial toy-report` first$/,
    "no partial report",
  );
  assert.equal(dataHash(dir), before);
  const rep = await toy(dir, ["reproduce", "--partial", "toy-report", ...Q], SHARDS);
  assert.equal(rep.code, 0, rep.err);
  const pub = await toy(dir, ["publish-run", "--partial", ...Q, ...OUT], SHARDS);
  assert.equal(pub.code, 0, pub.err);
  const run = join(dir, "results", "run");
  assert.match(Deno.readTextFileSync(join(run, "REPORT.md")), /partial: without train-b, train-c/);
  const prov = JSON.parse(Deno.readTextFileSync(join(run, "provenance.json")));
  assert.equal(prov.partial, true);
  const finished = prov.stages.filter((s: { finished: boolean }) => s.finished).map((
    s: { id: string },
  ) => s.id);
  assert.deepEqual(finished, ["toy-data", "train-a", "train-d", "train-e"]);
  assert.match(pub.out, /\(3 trainings in its archive/);
});
