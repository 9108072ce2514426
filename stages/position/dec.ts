/**
 * Stages `dec` (P-Fig 10, S39) and `dec-onehot` (P§5.4, S39): the position decoder of P§5.4
 * (1-D, depths 1 → 2 → 4 → 4 → 4 → 8 → 1, n = 64, filter size 3, biases, leaky ReLU), trained
 * on triangular Diracs at positions sampled continuously (`train-pos-dec`), or on one-hot
 * Diracs at the 64 integer positions only (`train-pos-dec-onehot`), decoded on a fine grid of
 * positions a ∈ [0, 63] (z = the code of a).
 *
 * Check (catalogue): argmax_t D(z)(t) within 1 sample of a, over the whole range. For
 * `dec-onehot` the paper expects interpolation between the known positions to be unstable:
 * its error is reported and set against `dec`'s.
 *
 * S39's two-sample Dirac (Eq. 13) is the triangular Dirac of P Eq. 19 sampled at integer t
 * (`diracs.ts`): `dec` measures the two on its training positions; identical data give the
 * identical model, so that variant's metric is `dec`'s.
 *
 * @module
 */
import { type Check, check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { readNpy, stableJson } from "../../lib/ml/npy.ts";
import { type CodeScale, dirac, gridPositions } from "./diracs.ts";
import {
  type DecodedRun,
  decodeRuns,
  PEAK_TOLERANCE,
  renderDecoderFigures,
  SEED_MAJORITY,
  splitIntegerErrors,
} from "./decoding.ts";
import type { PositionRuns } from "./train_position.ts";

const FIGURE_OUTPUTS = ["figure", "curves", "peaks"].flatMap((
  b,
) => [`${b}.svg`, `${b}.png`, `${b}.json`]);

const TEST_COUNT = {
  type: "integer",
  default: 631,
  min: 2,
  doc: "test positions on a regular grid over [0, n − 1] (631: a step of 0.1 sample)",
} as const;

type DatasetMeta = { params: { n: number; codeScale: CodeScale; kind: string } };

async function readMeta(path: string): Promise<DatasetMeta> {
  return JSON.parse(await Deno.readTextFile(path)) as DatasetMeta;
}

function summary(r: DecodedRun, positions: readonly number[]) {
  const { errors: e } = r;
  return {
    index: r.index,
    seed: r.seed,
    finalLoss: r.finalLoss,
    maxError: e.maxError,
    worstPosition: e.worstPosition,
    meanError: e.meanError,
    fractionWithin: e.fractionWithin,
    ...splitIntegerErrors(positions, e.errors),
    shapeRmsAtIntegers: r.shape.atIntegers,
    shapeRmsBetween: r.shape.between,
  };
}

/** Stage `dec`. */
export const decStage = defineStage({
  id: "dec",
  description:
    "Decoding a position into a Dirac: decoder trained on triangular Diracs at continuous a (P-Fig 10, S39)",
  module: import.meta.url,
  params: { testCount: TEST_COUNT },
  inputs: {
    runs: "train-pos-dec:runs.json",
    dataset: "data-pos-triangular:dataset.json",
    trainPositions: "data-pos-triangular:positions.npy",
  },
  outputs: [...FIGURE_OUTPUTS, "metrics.json", "checks.json"],
  compute: true,
  estimate: () => 6,
  async run(ctx) {
    const meta = await readMeta(ctx.inputs.dataset);
    const { n, codeScale } = meta.params;
    const runs = JSON.parse(await Deno.readTextFile(ctx.inputs.runs)) as PositionRuns;
    const positions = Array.from(gridPositions(ctx.params.testCount, 0, n - 1));
    const decoded = await decodeRuns(runs, positions, n, codeScale);
    const main = decoded[0];
    ctx.log(`run 0: max peak error ${main.errors.maxError} at a = ${main.errors.worstPosition}`);

    // S39's Eq. 13 against P Eq. 19 on every training position.
    const train = (await readNpy(ctx.inputs.trainPositions)).data;
    let s39Difference = 0;
    for (const a of train) {
      const u = dirac("two-sample", n, a), v = dirac("triangular", n, a);
      for (let t = 0; t < n; t++) s39Difference = Math.max(s39Difference, Math.abs(u[t] - v[t]));
    }

    await renderDecoderFigures({
      trainedOn: "triangular Diracs, continuous a",
      short: "triangular Diracs",
      n,
      scale: codeScale,
      positions,
      runs: decoded,
      outPath: (b) => ctx.outPath(b),
    });
    const metrics = {
      n,
      codeScale,
      trainingKind: meta.params.kind,
      tolerance: PEAK_TOLERANCE,
      positions,
      peaks: main.errors.peaks,
      errors: main.errors.errors,
      errorsPerRun: decoded.map((r) => r.errors.errors),
      runs: decoded.map((r) => summary(r, positions)),
      s39TwoSampleMaxDifference: s39Difference,
    };
    await Deno.writeTextFile(ctx.outPath("metrics.json"), stableJson(metrics) + "\n");

    const within = decoded.filter((r) => r.errors.maxError <= PEAK_TOLERANCE).length;
    // The decision is on the share of seeds, not on run 0: P§5.4 shows "that it is also
    // possible to perform this inverse operation" with one decoder; a reproduction must find it
    // what training usually gives, so a majority of seeds must decode every position. Run 0's
    // largest error, which decided before, stays as a reported row.
    const checks: Check[] = [
      check(
        "dec",
        `fraction of runs (seeds) with every peak within ${PEAK_TOLERANCE} sample (a majority: P§5.4, decoding is possible)`,
        within / decoded.length,
        ">",
        SEED_MAJORITY,
        { runs: decoded.map((r) => summary(r, positions)) },
      ),
      check(
        "dec",
        `run 0: largest |argmax_t D(z)(t) − a| over ${positions.length} positions a ∈ [0, ${
          n - 1
        }] (samples; bar ${PEAK_TOLERANCE}, decided before the seeds' share was)`,
        main.errors.maxError,
        "report",
        null,
        {
          worstPosition: main.errors.worstPosition,
          meanError: main.errors.meanError,
          seed: main.seed,
          finalLoss: main.finalLoss,
        },
      ),
      check(
        "dec",
        `run 0: fraction of the ${positions.length} test positions whose peak is within ${PEAK_TOLERANCE} sample`,
        main.errors.fractionWithin,
        "report",
        null,
      ),
      check(
        "dec",
        "run 0: RMS distance of the normalised D(z) to the normalised y_a at positions between integers",
        main.shape.between,
        "report",
        null,
        { atIntegers: main.shape.atIntegers },
      ),
      check(
        "dec",
        "S39 variant: largest |two-sample Dirac (S39 Eq. 13) − triangular Dirac (P Eq. 19)| over the training set; 0 means the same data, model and errors",
        s39Difference,
        "report",
        null,
        { trainingSignals: train.length },
      ),
    ];
    await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
  },
});

/** Stage `dec-onehot`. */
export const decOnehotStage = defineStage({
  id: "dec-onehot",
  description: "The same decoder trained on one-hot Diracs at integer positions only (P§5.4, S39)",
  module: import.meta.url,
  params: { testCount: TEST_COUNT },
  inputs: {
    runs: "train-pos-dec-onehot:runs.json",
    dataset: "data-pos-onehot:dataset.json",
    dec: "dec:metrics.json",
  },
  outputs: [...FIGURE_OUTPUTS, "metrics.json", "checks.json"],
  compute: true,
  estimate: () => 6,
  async run(ctx) {
    const meta = await readMeta(ctx.inputs.dataset);
    const { n, codeScale } = meta.params;
    const runs = JSON.parse(await Deno.readTextFile(ctx.inputs.runs)) as PositionRuns;
    const dec = JSON.parse(await Deno.readTextFile(ctx.inputs.dec)) as {
      positions: number[];
      errors: number[];
      errorsPerRun: number[][];
      runs: ReturnType<typeof summary>[];
    };
    const positions = Array.from(gridPositions(ctx.params.testCount, 0, n - 1));
    const decoded = await decodeRuns(runs, positions, n, codeScale);
    const main = decoded[0];
    const split = splitIntegerErrors(positions, main.errors.errors);
    ctx.log(`run 0: max peak error ${main.errors.maxError} at a = ${main.errors.worstPosition}`);

    await renderDecoderFigures({
      trainedOn: "one-hot Diracs, integer a only",
      short: "one-hot Diracs",
      n,
      scale: codeScale,
      positions,
      runs: decoded,
      compare: {
        name: "triangular Diracs, continuous a (dec)",
        positions: dec.positions,
        errors: dec.errorsPerRun,
      },
      outPath: (b) => ctx.outPath(b),
    });
    const metrics = {
      n,
      codeScale,
      trainingKind: meta.params.kind,
      tolerance: PEAK_TOLERANCE,
      positions,
      peaks: main.errors.peaks,
      errors: main.errors.errors,
      errorsPerRun: decoded.map((r) => r.errors.errors),
      ...split,
      runs: decoded.map((r) => summary(r, positions)),
    };
    await Deno.writeTextFile(ctx.outPath("metrics.json"), stableJson(metrics) + "\n");

    const decMain = dec.runs[0];
    const checks: Check[] = [
      check(
        "dec-onehot",
        `run 0: largest |argmax_t D(z)(t) − a| over ${positions.length} positions a ∈ [0, ${
          n - 1
        }] (samples)`,
        main.errors.maxError,
        "report",
        null,
        {
          worstPosition: main.errors.worstPosition,
          meanError: main.errors.meanError,
          ...split,
          seed: main.seed,
          finalLoss: main.finalLoss,
        },
      ),
      check(
        "dec-onehot",
        `run 0: fraction of the ${positions.length} test positions whose peak is within ${PEAK_TOLERANCE} sample`,
        main.errors.fractionWithin,
        "report",
        null,
        { decFractionWithin: decMain.fractionWithin },
      ),
      check(
        "dec-onehot",
        "largest peak error of run 0 trained on one-hot Diracs, against the bar: the same for triangular Diracs (dec, run 0); expected clearly worse",
        main.errors.maxError,
        ">",
        decMain.maxError,
        {
          meanError: main.errors.meanError,
          decMeanError: decMain.meanError,
          maxErrorPerRun: decoded.map((r) => r.errors.maxError),
          decMaxErrorPerRun: dec.runs.map((r) => r.maxError),
        },
      ),
      check(
        "dec-onehot",
        "run 0: RMS distance of the normalised D(z) to the normalised y_a at positions between integers (dec's in details)",
        main.shape.between,
        "report",
        null,
        {
          atIntegers: main.shape.atIntegers,
          decBetween: decMain.shapeRmsBetween,
          decAtIntegers: decMain.shapeRmsAtIntegers,
        },
      ),
      check(
        "dec-onehot",
        "mean peak error over the test positions, run 0 (dec's mean error in details)",
        main.errors.meanError,
        "report",
        null,
        { decMeanError: decMain.meanError, runs: decoded.map((r) => summary(r, positions)) },
      ),
    ];
    await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
  },
});
