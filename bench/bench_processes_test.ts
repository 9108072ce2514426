import assert from "node:assert/strict";
import { parseBenchArgs } from "./bench.ts";
import { childArgs, formatProcessesRow, runProcesses } from "./bench_processes.ts";

Deno.test("childArgs() gives back the options, with the barrier and the output", () => {
  const opts = parseBenchArgs(["--batch=16", "--stock", "--block=3", "--threads=2", "--seed=9"])!;
  const back = parseBenchArgs(childArgs(opts, "/tmp/b", "/tmp/o.json"));
  assert.deepEqual(back, { ...opts, barrier: "/tmp/b", out: "/tmp/o.json" });
});

Deno.test("formatProcessesRow() gives the summed rate, trainings per hour and speed-up", () => {
  const line = formatProcessesRow({
    processes: 4,
    medianMs: [10, 12.5],
    stepsPerSecond: 100,
    trainingsPerHour: 36,
    speedup: 3.5,
  });
  assert.match(
    line,
    /4 at once: +100\.00 steps\/s in all \(36\.0 paper trainings per hour\), 3\.50×/,
  );
  assert.match(line, /10\.0, 12\.5$/);
});

Deno.test({
  name: "runProcesses() times 1 and 2 bench processes released together on cpu",
  sanitizeResources: false,
  async fn() {
    const opts = parseBenchArgs(["--batch=2", "--repeats=3", "--warmup=1", "--threads=1"])!;
    const lines: string[] = [];
    const r = await runProcesses(
      opts,
      [1, 2],
      new URL("./bench.ts", import.meta.url).href,
      (l) => lines.push(l),
    );
    assert.equal(r.backend, "cpu");
    assert.equal(r.batch, 2);
    assert.deepEqual(r.rows.map((row) => row.medianMs.length), [1, 2]);
    assert.equal(r.rows[0].speedup, 1);
    for (const row of r.rows) {
      assert.ok(row.stepsPerSecond > 0 && Number.isFinite(row.stepsPerSecond));
      assert.ok(Math.abs(row.trainingsPerHour - row.stepsPerSecond * 0.36) < 1e-9);
    }
    assert.equal(lines.length, 2);
  },
});

Deno.test("runProcesses() names the process that failed, with its error", async () => {
  // A seed the bench rejects makes every process exit before the barrier.
  const opts = { ...parseBenchArgs(["--batch=2"])!, seed: -1 };
  await assert.rejects(
    () => runProcesses(opts, [1], new URL("./bench.ts", import.meta.url).href),
    /Cannot run 1 bench processes: process 1 exited with code 2:\n.*Cannot parse --seed "-1"/s,
  );
});
