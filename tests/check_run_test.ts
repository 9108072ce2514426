/**
 * `check-run` on the toy project: a published run whose trainings match this checkout says so;
 * one published under other parameters names the trainings that would train again and why; a
 * damaged or missing run is bad input (exit 2), and nothing is written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { toy } from "./cli_util.ts";
import { assertUsage, dataHash, fresh, Q } from "./faults_util.ts";

const SHARDS = { TOY_SHARDS: "1" };

/** A toy project with a run published to results/run (with `extra` options at publication). */
async function published(extra: string[] = []): Promise<string> {
  const dir = fresh();
  const built = await toy(dir, ["reproduce", "toy-report", ...extra, ...Q], SHARDS);
  assert.equal(built.code, 0, built.err);
  const pub = await toy(dir, ["publish-run", "--out", "results/run", ...extra, ...Q], SHARDS);
  assert.equal(pub.code, 0, pub.err);
  return dir;
}

Deno.test("check-run: a run made by this checkout matches it, training by training", async () => {
  const dir = await published();
  const r = await toy(dir, ["check-run", "results/run"], SHARDS);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n");
  assert.match(lines[0], /^results\/run: profile quick, backend cpu, published \d{4}-\d\d-\d\d/);
  for (const t of ["train-a", "train-b", "train-c", "train-d", "train-e"]) {
    assert.match(r.out, new RegExp(`✓ ${t} +matches +[0-9a-f]{12}`));
  }
  assert.match(
    lines.at(-1)!,
    /^all 5 trainings match this checkout: `import results\/run\/trainings.tar.gz` then `reproduce --profile quick --backend cpu` rebuilds them without training$/,
  );
});

Deno.test("check-run: a run published with --set is checked, and rebuilt, with its overrides", async () => {
  const dir = await published(["--set", "train-d.cost=9"]);
  const prov = JSON.parse(Deno.readTextFileSync(join(dir, "results", "run", "provenance.json")));
  assert.deepEqual(prov.overrides, ["train-d.cost=9"]);
  const r = await toy(dir, ["check-run", "results/run"], SHARDS);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out.trim().split("\n").at(-1)!,
    /^all 5 trainings match this checkout: .* then `reproduce --profile quick --backend cpu --set train-d.cost=9` rebuilds them without training$/,
  );
});

Deno.test("check-run: what moved since the run, and what cannot be told without building", async () => {
  // Published under another parameter, with a provenance that does not record it (as runs
  // published before overrides were): this checkout's defaults are a change since the run.
  const dir = await published(["--set", "train-d.cost=9"]);
  const provPath = join(dir, "results", "run", "provenance.json");
  const prov = JSON.parse(Deno.readTextFileSync(provPath));
  delete prov.overrides;
  Deno.writeTextFileSync(provPath, JSON.stringify(prov, null, 2) + "\n");
  const before = dataHash(dir);
  const r = await toy(dir, ["check-run", "results/run"], SHARDS);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /~ train-d +stale +[0-9a-f]{12} +params: cost 9 → 20/);
  // train-e starts from train-d's weights: its own key parts did not move, its input's did.
  assert.match(
    r.out,
    /\? train-e +unknown +[0-9a-f]{12} +input init: stage train-d's key differs from the run's; it matches if that stage still makes the same bytes/,
  );
  assert.match(r.out, /✓ train-a +matches/);
  assert.match(
    r.out,
    /3 of 5 trainings match this checkout; 1 would train again, 1 cannot be told/,
  );
  assert.equal(dataHash(dir), before, "check-run writes nothing");
});

Deno.test("check-run: a missing, damaged or foreign run is bad input, and nothing changes", async () => {
  const dir = await published();
  const run = join(dir, "results", "run");
  const before = dataHash(dir);
  assertUsage(
    await toy(dir, ["check-run", "results/none"], SHARDS),
    /^error: Cannot check the run "results\/none": no such directory; give a directory written by `publish-run`/,
    `["check-run", "results/none"]`,
  );
  assertUsage(
    await toy(dir, ["check-run"], SHARDS),
    /^error: Cannot check a run: give one published run's directory/,
    `["check-run"]`,
  );
  assertUsage(
    await toy(dir, ["check-run", "results/run", "--profile", "paper"], SHARDS),
    /^error: Cannot use --profile with check-run: it applies to /,
    `["check-run", "results/run", "--profile", "paper"]`,
  );
  const archive = join(run, "trainings.tar.gz");
  const bytes = Deno.readFileSync(archive);
  Deno.writeFileSync(archive, Uint8Array.from([...bytes, 0]));
  assertUsage(
    await toy(dir, ["check-run", "results/run"], SHARDS),
    /^error: Cannot check the run "results\/run": trainings.tar.gz is not the file its provenance.json names \(sha256 differs\)/,
    `["check-run", "results/run"]`,
  );
  Deno.removeSync(archive);
  assertUsage(
    await toy(dir, ["check-run", "results/run"], SHARDS),
    /^error: Cannot check the run "results\/run": trainings.tar.gz is missing/,
    `["check-run", "results/run"]`,
  );
  const prov = join(run, "provenance.json");
  Deno.writeTextFileSync(
    prov,
    Deno.readTextFileSync(prov).replace('"profile": "quick"', '"profile": "huge"'),
  );
  assertUsage(
    await toy(dir, ["check-run", "results/run"], SHARDS),
    /^error: Cannot check the run "results\/run": it was made under profile huge and backend cpu, which this checkout does not have/,
    `["check-run", "results/run"]`,
  );
  const good = JSON.parse(Deno.readTextFileSync(prov));
  Deno.writeTextFileSync(prov, JSON.stringify({ ...good, profile: "quick", overrides: "x" }));
  assertUsage(
    await toy(dir, ["check-run", "results/run"], SHARDS),
    /^error: Cannot check the run "results\/run": its provenance.json has overrides that are not a list of stage.param=value/,
    `["check-run", "results/run"]`,
  );
  Deno.writeTextFileSync(prov, "{");
  assertUsage(
    await toy(dir, ["check-run", "results/run"], SHARDS),
    /^error: Cannot check the run "results\/run": it has no readable provenance.json/,
    `["check-run", "results/run"]`,
  );
  assert.equal(dataHash(dir), before);
});
