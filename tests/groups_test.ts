/**
 * Trainings in groups (`Stage.group`): the runner puts ready stages of one group key into one
 * worker process, as many as keep the free slots busy and at most `--group-size`; the outputs
 * and keys are those of a run where each trains alone; a group that fails fails each member.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { entries, interrupt, locks, spawnToy, toy, waitFor } from "./cli_util.ts";
import { assertUsage, dataHash, fresh, Q } from "./faults_util.ts";

const GROUPS = { TOY_GROUPS: "1" };
const TRAININGS = ["grp-a", "grp-b", "grp-c", "grp-d"];

/** Which stages each process ran, from `data/procs.log`: pid → ids. */
function processes(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let text = "";
  try {
    text = Deno.readTextFileSync(join(dir, "data", "procs.log"));
  } catch { /* none ran */ }
  for (const line of text.trim().split("\n").filter(Boolean)) {
    const [id, pid] = line.split(" ");
    out.set(pid, [...(out.get(pid) ?? []), id]);
  }
  return out;
}

/** The bytes of each training's output. */
function weights(dir: string): Record<string, string> {
  return Object.fromEntries(TRAININGS.map((id) => {
    const [key] = entries(dir, id);
    return [
      `${id} ${key}`,
      Deno.readTextFileSync(join(dir, "data", "cache", id, key, "weights.json")),
    ];
  }));
}

Deno.test("ready trainings of one group key share processes; keys and outputs are those of training alone", async () => {
  const grouped = fresh();
  const r = await toy(grouped, ["reproduce", ...TRAININGS, "--jobs", "1", ...Q], GROUPS);
  assert.equal(r.code, 0, r.err);
  // One slot and a group size of 3 (the toy entry's): three together, then the fourth.
  const sizes = [...processes(grouped).values()].map((ids) => ids.length).sort();
  assert.deepEqual(sizes, [1, 3], JSON.stringify([...processes(grouped)]));
  assert.match(r.err, /in a group of 3/);
  const log = Deno.readTextFileSync(join(grouped, "data", "logs", "grp-b.log"));
  assert.match(log, /trained grp-b/);

  const alone = fresh();
  const a = await toy(alone, ["reproduce", ...TRAININGS, "--group-size", "1", ...Q], GROUPS);
  assert.equal(a.code, 0, a.err);
  assert.equal(processes(alone).size, 4);
  assert.deepEqual(weights(grouped), weights(alone));

  // Two free slots, four ready: two groups of two, whatever the size allows.
  const two = fresh();
  const t = await toy(two, ["reproduce", ...TRAININGS, "--jobs", "2", ...Q], GROUPS);
  assert.equal(t.code, 0, t.err);
  assert.deepEqual([...processes(two).values()].map((ids) => ids.length), [2, 2]);
  assert.deepEqual(weights(two), weights(alone));

  // Cached: nothing runs again, in groups or not.
  const again = await toy(grouped, ["reproduce", ...TRAININGS, ...Q], GROUPS);
  assert.equal(again.code, 0, again.err);
  assert.equal([...processes(grouped).values()].flat().length, 4);
});

Deno.test("a stage whose group key is null trains alone; a group that fails fails each member, and keeps nothing", async () => {
  const dir = fresh();
  const r = await toy(
    dir,
    [
      "reproduce",
      ...TRAININGS,
      "--jobs",
      "1",
      "--set",
      "grp-a.alone=true",
      "--set",
      "grp-c.fail=true",
      ...Q,
    ],
    GROUPS,
  );
  assert.equal(r.code, 1);
  assert.match(r.err, /a member was told to fail/);
  // grp-a ran alone first (longest path first is a tie: the list's order), then b, c, d failed together.
  const procs = [...processes(dir).values()];
  assert.deepEqual(procs, [["grp-a"]]);
  assert.equal(entries(dir, "grp-a").length, 1);
  for (const id of ["grp-b", "grp-c", "grp-d"]) assert.deepEqual(entries(dir, id), [], id);
  // --keep-going is off: the first failure stops the run, and each member is named as failed.
  for (const id of ["grp-b", "grp-c", "grp-d"]) assert.match(r.err, new RegExp(`${id}`));
});

Deno.test("bad --group-size: exit 2, one line, data/ untouched", async () => {
  const dir = fresh();
  const before = dataHash(dir);
  for (const bad of ["0", "x", "65", "2.5"]) {
    assertUsage(
      await toy(dir, ["reproduce", "--group-size", bad, ...Q], GROUPS),
      /^error: Cannot use --group-size \S+: expected auto or an integer from 1 to 64/,
      bad,
    );
  }
  assert.equal(dataHash(dir), before);
});

Deno.test("SIGINT stops a group: every member's lock is released, no entry kept, and the rerun trains them", async () => {
  const dir = fresh();
  const slow = TRAININGS.flatMap((id) => ["--set", `${id}.ms=2000`]);
  const child = spawnToy(dir, ["reproduce", ...TRAININGS, "--jobs", "1", ...slow, ...Q], GROUPS);
  await waitFor(() => processes(dir).size > 0);
  assert.equal(await interrupt(child), 130);
  assert.deepEqual(locks(dir), []);
  for (const id of TRAININGS) assert.deepEqual(entries(dir, id), [], id);
  // The same keys again: nothing of the stopped attempt is in the way.
  const again = await toy(dir, ["reproduce", ...TRAININGS, "--jobs", "1", ...slow, ...Q], GROUPS);
  assert.equal(again.code, 0, again.err);
  for (const id of TRAININGS) assert.equal(entries(dir, id).length, 1, id);
});
