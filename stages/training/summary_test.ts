import assert from "node:assert/strict";
import { parseLossFile } from "../../lib/train/loss_file.ts";
import { curvesMarkdown, curvesTable, summarise } from "./summary.ts";
import { AUTOENCODER_LOSS, DCGAN_LOSS, POSITION_LOSS, UNTRAINED_LOSS } from "./_fixture.ts";

Deno.test("summarise() gives first, final, ratio and counts of every minimised loss", () => {
  const rows = summarise([
    parseLossFile("train-reg-psi1-s1", AUTOENCODER_LOSS),
    parseLossFile("train-dcgan", DCGAN_LOSS),
  ]);
  assert.deepEqual(rows[0], {
    stage: "train-reg-psi1-s1",
    run: "",
    loss: "total",
    first: 8,
    final: 2,
    ratio: 0.25,
    logged: 3,
    lastStep: 100,
  });
  // The DCGAN: one row per seed and loss; terms are no rows.
  assert.deepEqual(rows.slice(1).map((r) => [r.run, r.loss, r.first, r.final, r.ratio]), [
    ["seed 1", "discriminator", 1.4, 0.7, 0.5],
    ["seed 1", "generator", 0.7, 1.4, 2],
    ["seed 2", "discriminator", 1.4, 1.4, 1],
    ["seed 2", "generator", 0.7, 1.4, 2],
  ]);
});

Deno.test("summarise() keeps a diverged run's NaN and an untrained stage's empty row", () => {
  const rows = summarise([
    parseLossFile("train-pos-dec", POSITION_LOSS),
    parseLossFile("train-reg-none-s3", UNTRAINED_LOSS),
  ]);
  assert.equal(rows[1].run, "run 1");
  assert.ok(Number.isNaN(rows[1].final) && Number.isNaN(rows[1].ratio));
  assert.deepEqual(rows[2], {
    stage: "train-reg-none-s3",
    run: "",
    loss: "total",
    first: null,
    final: null,
    ratio: null,
    logged: 0,
    lastStep: null,
  });
});

Deno.test("curvesMarkdown() writes one line per row, dashes where nothing was logged", () => {
  const md = curvesMarkdown([
    parseLossFile("train-reg-psi1-s1", AUTOENCODER_LOSS),
    parseLossFile("train-pos-dec", POSITION_LOSS),
    parseLossFile("train-reg-none-s3", UNTRAINED_LOSS),
  ]);
  const lines = md.split("\n");
  assert.equal(lines[0], "**Training losses: first and final logged value**");
  assert.equal(
    lines[2],
    "| stage | run | loss | first | final | final / first | logged steps | last step |",
  );
  assert.equal(lines[4], "| `train-reg-psi1-s1` | — | total | 8 | 2 | 0.25 | 3 | 100 |");
  assert.equal(lines[5], "| `train-pos-dec` | run 0 | total | 0.01 | 0.001 | 0.1 | 2 | 50 |");
  assert.equal(lines[6], "| `train-pos-dec` | run 1 | total | 0.02 | NaN | NaN | 2 | 50 |");
  assert.equal(lines[7], "| `train-reg-none-s3` | — | total | — | — | — | 0 | — |");
  assert.equal(curvesTable([]).rows.length, 0);
});
