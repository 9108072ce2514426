import assert from "node:assert/strict";
import {
  correlationTable,
  decorrelationTable,
  type ModelSummary,
  navigationLabels,
  reconstructionTable,
} from "./summary.ts";

const s: ModelSummary = {
  d: 2,
  correlation: [[1, 0.05], [0.05, 1]],
  maxOffDiagonal: 0.05,
  attributes: [[0.9, 0.1], [0.2, NaN]],
  rankAttributes: [[0.95, 0.1], [0.2, NaN]],
  foldedAttributes: [[0.1, 0.2], [0.3, NaN]],
  codes: new Float32Array([1, 2, 3, 4]),
  mean: [0, 0],
  std: [1, 1],
  mse: 0.01,
};

Deno.test("navigationLabels() runs from −2σ to +2σ", () => {
  assert.deepEqual(navigationLabels(9), [
    "−2σ",
    "−1.5σ",
    "−1σ",
    "−0.5σ",
    "0",
    "+0.5σ",
    "+1σ",
    "+1.5σ",
    "+2σ",
  ]);
});

Deno.test("the tables hold one row per component, per model and per step", () => {
  const c = correlationTable(
    [{ model: "PCA-like", summary: s }, { model: "standard", summary: s }],
    ["a", "b"],
    "t",
  );
  assert.equal(c.rows.length, 4);
  assert.deepEqual(c.rows[1], ["PCA-like", "z2", 0.2, "n/a"]);
  const d = decorrelationTable([{ model: "PCA-like", summary: s }], "t");
  assert.deepEqual(d.columns, ["model", "corr(z1, z2)", "max |off-diagonal|"]);
  assert.deepEqual(d.rows[0], ["PCA-like", 0.05, 0.05]);
  assert.deepEqual(reconstructionTable([{ model: "m", d: 2, mse: 0.5 }], "t").rows, [[
    "m",
    2,
    0.5,
  ]]);
});
