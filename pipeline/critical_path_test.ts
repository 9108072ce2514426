import assert from "node:assert/strict";
import { criticalPathOrder } from "./critical_path.ts";
import { makespan } from "./estimate.ts";

Deno.test("criticalPathOrder() puts the longest chain first and keeps a topological order", () => {
  const stages = [
    { id: "a", seconds: 10, needs: [] },
    { id: "b", seconds: 10, needs: [] },
    { id: "data", seconds: 1, needs: [] },
    { id: "long", seconds: 100, needs: ["data"] },
    { id: "fig", seconds: 5, needs: ["long"] },
  ];
  const order = criticalPathOrder(stages).map((s) => s.id);
  assert.deepEqual(order, ["data", "long", "a", "b", "fig"]);
  // In topological order the long chain starts last on 2 workers; critical path first, at once.
  assert.equal(makespan(stages, 2), 10 + 1 + 100 + 5);
  assert.equal(makespan(criticalPathOrder(stages), 2), 1 + 100 + 5);
});

Deno.test("criticalPathOrder() keeps the given order on ties and ignores needs outside the list", () => {
  const stages = [
    { id: "x", seconds: 0, needs: ["elsewhere"] },
    { id: "y", seconds: 0, needs: ["x"] },
    { id: "z", seconds: 0, needs: [] },
  ];
  assert.deepEqual(criticalPathOrder(stages).map((s) => s.id), ["x", "y", "z"]);
});
