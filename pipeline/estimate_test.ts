import assert from "node:assert/strict";
import { makespan } from "./estimate.ts";

Deno.test("makespan() of independent stages is the sum with one job and the longest with many", () => {
  const stages = [
    { id: "a", seconds: 3, needs: [] },
    { id: "b", seconds: 5, needs: [] },
    { id: "c", seconds: 2, needs: [] },
  ];
  assert.equal(makespan(stages, 1), 10);
  assert.equal(makespan(stages, 3), 5);
  assert.equal(makespan(stages, 2), 5); // a then c on one worker, b on the other
});

Deno.test("makespan() waits for a stage's needs, and counts unlisted needs as done", () => {
  const stages = [
    { id: "data", seconds: 1, needs: ["cached"] },
    { id: "train-1", seconds: 10, needs: ["data"] },
    { id: "train-2", seconds: 10, needs: ["data"] },
    { id: "figure", seconds: 2, needs: ["train-1", "train-2"] },
  ];
  assert.equal(makespan(stages, 1), 23);
  assert.equal(makespan(stages, 2), 13);
  assert.equal(makespan(stages, 8), 13);
});

Deno.test("makespan() lets a ready stage pass one still waiting", () => {
  // Two workers: train (0–10) beside small (0–1); other (1–5) passes figure, which waits for
  // train (10–12).
  const stages = [
    { id: "train", seconds: 10, needs: [] },
    { id: "small", seconds: 1, needs: [] },
    { id: "figure", seconds: 2, needs: ["train"] },
    { id: "other", seconds: 4, needs: [] },
  ];
  assert.equal(makespan(stages, 2), 12);
  assert.equal(makespan([], 4), 0);
});

Deno.test("makespan() rejects bad job counts and needs listed after their stage", () => {
  assert.throws(() => makespan([], 0), /Cannot estimate a run with 0 jobs/);
  assert.throws(
    () => makespan([{ id: "a", seconds: 1, needs: ["b"] }, { id: "b", seconds: 1, needs: [] }], 1),
    /Cannot estimate stage "a": it needs "b", listed after it/,
  );
});
