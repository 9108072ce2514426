/**
 * Stage `limited` (P-Fig 5): the autoencoder (with biases) trained only on radii r ≤ R = 18
 * (`data-limited`) does not extrapolate: test disks larger than R come out as disks of about
 * radius R. The radius of an output is r̂ = √(area/π), area = pixels above 1/2
 * (`radius_estimate.ts`). Check: r̂ ≤ R + 1 for every test radius r > R. R is read from the
 * training set's `dataset.json`. The area counts every bright pixel, stray blobs included;
 * the radius of the bright component holding the centre alone is reported beside it.
 *
 * @module
 */
import { check } from "../common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { reconstructBatched } from "../ml/analysis.ts";
import { renderImageGrid } from "../figures/image_grid.ts";
import { renderLineChart } from "../figures/line_chart.ts";
import { COLOR } from "../figures/theme.ts";
import { imageAt } from "./profiles.ts";
import { radiusFromArea, radiusFromCentralComponent } from "./radius_estimate.ts";
import {
  RADIUS_RANGE_PARAM,
  radiusRange,
  sig,
  TEST_INPUTS,
  weightInputs,
  writeChecks,
} from "./stage_util.ts";
import {
  indicesInRange,
  loadTrainedModel,
  nearestIndex,
  readDatasetLaw,
  readDiskSet,
} from "./test_set.ts";

/** Stage `limited`. */
export const limitedStage = defineStage({
  id: "limited",
  description: "trained on r ≤ R = 18 only: larger disks come out no larger than R (P-Fig 5)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    margin: {
      type: "number",
      default: 1,
      min: 0,
      doc: "bar: r̂ ≤ R + margin for every test r > R (spec: R + 1)",
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
    trainingSet: "data-limited:dataset.json",
  },
  outputs: ["figure.svg", "figure.png", "figure.json", "radius.png", "radius.json", "checks.json"],
  compute: true,
  estimate: () => 5,
  async run(ctx) {
    const p = ctx.params;
    const [lo] = radiusRange(p.radiusRange, ctx.id);
    const R = (await readDatasetLaw(ctx.inputs.trainingSet)).max;
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size;
    const model = await loadTrainedModel(
      ctx.inputs.weights,
      ctx.inputs.bin,
      ctx.backend,
      ctx.record,
    );
    let outputs: Float32Array;
    try {
      outputs = await reconstructBatched(model, set.images);
    } finally {
      model.dispose();
    }
    const rHat = Array.from(
      set.radii,
      (_, i) => radiusFromArea(imageAt(outputs, i, m), p.threshold),
    );
    // The same estimator restricted to the bright component holding the centre: it tells a disk
    // that grew from a disk of radius ≈ R surrounded by stray blobs (reported, not the check).
    const rCentral = Array.from(
      set.radii,
      (_, i) => radiusFromCentralComponent(imageAt(outputs, i, m), m, p.threshold),
    );
    const rInput = Array.from(
      set.radii,
      (_, i) => radiusFromArea(imageAt(set.images, i, m), p.threshold),
    );
    const beyond = set.radii.reduce<number[]>((a, r, i) => (r > R ? [...a, i] : a), []);
    const largest = beyond.reduce((w, i) => (rHat[i] > rHat[w] ? i : w), beyond[0]);
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
    await renderLineChart({
      title: `Radius of the reconstruction, training radii r ≤ R = ${R}`,
      subtitle: `max r̂ over test r > R: ${
        sig(rHat[largest], 4)
      } (bar R + ${p.margin}); r̂ = √(area above ${p.threshold} / π)`,
      x: { title: "radius r of the test disk (pixels)", domain: [0, set.radii[set.count - 1]] },
      y: { title: "radius r̂ (pixels)" },
      series: [
        { name: "reconstruction", x: Array.from(set.radii), y: rHat },
        {
          name: "reconstruction, central component only",
          x: Array.from(set.radii),
          y: rCentral,
          dash: "dashed",
        },
        {
          name: "input (estimator on the test disk)",
          x: Array.from(set.radii),
          y: rInput,
          dash: "dotted",
          color: "#555555",
        },
      ],
      bands: [{ from: R, to: set.radii[set.count - 1], label: "not seen in training" }],
      rules: [{ y: R + p.margin, label: `R + ${p.margin}`, labelAt: "start" }],
      legend: "bottom",
    }, ctx.outPath("radius"));
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "limited",
        `largest radius r̂ of the reconstruction over test radii r > R = ${R}`,
        beyond.length ? rHat[largest] : null,
        "<=",
        R + p.margin,
        {
          R,
          at: beyond.length ? set.radii[largest] : null,
          testRadiiBeyondR: beyond.length,
          rHatAtLargestTestRadius: rHat[set.count - 1],
        },
      ),
      check(
        "limited",
        `largest radius of the central bright component of the reconstruction over test radii r > R (stray blobs left out)`,
        beyond.length ? Math.max(...beyond.map((i) => rCentral[i])) : null,
        "report",
        null,
        {
          bar: R + p.margin,
        },
      ),
      check(
        "limited",
        `mean |r̂ − r| over seen test radii ${lo}–${R} (the network reconstructs what it saw)`,
        seenError,
        "report",
        null,
        {
          radii: seen.length,
        },
      ),
    ]);
  },
});
