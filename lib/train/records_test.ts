import assert from "node:assert/strict";
import { trainingRecords } from "./records.ts";

Deno.test("trainingRecords(): totals over runs, ms per update, and where each run resumed", () => {
  assert.deepEqual(
    trainingRecords([
      { seconds: 2, stepsRun: 100, resumedFrom: null },
      { seconds: 1, stepsRun: 50, resumedFrom: 50 },
    ]),
    { train_seconds: 3, ms_per_step: 20, steps_run: 150, resumed_from: [null, 50] },
  );
  assert.deepEqual(trainingRecords([]), {
    train_seconds: 0,
    ms_per_step: null,
    steps_run: 0,
    resumed_from: [],
  });
});
