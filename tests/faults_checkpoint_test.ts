/**
 * Fault injection into the checkpoints of an interrupted toy training: a flipped byte or a
 * truncated file is set aside, said in the stage's log, and the training restarts from scratch
 * to the same result; `--force` clears the checkpoints.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnToy, toy, waitFor } from "./cli_util.ts";
import { copies, flipByte, fresh, Q } from "./faults_util.ts";

const ARGS = ["reproduce", "trainer", "--set", "trainer.steps=8", "--set", "trainer.ms=150", ...Q];
/** The toy entry adds its training on request. */
const TRAINER = { TOY_TRAINER: "1" };

/** The newest checkpoint of the trainer in `dir`, or null. */
function newest(dir: string): string | null {
  const scratch = join(dir, "data", "scratch", "trainer");
  try {
    for (const k of Deno.readDirSync(scratch)) {
      const names = [...Deno.readDirSync(join(scratch, k.name, "checkpoints"))]
        .map((e) => e.name).filter((n) => /^ckpt-\d{9}$/.test(n)).sort();
      if (names.length) return join(scratch, k.name, "checkpoints", names.at(-1)!);
    }
  } catch { /* not yet */ }
  return null;
}

/** Whether a worker of the project in `dir` still runs (Linux: read from /proc). */
function workerRuns(dir: string): boolean {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (cmd.includes("__stage") && cmd.includes(dir)) return true;
    } catch { /* gone */ }
  }
  return false;
}

/** A project whose training was killed after its second checkpoint. */
async function interrupted(): Promise<string> {
  const dir = fresh();
  const child = spawnToy(dir, ARGS, TRAINER);
  // Step 2 or later: polling on a loaded machine may miss the moment step 2 is the newest.
  await waitFor(() => Number(/ckpt-(\d{9})$/.exec(newest(dir) ?? "")?.[1] ?? 0) >= 2);
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  await waitFor(() => !workerRuns(dir), 5000);
  return dir;
}

function trainerLog(dir: string): string {
  return Deno.readTextFileSync(join(dir, "data", "logs", "trainer.log"));
}

function weight(dir: string): number {
  const stage = join(dir, "data", "cache", "trainer");
  const key = [...Deno.readDirSync(stage)].find((e) => e.isDirectory)!.name;
  return JSON.parse(Deno.readTextFileSync(join(stage, key, "weight.json"))).w;
}

Deno.test("a damaged checkpoint is set aside and said; the training restarts from scratch", async () => {
  const [sound, flipped, truncated, forced] = copies(await interrupted(), 4);
  flipByte(join(newest(flipped)!, "weights.bin"), 2);
  Deno.truncateSync(join(newest(truncated)!, "optimizer.bin"), 3);
  const runsOf = await Promise.all(
    [sound, flipped, truncated].map((d) => toy(d, ARGS, TRAINER)).concat(
      toy(forced, [...ARGS, "--force"], TRAINER),
    ),
  );
  for (const r of runsOf) assert.equal(r.code, 0, r.err);
  // Said on the terminal too, without --verbose.
  for (const r of runsOf.slice(1, 3)) {
    assert.match(r.err, /! trainer: checkpoint ckpt-\d{9} is damaged .*from scratch/);
  }
  // Untouched, it resumes where it stopped.
  assert.match(trainerLog(sound), /resumed from checkpoint at step \d/);
  for (
    const [dir, re] of [[flipped, /weights\.bin differs from its checksum/], [
      truncated,
      /optimizer\.bin has 3 bytes, not \d+/,
    ]] as const
  ) {
    const log = trainerLog(dir);
    assert.match(log, /checkpoint ckpt-\d{9} is damaged \(/);
    assert.match(log, re);
    assert.match(log, /set aside as damaged-ckpt-\d{9}-\d+; training starts from scratch/);
    assert.match(log, /started from scratch/);
  }
  // --force starts afresh: the checkpoints are cleared, not resumed.
  assert.match(trainerLog(forced), /started from scratch/);
  assert.doesNotMatch(trainerLog(forced), /resumed|damaged/);
  // Every way ends with the same weight, and leaves no scratch behind.
  for (const d of [sound, flipped, truncated, forced]) {
    assert.equal(weight(d), 8);
    assert.equal(newest(d), null);
  }
});
