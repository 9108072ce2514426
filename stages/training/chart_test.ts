import assert from "node:assert/strict";
import { lossFileText, parseLossFile, termRunLoss } from "../../lib/train/loss_file.ts";
import { curvesChart, logValues, stageSeries, undrawnStages } from "./chart.ts";
import {
  AUTOENCODER_LOSS,
  DCGAN_LOSS,
  PCA_LOSS,
  PLAIN_LOSS,
  POSITION_LOSS,
  UNTRAINED_LOSS,
} from "./_fixture.ts";

const lines = (stage: string, json: unknown) =>
  stageSeries(parseLossFile(stage, json)).map((s) => [s.panel, s.name]);

Deno.test("stageSeries(): one model draws its terms, then its total over them", () => {
  assert.deepEqual(lines("train-reg-psi1-s1", AUTOENCODER_LOSS), [
    ["train-reg-psi1-s1", "data term"],
    ["train-reg-psi1-s1", "regulariser term"],
    ["train-reg-psi1-s1", "total loss"],
  ]);
  assert.deepEqual(lines("train-pcaae-ellipses-2", PCA_LOSS).map(([, n]) => n), [
    "data term",
    "regulariser term",
    "total loss",
  ]);
  // The data term of a stage without regulariser is the total itself: not drawn twice.
  assert.deepEqual(lines("train-ae", PLAIN_LOSS), [["train-ae", "total loss"]]);
});

Deno.test("stageSeries(): runs share a panel, DCGAN seeds get one each", () => {
  assert.deepEqual(lines("train-pos-dec", POSITION_LOSS), [
    ["train-pos-dec", "run 0"],
    ["train-pos-dec", "run 1"],
  ]);
  assert.deepEqual(lines("train-dcgan", DCGAN_LOSS), [
    ["train-dcgan · seed 1", "discriminator loss"],
    ["train-dcgan · seed 1", "generator loss"],
    ["train-dcgan · seed 2", "discriminator loss"],
    ["train-dcgan · seed 2", "generator loss"],
  ]);
  // Two regularisers in one stage keep their names apart (a panel joins lines of one name).
  const two = JSON.parse(lossFileText([
    termRunLoss("", 1, [{ step: 1, loss: 3, terms: { data: 1, weightDecay: 1, denoising: 1 } }]),
  ]));
  assert.deepEqual(lines("train-x", two).map(([, n]) => n), [
    "data term",
    "regulariser term: weightDecay",
    "regulariser term: denoising",
    "total loss",
  ]);
});

Deno.test("logValues() leaves gaps where a log axis has no place", () => {
  const v = logValues([1, 0, -1, NaN, Infinity, 1e-9]);
  assert.deepEqual(v.map((x) => Number.isNaN(x) ? "gap" : x), [
    1,
    "gap",
    "gap",
    "gap",
    "gap",
    1e-9,
  ]);
});

Deno.test("curvesChart(): log y, own scales per panel, untrained stages counted, not drawn", () => {
  const losses = [
    parseLossFile("train-ae", PLAIN_LOSS),
    parseLossFile("train-reg-none-s3", UNTRAINED_LOSS),
    parseLossFile("train-reg-none-s4", UNTRAINED_LOSS),
  ];
  assert.deepEqual(undrawnStages(losses), ["train-reg-none-s3", "train-reg-none-s4"]);
  const chart = curvesChart(losses);
  assert.equal(chart.y.type, "log");
  assert.equal(chart.independent, "xy");
  assert.deepEqual(chart.series.map((s) => s.panel), ["train-ae"]);
  assert.match(chart.subtitle!, /^1 stage, /);
  assert.match(
    chart.subtitle!,
    /left out, nothing to draw \(no update, or no finite loss\): 2 stages, see curves.md$/,
  );
  assert.doesNotMatch(curvesChart(losses.slice(0, 1)).subtitle!, /left out/);
});
