/**
 * The engine end to end, on the toy project: caching, corruption, kills, concurrency, bad
 * input, determinism, backends, partial runs, export/import and verify.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { bundleEntry } from "../pipeline/bundle.ts";
import { packTarGz } from "../pipeline/tar.ts";
import {
  entries,
  interrupt,
  locks,
  runs,
  spawnToy,
  TASK_PERMISSIONS,
  toy,
  waitFor,
} from "./cli_util.ts";

const Q = ["--profile", "quick", "--backend", "cpu"];
const REPO_ROOT = new URL("..", import.meta.url).pathname;

function fresh(): string {
  return Deno.makeTempDirSync({ prefix: "toy-" });
}

/** Worker processes whose job lives under `dir` (Linux: read from /proc). */
function workersIn(dir: string): number {
  let n = 0;
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (cmd.includes("__stage") && cmd.includes(dir)) n++;
    } catch { /* gone */ }
  }
  return n;
}

function manifestOf(dir: string, stage: string) {
  const [key] = entries(dir, stage);
  return JSON.parse(Deno.readTextFileSync(join(dir, "data", "cache", stage, key, "manifest.json")));
}

Deno.test("reproduce runs each stage once, and a second run is all cache hits", async () => {
  const dir = fresh();
  const a = await toy(dir, ["reproduce", "computed", ...Q]);
  assert.equal(a.code, 0, a.err);
  assert.deepEqual(runs(dir), ["source", "doubled"]);
  const b = await toy(dir, ["reproduce", "computed", ...Q]);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /0 ran, 3 cached/);
  assert.deepEqual(runs(dir), ["source", "doubled"]);
  const m = manifestOf(dir, "computed");
  assert.equal(m.backend, "cpu");
  assert.equal(m.adapter, "toy cpu");
  assert.ok(m.outputs["sum.json"].sha256.length === 64);
  // Code paths in keys are relative to the project, never absolute.
  assert.ok(
    Object.keys(m.parts.files).every((f: string) => !f.startsWith("/") && !f.startsWith("..")),
  );
  // Published for readers, with where it comes from.
  assert.ok(Deno.statSync(join(dir, "figures", "quick", "computed", "sum.json")).isFile);
  const prov = JSON.parse(
    Deno.readTextFileSync(join(dir, "figures", "quick", "computed", "_provenance.json")),
  );
  assert.deepEqual(
    [prov.stage, prov.profile, prov.backend, prov.entry],
    ["computed", "quick", "cpu", `data/cache/computed/${m.key}`],
  );
});

Deno.test("a corrupted output file is detected by name and recomputed", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const [key] = entries(dir, "source");
  Deno.writeTextFileSync(join(dir, "data", "cache", "source", key, "numbers.json"), "[0]");
  const r = await toy(dir, ["reproduce", "source", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /numbers\.json/);
  assert.deepEqual(runs(dir), ["source", "source"]);
  const again = await toy(dir, ["reproduce", "source", ...Q]);
  assert.match(again.err, /0 ran, 1 cached/);
});

Deno.test("a corrupt manifest is set aside in data/quarantine, named, and the entry rebuilt", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const [key] = entries(dir, "source");
  const path = join(dir, "data", "cache", "source", key, "manifest.json");
  Deno.writeTextFileSync(path, "{not json");
  const r = await toy(dir, ["reproduce", "source", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /source: cached entry \w+ is damaged \(manifest\.json is not valid JSON\)/);
  const [q] = [...Deno.readDirSync(join(dir, "data", "quarantine"))].map((e) => e.name);
  assert.equal(
    Deno.readTextFileSync(join(dir, "data", "quarantine", q, "manifest.json")),
    "{not json",
  );
  assert.deepEqual(runs(dir), ["source", "source"]);
});

Deno.test("SIGKILL mid-stage leaves no entry, and the rerun redoes that stage only", async () => {
  const dir = fresh();
  const child = spawnToy(dir, ["reproduce", "slow", "--set", "slow.ms=4000", ...Q]);
  await waitFor(() => runs(dir).includes("slow"));
  await new Promise((r) => setTimeout(r, 500));
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  // The worker notices its runner is gone and ends too (well before its 4 s of work), and
  // nothing partial is in the cache.
  await waitFor(() => workersIn(dir) === 0, 3000);
  assert.deepEqual(entries(dir, "slow"), []);
  const r = await toy(dir, ["reproduce", "slow", "--set", "slow.ms=200", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /1 ran, 1 cached/);
  assert.deepEqual(runs(dir), ["source", "slow", "slow"]);
  assert.equal(entries(dir, "slow").length, 1);
});

Deno.test("a lock left by a killed run is taken over with the tasks' permissions", async () => {
  const dir = fresh();
  const child = spawnToy(dir, ["reproduce", "slow", "--set", "slow.ms=4000", ...Q]);
  await waitFor(() => runs(dir).includes("slow"));
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  const locks = () => [...Deno.readDirSync(join(dir, "data", "locks"))].map((e) => e.name);
  assert.equal(locks().length, 1, "SIGKILL cannot release the lock");
  // The dead owner must be recognised through /proc, which the tasks may read.
  const r = await toy(
    dir,
    ["reproduce", "slow", "--set", "slow.ms=4000", ...Q],
    {},
    TASK_PERMISSIONS,
  );
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /waiting for/);
  assert.deepEqual(locks(), []);
});

Deno.test("status names the process running a stage now, how far it is, and forgets it once it is dead", async () => {
  const dir = fresh();
  const child = spawnToy(dir, ["reproduce", "slow", "--set", "slow.ms=4000", ...Q]);
  await waitFor(() => runs(dir).includes("slow"));
  // The runner writes the stage's progress for other shells once it reports some.
  await waitFor(() => existsSync(join(dir, "data", "logs", "slow.progress.json")));
  const args = ["status", "slow", "--set", "slow.ms=4000", ...Q];
  const during = await toy(dir, args, {}, TASK_PERMISSIONS);
  assert.equal(during.code, 0, during.err);
  assert.match(
    during.out,
    new RegExp(`slow .*running now \\(pid ${child.pid} on [^)]*\\): step \\d+ of 20 \\(\\d+%\\)`),
  );
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  const after = await toy(dir, args, {}, TASK_PERMISSIONS);
  assert.equal(after.code, 0, after.err);
  assert.match(after.out, /slow +missing/);
  assert.doesNotMatch(after.out, /running now/);
});

Deno.test("a finished stage leaves no progress file behind", async () => {
  const dir = fresh();
  const r = await toy(dir, ["reproduce", "slow", "--set", "slow.ms=1500", ...Q]);
  assert.equal(r.code, 0, r.err);
  const logs = [...Deno.readDirSync(join(dir, "data", "logs"))].map((e) => e.name).sort();
  assert.ok(logs.includes("slow.log"), logs.join(", "));
  assert.deepEqual(logs.filter((n) => n.includes("progress")), []);
});

Deno.test("SIGINT stops the run and releases the locks of running stages", async () => {
  const dir = fresh();
  const child = spawnToy(dir, ["reproduce", "slow", "--set", "slow.ms=4000", ...Q]);
  await waitFor(() => runs(dir).includes("slow"));
  assert.equal(await interrupt(child), 130);
  assert.deepEqual(locks(dir), []);
  assert.deepEqual(entries(dir, "slow"), []);
});

Deno.test("two concurrent processes run a stage once", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const a = spawnToy(dir, ["reproduce", "slow", "--set", "slow.ms=1500", ...Q]);
  const b = spawnToy(dir, ["reproduce", "slow", "--set", "slow.ms=1500", ...Q]);
  const [ra, rb] = await Promise.all([a.output(), b.output()]);
  assert.equal(ra.code, 0, new TextDecoder().decode(ra.stderr));
  assert.equal(rb.code, 0, new TextDecoder().decode(rb.stderr));
  assert.deepEqual(runs(dir).filter((x) => x === "slow"), ["slow"]);
});

Deno.test("gc removes the half-published copies of dead processes, and keeps live ones", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  // pid 2^22 + 1 is above Linux's largest pid: no such process.
  const dead = join(dir, "figures", `.publish-computed-${2 ** 22 + 1}-1`);
  const live = join(dir, "figures", `.publish-computed-${Deno.pid}-1`);
  for (const d of [dead, live]) Deno.mkdirSync(d, { recursive: true });
  const dry = await toy(dir, ["gc", "--dry-run", ...Q], {}, TASK_PERMISSIONS);
  assert.equal(dry.code, 0, dry.err);
  assert.ok(Deno.statSync(dead).isDirectory, "a dry run removes nothing");
  const r = await toy(dir, ["gc", ...Q], {}, TASK_PERMISSIONS);
  assert.equal(r.code, 0, r.err);
  assert.throws(() => Deno.statSync(dead), Deno.errors.NotFound);
  assert.ok(Deno.statSync(live).isDirectory);
  assert.ok(
    Deno.statSync(join(dir, "figures", "quick", "source")).isDirectory,
    "published copies stay",
  );
});

Deno.test("bad input gives one clear message and exit code 2, with the cache untouched", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const before = JSON.stringify(entries(dir, "source"));
  const cases: Array<[string[], RegExp]> = [
    [["reproduce", "sourc"], /no such stage \(did you mean "source"\?\)/],
    [["reproduce", "--bogus"], /Unknown option "--bogus"/],
    [["reproduce", "--set", "source.nn=3"], /no parameter "nn" \(did you mean "n"\?\)/],
    [["reproduce", "--set", "source.n=abc"], /not a finite number/],
    [["reproduce", "--set", "sourc.n=3"], /no stage "sourc"/],
    [["reproduce", "--set", "garbage"], /expected --set stage\.param=value/],
    [["reproduce", "--backend", "cuda"], /Unknown backend "cuda"/],
    [["reproduce", "--profile", "fast"], /Unknown profile "fast"/],
    [["reproduce", "--jobs", "0"], /--jobs 0/],
    [["frobnicate"], /Unknown command "frobnicate"/],
  ];
  for (const [args, re] of cases) {
    const r = await toy(dir, args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${r.err}`);
  }
  assert.equal(JSON.stringify(entries(dir, "source")), before);
  assert.deepEqual(runs(dir), ["source"]);
});

Deno.test("a stage that throws is named with its log path, exit code 1, no entry", async () => {
  const dir = fresh();
  const r = await toy(dir, ["reproduce", "broken", ...Q]);
  assert.equal(r.code, 1);
  assert.match(r.err, /Stage "broken" failed: Error: broken on purpose/);
  assert.match(r.err, /data\/logs\/broken\.log/);
  assert.match(Deno.readTextFileSync(join(dir, "data", "logs", "broken.log")), /about to fail/);
  assert.deepEqual(entries(dir, "broken"), []);
});

Deno.test("a forced rerun of a seeded stage gives identical output hashes", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const h1 = manifestOf(dir, "source").outputs;
  assert.equal((await toy(dir, ["reproduce", "source", "--force", ...Q])).code, 0);
  assert.deepEqual(manifestOf(dir, "source").outputs, h1);
  assert.deepEqual(runs(dir), ["source", "source"]);
});

Deno.test("the backend is part of compute stages' keys only", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "computed", ...Q])).code, 0);
  const r = await toy(dir, [
    "reproduce",
    "computed",
    "--profile",
    "quick",
    "--backend",
    "fake-gpu",
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /1 ran, 2 cached/);
  assert.equal(entries(dir, "computed").length, 2);
  const st = await toy(dir, ["status", "--profile", "quick", "--backend", "cpu"]);
  assert.match(st.out, /computed\s+up-to-date/);
});

Deno.test("status and dry-run explain what changed", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "doubled", ...Q])).code, 0);
  const st = await toy(dir, ["status", "--set", "source.n=4", ...Q]);
  assert.match(st.out, /source\s+stale\s+\w+\s+params: n 3 → 4/);
  assert.match(st.out, /doubled\s+blocked/);
  const dry = await toy(dir, ["reproduce", "--dry-run", "--set", "source.n=4", ...Q]);
  assert.match(dry.out, /would run source: params: n 3 → 4/);
  assert.match(
    dry.out,
    /stages would run: estimated .* of stage time, about .* with --jobs \d+ \(\d+ threads? each\) \(profile quick, backend cpu\)/,
  );
  assert.deepEqual(runs(dir), ["source", "doubled"]);
});

Deno.test("reproduce --partial runs the target over its up-to-date inputs only, keyed apart", async () => {
  const dir = fresh();
  const none = await toy(dir, ["reproduce", "--partial", "summary", ...Q]);
  assert.equal(none.code, 2);
  assert.match(none.err, /Cannot run "summary" with --partial: none of its inputs is up to date/);
  assert.equal((await toy(dir, ["reproduce", "doubled", ...Q])).code, 0);
  // `broken` is neither run nor waited for.
  const r = await toy(dir, ["reproduce", "--partial", "summary", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.err,
    /partial: summary runs over 2 of its 3 inputs; left out, not up to date in profile quick: broken/,
  );
  assert.deepEqual(runs(dir), ["source", "doubled", "summary"]);
  const [key] = entries(dir, "summary");
  const got = JSON.parse(
    Deno.readTextFileSync(join(dir, "data", "cache", "summary", key, "summary.json")),
  );
  assert.deepEqual(got.inputs, ["doubled", "numbers"]);
  // A second partial run is a cache hit; the whole stage is still blocked on `broken`.
  const again = await toy(dir, ["reproduce", "--partial", "summary", ...Q]);
  assert.match(again.err, /0 ran, 3 cached/);
  const st = await toy(dir, ["status", "summary", ...Q]);
  assert.match(st.out, /summary\s+blocked\s+-\s+needs broken first/);
});

Deno.test("reproduce --partial narrows the partial stages upstream of a target in the same run", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "doubled", ...Q])).code, 0);
  const r = await toy(dir, ["reproduce", "--partial", "digest", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /partial: summary runs over 2 of its 3 inputs/);
  assert.match(r.err, /partial: digest runs over 1 of its 2 inputs; left out, .*: broken/);
  assert.deepEqual(runs(dir), ["source", "doubled", "summary", "digest"]);
  const [key] = entries(dir, "digest");
  const got = JSON.parse(
    Deno.readTextFileSync(join(dir, "data", "cache", "digest", key, "digest.json")),
  );
  assert.deepEqual(got, { inputs: ["summary"], summary: ["doubled", "numbers"] });
  // No target: every partial stage; all cached now.
  const again = await toy(dir, ["reproduce", "--partial", ...Q]);
  assert.match(again.err, /0 ran, 4 cached/);
});

Deno.test("--partial is refused for other stages and other commands, with exit code 2", async () => {
  const dir = fresh();
  const other = await toy(dir, ["reproduce", "--partial", "doubled", ...Q]);
  assert.equal(other.code, 2);
  assert.match(
    other.err,
    /Cannot run "doubled" with --partial: only "summary" and "digest" can run on the inputs that are up to date/,
  );
  const st = await toy(dir, ["status", "--partial", ...Q]);
  assert.equal(st.code, 2);
  assert.match(st.err, /Cannot use --partial with status: it applies to reproduce, publish-run/);
  assert.deepEqual(runs(dir), []);
});

Deno.test("export then import moves results to a fresh project, checked", async () => {
  const a = fresh(), b = fresh();
  assert.equal((await toy(a, ["reproduce", "computed", ...Q])).code, 0);
  const archive = join(a, "results.tar.gz");
  const ex = await toy(a, ["export", archive, "computed", ...Q]);
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /exported 3 entries/);
  const im = await toy(b, ["import", archive]);
  assert.equal(im.code, 0, im.err);
  const st = await toy(b, ["status", "computed", ...Q]);
  assert.match(st.out, /3 stages: 3 up-to-date/);
  const bad = await toy(b, ["import", join(a, "data", "runs.log")]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /Cannot import/);
});

Deno.test("export --no-inputs packs the targets alone; regenerated inputs make them cache hits", async () => {
  const a = fresh(), b = fresh();
  assert.equal((await toy(a, ["reproduce", "computed", ...Q])).code, 0);
  const archive = join(a, "computed.tar.gz");
  const ex = await toy(a, ["export", archive, "--no-inputs", "computed", ...Q]);
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /exported 1 entries/);
  assert.equal((await toy(b, ["import", archive])).code, 0);
  const run = await toy(b, ["reproduce", "computed", ...Q]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out + run.err, /2 ran, 1 cached, 0 failed/);
  const none = await toy(a, ["export", archive, "--no-inputs", ...Q]);
  assert.equal(none.code, 2);
  assert.match(none.err, /name the stages to export/);
});

Deno.test("export --checkpoints carries an unfinished stage's scratch; import restores it once", async () => {
  const a = fresh(), b = fresh();
  assert.equal((await toy(a, ["reproduce", "computed", ...Q])).code, 0);
  // Make "computed" unfinished: no entry, a checkpoint in its scratch directory.
  const [key] = entries(a, "computed");
  Deno.removeSync(join(a, "data", "cache", "computed", key), { recursive: true });
  const ckpt = join("data", "scratch", "computed", key.slice(0, 32), "checkpoints", "ckpt-1");
  Deno.mkdirSync(join(a, ckpt), { recursive: true });
  Deno.writeTextFileSync(join(a, ckpt, "state.json"), '{"step":1}');
  const archive = join(a, "part.tar.gz");
  const plain = await toy(a, ["export", archive, "computed", ...Q]);
  assert.match(plain.out, /exported 2 entries to/);
  const ex = await toy(a, ["export", archive, "--checkpoints", "computed", ...Q]);
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /exported 2 entries and the checkpoints of 1 unfinished stages/);
  const im = await toy(b, ["import", archive]);
  assert.equal(im.code, 0, im.err);
  assert.match(im.out, /imported 2 entries \(0 already present\); restored the checkpoints of 1/);
  assert.equal(Deno.readTextFileSync(join(b, ckpt, "state.json")), '{"step":1}');
  const dry = await toy(b, ["reproduce", "--dry-run", "computed", ...Q]);
  assert.match(dry.out, /would run computed.*: .*resumes from its checkpoints/);
  assert.doesNotMatch(dry.out, /would run doubled/);
  const st = await toy(b, ["status", "computed", ...Q]);
  assert.match(st.out, /computed .*missing .*resumes from its checkpoints/);
  // A second import keeps what is here: it may be further on.
  Deno.writeTextFileSync(join(b, ckpt, "state.json"), '{"step":2}');
  const again = await toy(b, ["import", archive]);
  assert.match(again.out, /restored the checkpoints of 0 unfinished stages \(1 kept/);
  assert.equal(Deno.readTextFileSync(join(b, ckpt, "state.json")), '{"step":2}');
  // A path that climbs out of the scratch directory is refused, and nothing is written.
  const evil = join(a, "evil.tar.gz");
  Deno.writeFileSync(
    evil,
    packTarGz([[`scratch/computed/${key.slice(0, 32)}/../../../../x`, new Uint8Array([1])]]),
  );
  const c = fresh();
  const bad = await toy(c, ["import", evil]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unexpected path/);
  assert.throws(() => Deno.statSync(join(c, "data", "scratch")));
});

Deno.test("export to a path the tasks may not write names the place to use, exit code 2", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "doubled", ...Q])).code, 0);
  const r = await toy(dir, ["export", "out.tar.gz", "doubled", ...Q], {}, TASK_PERMISSIONS);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /Cannot export to "out\.tar\.gz": no permission .* data\/results\.tar\.gz/);
  const ok = await toy(dir, ["export", "data/out.tar.gz", "doubled", ...Q], {}, TASK_PERMISSIONS);
  assert.equal(ok.code, 0, ok.err);
});

Deno.test("a bundle of the entry computes the sources' keys: its results are cache hits", async () => {
  const scratch = await Deno.makeTempDir({ dir: REPO_ROOT, prefix: ".bundle-test-" });
  try {
    const app = join(scratch, "app.js");
    await bundleEntry({
      root: REPO_ROOT,
      entry: "tests/fixtures/toy_main.ts",
      out: relative(REPO_ROOT, app),
    });
    const dir = fresh();
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", app, "reproduce", "computed", ...Q],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    const st = await toy(dir, ["status", "computed", ...Q]);
    assert.match(st.out, /3 stages: 3 up-to-date/);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("verify reruns cached stages and reports bit-identical outputs", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "doubled", ...Q])).code, 0);
  const r = await toy(dir, ["verify", "doubled", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /doubled: bit-identical/);
});
