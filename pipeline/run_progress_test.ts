import assert from "node:assert/strict";
import { join } from "node:path";
import {
  describeProgress,
  ProgressFile,
  progressPathOf,
  type ProgressRecord,
  readProgress,
} from "./run_progress.ts";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

Deno.test("the progress file sits beside the stage's log", () => {
  assert.equal(progressPathOf("data/logs/train-ae.log"), "data/logs/train-ae.progress.json");
});

Deno.test("the progress file: written at most once per interval, the last step always, removed on close", () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "s.progress.json");
  const file = new ProgressFile(path, "k1", 1000);
  file.update({ step: 100, total: 1000 }, at(0));
  assert.equal(readProgress(path, "k1", Deno.pid)?.step, 100);
  file.update({ step: 150, total: 1000 }, new Date(at(0).getTime() + 500));
  assert.equal(readProgress(path, "k1", Deno.pid)?.step, 100, "within the interval: not written");
  file.update({ step: 300, total: 1000, values: { loss: 0.5 } }, at(2));
  const r = readProgress(path, "k1", Deno.pid)!;
  assert.deepEqual([r.step, r.first.step, r.values], [300, 100, { loss: 0.5 }]);
  file.update({ step: 1000, total: 1000 }, new Date(at(2).getTime() + 10));
  assert.equal(readProgress(path, "k1", Deno.pid)?.step, 1000, "the end is written at once");
  file.close();
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  file.close(); // twice is harmless
});

Deno.test("a progress file of another key or another process is not believed", () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "s.progress.json");
  new ProgressFile(path, "k1").update({ step: 5, total: 10 });
  assert.equal(readProgress(path, "k2", Deno.pid), null, "another key");
  assert.equal(readProgress(path, "k1", Deno.pid + 1), null, "another writer");
  Deno.writeTextFileSync(path, "{half");
  assert.equal(readProgress(path, "k1", Deno.pid), null, "unreadable");
  assert.equal(readProgress(join(dir, "none.json"), "k1", Deno.pid), null, "absent");
});

Deno.test("describeProgress: step, share, ETA from this attempt's rate, phase, an old report", () => {
  const r: ProgressRecord = {
    key: "k",
    pid: 1,
    step: 3000,
    total: 10000,
    at: at(100).toISOString(),
    // A resumed run: 1,000 steps done before this attempt, 2,000 steps in 100 s (20 per second).
    first: { step: 1000, at: at(0).toISOString() },
  };
  assert.equal(describeProgress(r, at(101)), "step 3,000 of 10,000 (30%), ETA 5m50s");
  assert.equal(
    describeProgress({ ...r, phase: "stage 2 of 3" }, at(101)),
    "stage 2 of 3: step 3,000 of 10,000 (30%), ETA 5m50s",
  );
  assert.equal(
    describeProgress(r, at(100 + 600)),
    "step 3,000 of 10,000 (30%), ETA 5m50s, last report 10m00s ago",
  );
  const { total: _, ...open } = r;
  assert.equal(describeProgress(open, at(101)), "step 3,000", "no total: no share, no ETA");
  assert.equal(
    describeProgress({ ...r, first: { step: 3000, at: r.at } }, at(101)),
    "step 3,000 of 10,000 (30%)",
    "one report: no rate yet",
  );
});
