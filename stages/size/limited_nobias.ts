/**
 * Stage `limited-nobias` (App. C, P-Fig 13): the autoencoder without biases trained on radii
 * r ≤ R = 18. Its learned profile f (mean normalised output profile over the seen test radii,
 * as App. B) only extends to R: the check is |f| ≤ 5% of max |f| beyond R + 2. Also shows the
 * input and output profiles of disks below, near and beyond R, and records the sign of the
 * codes on either side of R (App. C: beyond R "another function is used corresponding to the
 * other sign of codes").
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { decodeBatched, encodeBatched } from "../../lib/ml/analysis.ts";
import { compareProfiles } from "../../lib/math/mod.ts";
import { renderLineChart, type Series } from "../../lib/figures/line_chart.ts";
import { signCounts } from "./nobias.ts";
import { centreProfile, imageAt, learnedProfile, profilePositions } from "./profiles.ts";
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

/** max |f| at |t| > cut over max |f| everywhere. */
export function tailShare(t: readonly number[], f: readonly number[], cut: number): number {
  let peak = 0, tail = 0;
  for (let j = 0; j < f.length; j++) {
    peak = Math.max(peak, Math.abs(f[j]));
    if (Math.abs(t[j]) > cut) tail = Math.max(tail, Math.abs(f[j]));
  }
  return peak > 0 ? tail / peak : NaN;
}

/** Stage `limited-nobias`. */
export const limitedNobiasStage = defineStage({
  id: "limited-nobias",
  description:
    "no biases, trained on r ≤ R = 18: the learned profile f only extends to R (App. C, P-Fig 13)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    beyond: {
      type: "number",
      default: 2,
      min: 0,
      doc: "f is tested at distances > R + this (spec: R + 2)",
    },
    tailBar: {
      type: "number",
      default: 0.05,
      min: 0,
      doc: "bar on max |f| beyond R + 2 over max |f| (spec: 5%)",
    },
    showRadii: {
      type: "number[]",
      default: [9, 17, 26],
      doc: "radii whose profiles are shown: below, near and beyond R",
    },
  },
  inputs: {
    ...weightInputs("train-limited-nobias"),
    ...TEST_INPUTS,
    trainingSet: "data-limited:dataset.json",
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "profile.png",
    "profile.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 6,
  async run(ctx) {
    const p = ctx.params;
    const [lo] = radiusRange(p.radiusRange, ctx.id);
    const R = (await readDatasetLaw(ctx.inputs.trainingSet)).max;
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size;
    const model = await loadTrainedModel(ctx.inputs.weights, ctx.inputs.bin);
    let codes: Float32Array, outputs: Float32Array;
    try {
      codes = await encodeBatched(model, set.images);
      outputs = await decodeBatched(model, codes);
    } finally {
      model.dispose();
    }
    const seen = indicesInRange(set.radii, lo, R);
    const unseen = indicesInRange(set.radii, R + 1e-9, Infinity);
    const f = learnedProfile(outputs, seen, m);
    const cut = R + p.beyond;
    const share = tailShare(f.t, f.f, cut);
    let vsMaximiser: number | null = null;
    try {
      vsMaximiser = compareProfiles({ t: f.t, f: f.f }, R).distances.learnedVsMaximiser;
    } catch (e) {
      ctx.log(`comparison with the maximiser of J failed: ${(e as Error).message}`);
    }

    const t = profilePositions(m);
    const series: Series[] = p.showRadii.map((r) => nearestIndex(set.radii, r)).flatMap((i) => {
      const panel = `r = ${set.radii[i].toFixed(1)}${set.radii[i] > R ? " (not seen)" : ""}, z = ${
        sig(codes[i])
      }`;
      return [
        {
          name: "input profile",
          panel,
          x: t,
          y: centreProfile(imageAt(set.images, i, m), m),
          dash: "dashed" as const,
          color: "#555555",
        },
        {
          name: "output profile",
          panel,
          x: t,
          y: centreProfile(imageAt(outputs, i, m), m),
          color: "#0072B2",
        },
      ];
    });
    await renderLineChart({
      title: `No biases, training radii r ≤ R = ${R}: profiles through the centre`,
      x: { title: "t (pixels from the centre)" },
      y: { title: "grey level" },
      series,
      columns: 3,
      legend: "bottom",
    }, ctx.outPath("figure"));
    const peak = Math.max(...f.f.map(Math.abs));
    const seenSigns = signCounts(seen.map((i) => codes[i])),
      unseenSigns = signCounts(unseen.map((i) => codes[i]));
    const opposite = unseen.length === 0
      ? null
      : (seenSigns.positive >= seenSigns.negative ? unseenSigns.negative : unseenSigns.positive) /
        unseen.length;
    await renderLineChart(
      {
        title: `Learned profile f (mean normalised output profile over seen radii ${lo}–${R})`,
        subtitle: `max |f| beyond R + ${p.beyond} = ${
          sig(share)
        } × max |f| (bar ${p.tailBar}); dashed vertical lines at ±R`,
        x: { title: "t (signed distance to the centre, pixels)" },
        y: { title: "f(t)" },
        series: [{ name: "f", x: f.t, y: f.f }],
        bands: [
          { from: cut, to: Math.max(...f.t), label: `beyond R + ${p.beyond}` },
          { from: Math.min(...f.t), to: -cut },
        ],
        rules: [
          { y: p.tailBar * peak, label: `±${p.tailBar * 100}% of max`, labelAt: "start" },
          { y: -p.tailBar * peak },
          { x: R },
          { x: -R },
        ],
        legend: "none",
      },
      ctx.outPath("profile"),
      { data: { t: f.t, f: f.f, R, cut, share } },
    );

    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "limited-nobias",
        `max |f| at distances > R + ${p.beyond} = ${cut}, relative to max |f|`,
        share,
        "<=",
        p.tailBar,
        {
          R,
          profilesAveraged: f.used,
          learnedVsMaximiserOfJ: vsMaximiser,
        },
      ),
      check(
        "limited-nobias",
        "share of unseen test radii (> R) whose code has the sign opposite to the seen radii' majority",
        opposite,
        "report",
        null,
        {
          seen: seenSigns,
          unseen: unseenSigns,
        },
      ),
    ]);
  },
});
