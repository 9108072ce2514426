import assert from "node:assert/strict";
import { buildGraph } from "../pipeline/graph.ts";
import { checkParamDefs, coveredByCode, resolveParams } from "../pipeline/params.ts";
import { stageConfig, type TrainStageParams } from "../lib/ml/train_stage.ts";
import { describeArchitecture, diskAutoencoderConfig, latentSize } from "../lib/ml/model.ts";
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

Deno.test("the code profile: the disk data and every disk-AE training take the authors' code's settings, and its architecture builds on the code's images", () => {
  const byId = new Map(stages.map((s) => [s.id, s]));
  for (const s of stages) checkParamDefs(s.id, s.params);
  const covered = stages.filter(coveredByCode).map((s) => s.id);
  for (
    const id of [
      "data-uniform",
      "data-limited",
      "data-hole",
      "data-test",
      "train-ae",
      "train-limited",
      "train-reg-psi3-s5",
      "train-lambda-100",
    ]
  ) {
    assert.ok(covered.includes(id), `${id} is not covered by the code profile`);
  }
  // The position networks, the PCA-like AE and the DCGAN are not in the authors' disk code.
  for (const id of covered) {
    assert.match(
      id,
      /^(data-(uniform|limited|hole|test)|train-(ae|nobias|limited|limited-nobias|reg-.*|lambda-.*))$/,
    );
  }
  const size = resolveParams(byId.get("data-hole")!, "code", []).size as number;
  assert.equal(size, 63);
  assert.equal(
    resolveParams(byId.get("data-limited")!, "code", []).radiusMax,
    18,
    "R stays the paper's",
  );
  for (const id of covered.filter((i) => i.startsWith("train-"))) {
    const p = resolveParams(byId.get(id)!, "code", []) as unknown as TrainStageParams;
    const config = stageConfig(diskAutoencoderConfig(), p, [size, size, 1]);
    assert.equal(latentSize(config), 1, id);
    assert.deepEqual(describeArchitecture(config).at(-1)?.outShape, [63, 63, 1], id);
    assert.equal(p.batchSize, 64, id);
  }
});
