/**
 * Stage `limited` (P-Fig 5): the autoencoder (with biases) trained only on radii r ≤ R = 18
 * (`data-limited`, R read from its `dataset.json`) does not extrapolate. P§4.3: "the
 * autoencoder seems to project these disks onto smaller, observed, disks"; P-Fig 5's caption:
 * it "is not able to extrapolate further than the largest observed radius". Over the test radii
 * in (R, 30] (above 30 the disk touches the border), two deciding checks:
 * - the radius of the best-matching clean disk (argmin over r′ of ‖y − x_r′‖, exact blurred
 *   disks on a 0.05 px grid, `best_match_radius.ts`) stays ≤ R + 1: the output is a disk no
 *   larger than the observed ones;
 * - r̂ stops growing: the least-squares slope of r̂ (the bright component holding the centre,
 *   `radius_estimate.ts`) against r over the test radii beyond R + 1 is at most 0.2 (1 would
 *   be extrapolation, 0 a radius that stopped; see the `maxSlope` parameter for the bar).
 * The radius giving the worst value of each is reported with it. The former deciding check,
 * the largest r̂ counting every bright pixel over all test radii above R (bar R + 1), stays as
 * a reported row.
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { reconstructBatched } from "../../lib/ml/analysis.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { COLOR } from "../../lib/figures/theme.ts";
import { cleanDiskBank } from "./best_match_radius.ts";
import { limitedMeasures } from "./limited_measures.ts";
import { imageAt } from "./profiles.ts";
import { radiusFromArea } from "./radius_estimate.ts";
import {
  RADIUS_RANGE_PARAM,
  radiusRange,
  sig,
  TEST_INPUTS,
  weightInputs,
  writeChecks,
} from "./stage_util.ts";
import { indicesInRange, loadTrainedModel, nearestIndex, readDatasetLaw } from "./test_set.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";

/** P§4.3 on P-Fig 5, the sentence the best-matching disk tests. */
const PROJECT_QUOTE =
  "“the autoencoder seems to project these disks onto smaller, observed, disks”";

/** P-Fig 5's caption, the sentence the slope tests. */
const EXTRAPOLATE_QUOTE = "“not able to extrapolate further than the largest observed radius”";

/** Stage `limited`. */
export const limitedStage = defineStage({
  id: "limited",
  description:
    "trained on r ≤ R = 18 only: larger disks are projected onto disks no larger than R + 1, whose radius stops growing (P-Fig 5)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    margin: {
      type: "number",
      default: 1,
      min: 0,
      doc:
        "bar: the best-matching clean disk of every output for test radii in (R, hi] has radius ≤ R + margin (spec: R + 1); the slope is fitted beyond R + margin",
    },
    maxSlope: {
      type: "number",
      default: 0.2,
      doc:
        "bar: slope of the central r̂ against r over test radii in (R + margin, hi] at most this. 0 = the radius stopped growing, 1 = it follows the input (extrapolation); 0.2, one fifth of the way, lets r̂ grow by 2.2 px over the 11 px from 19 to 30 (about the 1 px margin on either side of R), while even half-way extrapolation (0.5) would add 5.5 px",
    },
    matchStep: {
      type: "number",
      default: 0.05,
      min: 0.001,
      doc:
        "spacing (px) of the grid of clean disks the best match is searched on, from 0 to m/2: 20 times finer than the 1 px margin",
    },
    maxSeenError: {
      type: "number",
      default: 1,
      min: 0,
      doc:
        "bar: mean |r̂ − r| over the seen test radii at most this many pixels. P-Fig 5's claim is about a network that reconstructs what it saw (its three green-bordered disks), so a network that reconstructs nothing must not pass the extrapolation rows; 1 px, the margin of those rows (the paper-profile model: 0.06)",
    },
    threshold: { type: "number", default: 0.5, doc: "grey level of the area giving r̂ = √(area/π)" },
    showRadii: {
      type: "number[]",
      default: [6, 12, 17, 21, 25, 29],
      doc: "radii shown: three seen in training (≤ R), three not, as P-Fig 5",
    },
  },
  inputs: {
    ...weightInputs("train-limited"),
    ...TEST_INPUTS,
    testSet: "data-test:dataset.json",
    trainingSet: "data-limited:dataset.json",
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "radius.svg",
    "radius.png",
    "radius.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 10,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
    const R = (await readDatasetLaw(ctx.inputs.trainingSet)).max;
    const testLaw = await readDatasetLaw(ctx.inputs.testSet);
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size;
    const model = await loadTrainedModel(ctx.inputs.weights, ctx.inputs.bin);
    let outputs: Float32Array;
    try {
      outputs = await reconstructBatched(model, set.images);
    } finally {
      model.dispose();
    }
    // The clean disks are drawn in the test set's own geometry (size, σ, centre), so that a
    // perfect reconstruction matches its input's radius exactly.
    const bank = cleanDiskBank(
      { size: m, sigma: testLaw.sigma, centre: testLaw.centre },
      m / 2,
      p.matchStep,
    );
    const fitted = Array.from(set.radii).filter((r) => r > R + p.margin && r <= hi).length;
    if (fitted < 2) {
      throw new Error(
        `Cannot run stage "limited": ${fitted} test radii in (R + ${p.margin}, ${hi}] with R = ${R}, need 2 to fit the growth of r̂; widen --set limited.radiusRange or lower data-limited's R`,
      );
    }
    const ms = limitedMeasures(outputs, set.radii, m, {
      R,
      hi,
      margin: p.margin,
      threshold: p.threshold,
      bank,
    });
    const { rHat, rCentral, matched, beyond, worstMatch, worstCentral, largestAll } = ms;
    const rInput = Array.from(
      set.radii,
      (_, i) => radiusFromArea(imageAt(set.images, i, m), p.threshold),
    );
    const seen = indicesInRange(set.radii, lo, R);
    const seenError = seen.reduce((s, i) => s + Math.abs(rHat[i] - set.radii[i]), 0) / seen.length;

    const shown = p.showRadii.map((r) => nearestIndex(set.radii, r));
    const border = (i: number) => (set.radii[i] <= R ? COLOR.seen : COLOR.unseen);
    await renderImageGrid({
      title: `Autoencoding disks with training radii limited to r ≤ R = ${R}`,
      rowLabels: ["input", "output"],
      cells: [
        shown.map((i) => ({
          image: { width: m, height: m, data: imageAt(set.images, i, m) },
          caption: `r = ${set.radii[i].toFixed(1)}`,
          border: border(i),
        })),
        shown.map((i) => ({
          image: { width: m, height: m, data: imageAt(outputs, i, m) },
          caption: `r̂ = ${rHat[i].toFixed(1)}`,
          border: border(i),
        })),
      ],
      legend: [
        { color: COLOR.seen, label: "radius seen in training" },
        { color: COLOR.unseen, label: "radius not seen" },
      ],
    }, ctx.outPath("figure"));
    const r = Array.from(set.radii);
    await renderLineChart({
      title: `Radius of the reconstruction, training radii r ≤ R = ${R}`,
      subtitle: `test radii in (R, ${hi}]: best-matching clean disk ≤ ${
        sig(matched[worstMatch], 4)
      } (bar R + ${p.margin}); slope of the central r̂ beyond R + ${p.margin}: ${
        sig(ms.slope, 3)
      } (bar ${p.maxSlope})`,
      x: { title: "radius r of the test disk (pixels)", domain: [0, set.radii[set.count - 1]] },
      y: { title: "radius of the output (pixels)" },
      series: [
        {
          name: "best-matching clean disk (r > R)",
          x: beyond.map((i) => set.radii[i]),
          y: beyond.map((i) => matched[i]),
        },
        { name: "r̂, central component", x: r, y: rCentral, dash: "dashed" },
        { name: "r̂, every pixel above 1/2", x: r, y: rHat, dash: "dotted" },
        {
          name: "input (r̂ of the test disk)",
          x: r,
          y: rInput,
          dash: "dotted",
          color: "#555555",
        },
      ],
      bands: [{ from: R, to: set.radii[set.count - 1], label: "not seen in training" }],
      rules: [
        { y: R + p.margin, label: `R + ${p.margin}`, labelAt: "start" },
        { x: hi, label: `checks stop at ${hi}`, labelAt: "start" },
      ],
      width: 560,
      legend: "bottom",
    }, ctx.outPath("radius"));
    const at = (i: number) => set.radii[i];
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "limited",
        `largest radius of the best-matching clean disk (argmin over r′ of ‖y − x_r′‖, exact blurred disks every ${p.matchStep} px) of the outputs for test radii r in (R, ${hi}] = (${R}, ${hi}] (P§4.3: ${PROJECT_QUOTE})`,
        matched[worstMatch],
        "<=",
        R + p.margin,
        {
          R,
          at: at(worstMatch),
          centralRHatAt: rCentral[worstMatch],
          testRadii: beyond.length,
        },
      ),
      check(
        "limited",
        `slope of the central r̂ against r over test radii in (R + ${p.margin}, ${hi}] (P-Fig 5: ${EXTRAPOLATE_QUOTE}; 0 = stops growing, 1 = extrapolates; the bar lets r̂ grow by at most ${
          sig(p.maxSlope * (hi - R - p.margin), 2)
        } px over (R + ${p.margin}, ${hi}])`,
        ms.slope,
        "<=",
        p.maxSlope,
        {
          testRadii: ms.fitted.length,
          slopeEveryPixel: ms.slopeEveryPixel,
          largestCentralRHat: rCentral[worstCentral],
          at: at(worstCentral),
        },
      ),
      check(
        "limited",
        `largest central r̂ over test radii in (R, ${hi}] (the bright component holding the centre: stray blobs left out)`,
        rCentral[worstCentral],
        "report",
        null,
        { at: at(worstCentral), bar: R + p.margin },
      ),
      check(
        "limited",
        `former deciding row, kept as reported: largest r̂ counting every pixel above ${p.threshold} over all test radii r > R = ${R} (its bar was ≤ R + ${p.margin})`,
        largestAll >= 0 ? rHat[largestAll] : null,
        "report",
        null,
        {
          formerBar: R + p.margin,
          at: largestAll >= 0 ? at(largestAll) : null,
          rHatAtLargestTestRadius: rHat[set.count - 1],
        },
      ),
      check(
        "limited",
        `mean |r̂ − r| over seen test radii ${lo}–${R} (P§4.3: “The radii of the left three images (with a green border) are present in the training database”: the network reconstructs what it saw, the condition under which failing to extrapolate means anything; reported until 2026-12-03)`,
        seenError,
        "<=",
        p.maxSeenError,
        { radii: seen.length },
      ),
    ]);
  },
});
