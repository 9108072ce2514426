import assert from "node:assert/strict";
import { buildGraph } from "../pipeline/graph.ts";
import { CATALOGUE } from "../paper/catalogue.ts";
import { stages } from "./mod.ts";

Deno.test("stages registry forms a valid DAG ending with the report", () => {
  const graph = buildGraph(stages);
  assert.equal(graph.order.at(-1)?.id, "report");
});

Deno.test("stages registry: every stage that writes checks feeds the report, and names a catalogue item", () => {
  const report = stages.find((s) => s.id === "report")!;
  const items = new Set(CATALOGUE.map((c) => c.stage));
  for (const s of stages) {
    if (!s.outputs.includes("checks.json")) continue;
    assert.ok(s.id in report.inputs, `${s.id} is not read by the report`);
    assert.ok(items.has(s.id), `${s.id} writes checks but is no catalogue item's stage`);
  }
});
