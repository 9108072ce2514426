/**
 * Stage `ae-d1` (P-Fig 2, S11): inputs and outputs of the disk autoencoder with d = 1 on test
 * disks, and the check that a single scalar suffices: the mean IoU of the thresholded output
 * against the thresholded input over the test radii 2–30 is at least 0.9.
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { reconstructBatched } from "../../lib/ml/analysis.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { thresholdIoU } from "./iou.ts";
import { imageAt } from "./profiles.ts";
import {
  RADIUS_RANGE_PARAM,
  radiusRange,
  sig,
  TEST_INPUTS,
  weightInputs,
  writeChecks,
} from "./stage_util.ts";
import { indicesInRange, loadTrainedModel, nearestIndex } from "./test_set.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";

/** Stage `ae-d1`. */
export const aeD1Stage = defineStage({
  id: "ae-d1",
  description: "autoencoding test disks with d = 1: inputs, outputs, IoU (P-Fig 2, S11)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    threshold: {
      type: "number",
      default: 0.5,
      doc: "grey level separating disk from background, for input and output alike",
    },
    iouBar: {
      type: "number",
      default: 0.9,
      min: 0,
      max: 1,
      doc: "bar on the mean IoU (spec: 0.9)",
    },
    showRadii: {
      type: "number[]",
      default: [4, 10, 16, 22, 28],
      doc: "radii shown (nearest test radii): five, as P-Fig 2",
    },
  },
  inputs: { ...weightInputs("train-ae"), ...TEST_INPUTS },
  outputs: ["figure.svg", "figure.png", "figure.json", "iou.png", "checks.json"],
  compute: true,
  estimate: () => 4,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size;
    const model = await loadTrainedModel(ctx.inputs.weights, ctx.inputs.bin);
    let outputs: Float32Array;
    try {
      outputs = await reconstructBatched(model, set.images);
    } finally {
      model.dispose();
    }
    const iou = Array.from(
      set.radii,
      (_, i) => thresholdIoU(imageAt(set.images, i, m), imageAt(outputs, i, m), p.threshold),
    );
    const inRange = indicesInRange(set.radii, lo, hi);
    const mean = inRange.reduce((s, i) => s + iou[i], 0) / inRange.length;
    const worst = inRange.reduce((w, i) => (iou[i] < iou[w] ? i : w), inRange[0]);

    const shown = p.showRadii.map((r) => nearestIndex(set.radii, r));
    const cell = (data: Float32Array, i: number, caption?: string) => ({
      image: { width: m, height: m, data: imageAt(data, i, m) },
      ...(caption ? { caption } : {}),
    });
    await renderImageGrid({
      title: "Autoencoding disks with a code of size d = 1",
      rowLabels: ["input", "output"],
      cells: [
        shown.map((i) => cell(set.images, i, `r = ${set.radii[i].toFixed(1)}`)),
        shown.map((i) => cell(outputs, i, `IoU ${iou[i].toFixed(2)}`)),
      ],
    }, ctx.outPath("figure"));
    await renderLineChart({
      title: "IoU of the thresholded output against the thresholded input",
      subtitle: `mean over r in [${lo}, ${hi}]: ${
        sig(mean, 4)
      } (bar ${p.iouBar}); threshold ${p.threshold}`,
      x: { title: "radius r (pixels)", domain: [0, set.radii[set.count - 1]] },
      y: { title: "IoU", domain: [0, 1] },
      series: [{ name: "IoU", x: Array.from(set.radii), y: iou }],
      rules: [{ y: p.iouBar, label: `bar ${p.iouBar}` }, { x: lo }, { x: hi }],
      legend: "none",
    }, ctx.outPath("iou"));

    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "ae-d1",
        `mean IoU of thresholded output vs input (threshold ${p.threshold}), test radii ${lo}–${hi}`,
        mean,
        ">=",
        p.iouBar,
        {
          radii: inRange.length,
          worstRadius: set.radii[worst],
          worstIoU: iou[worst],
          below: inRange.filter((i) => iou[i] < p.iouBar).length,
        },
      ),
    ]);
  },
});
