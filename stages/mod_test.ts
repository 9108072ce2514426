import assert from "node:assert/strict";
import { buildGraph } from "../pipeline/graph.ts";
import { CATALOGUE } from "../paper/catalogue.ts";
import { stages } from "./mod.ts";

Deno.test("stages registry forms a valid DAG ending with the report", () => {
  const graph = buildGraph(stages);
  assert.equal(graph.order.at(-1)?.id, "report");
});

Deno.test("stages registry: every stage that writes checks feeds the report, and is a catalogue item's stage or helper", () => {
  const report = stages.find((s) => s.id === "report")!;
  const ids = new Set(stages.map((s) => s.id));
  const items = new Set(CATALOGUE.flatMap((c) => [c.stage, ...c.helpers]));
  for (const s of stages) {
    if (!s.outputs.includes("checks.json")) continue;
    assert.ok(s.id in report.inputs, `${s.id} is not read by the report`);
    assert.ok(items.has(s.id), `${s.id} writes checks but is no catalogue item's stage or helper`);
  }
  for (const c of CATALOGUE) {
    for (const h of c.helpers) assert.ok(ids.has(h), `${c.id}'s helper ${h} is no stage`);
  }
});

Deno.test("stages registry: training-curves reads every training stage's loss, and the report reads it", () => {
  const ids = stages.map((s) => s.id);
  const curves = stages.find((s) => s.id === "training-curves")!;
  assert.ok(curves, "no training-curves stage");
  assert.equal(ids.indexOf("training-curves"), ids.length - 2, "it comes right before the report");
  const training = stages.filter((s) => s.training === true);
  // Marked, not guessed; the mark agrees with what the stages write.
  assert.deepEqual(
    training.map((s) => s.id),
    stages.filter((s) => s.outputs.includes("loss.json") && !s.outputs.includes("loss.png"))
      .map((s) => s.id),
  );
  for (const s of training) assert.ok(s.compute, `${s.id} trains without compute`);
  assert.ok(training.length > 40, `only ${training.length} training stages`);
  assert.deepEqual(
    curves.inputs,
    Object.fromEntries(training.map((s) => [s.id, `${s.id}:loss.json`])),
  );
  // dcgan's loss.json is the data of its figure loss.png, not a loss curve.
  assert.equal("dcgan" in curves.inputs, false);
  const report = stages.find((s) => s.id === "report")!;
  assert.equal(report.inputs["training-curves"], "training-curves:curves.md");
});
