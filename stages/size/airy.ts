/**
 * Stage `airy` (P-Fig 12, P Prop. 2, App. B, S16–S18): the profile f learned by the autoencoder
 * without biases (the mean normalised output profile, as `h-vs-z`) against the numerical
 * maximiser of J(f) = ∫₀ᴿ (∫₀ʳ f(ρ) ρ dρ)² dr under ∫ f² ρ dρ = 1 (P Eq. 7) and against the
 * closed-form Airy solution of f'' = −k t f, f(0) = 1, f'(0) = 0, first zero at R
 * (`lib/math/`). R is the largest training radius, read from the training set's
 * `dataset.json` (32 for `data-uniform`).
 *
 * All three are normalised the same way on the learned samples' range clipped to [0, R]
 * (unit radial L² norm ∫ g² ρ dρ, the paper's constraint; `compareProfiles`). Checks: the
 * learned f is within 0.1 relative L² of the maximiser, and the maximiser within 0.02 of the
 * Airy solution on all of [0, R] (a check of the solver; `maximiserAiryDistance`).
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { decodeBatched, encodeBatched } from "../../lib/ml/analysis.ts";
import {
  compareProfiles,
  maximiseRadialEnergy,
  maximiserAiryDistance,
} from "../../lib/math/mod.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { learnedProfile } from "./profiles.ts";
import {
  RADIUS_RANGE_PARAM,
  radiusRange,
  sig,
  TEST_INPUTS,
  weightInputs,
  writeChecks,
} from "./stage_util.ts";
import { indicesInRange, loadTrainedModel, readDatasetLaw } from "./test_set.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";

/** Stage `airy`. */
export const airyStage = defineStage({
  id: "airy",
  description:
    "learned profile f vs the maximiser of J vs the Airy solution, no biases (P-Fig 12, S18)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    gridN: {
      type: "integer",
      default: 400,
      min: 2,
      doc:
        "intervals of the grid on which J is maximised (the maximiser is then within 1e-6 of Airy)",
    },
    learnedBar: {
      type: "number",
      default: 0.1,
      min: 0,
      doc: "bar on the relative L² distance learned f – maximiser (spec: 0.1)",
    },
    airyBar: {
      type: "number",
      default: 0.02,
      min: 0,
      doc: "bar on the relative L² distance maximiser – Airy (spec: 0.02)",
    },
  },
  inputs: {
    ...weightInputs("train-nobias"),
    ...TEST_INPUTS,
    trainingSet: "data-uniform:dataset.json",
  },
  outputs: ["figure.svg", "figure.png", "figure.json", "checks.json"],
  compute: true,
  estimate: (p) => 4 + 3 * (p.gridN / 400) ** 3,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
    const R = (await readDatasetLaw(ctx.inputs.trainingSet)).max;
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size;
    const model = await loadTrainedModel(ctx.inputs.weights, ctx.inputs.bin);
    let outputs: Float32Array;
    try {
      outputs = await decodeBatched(model, await encodeBatched(model, set.images));
    } finally {
      model.dispose();
    }
    const f = learnedProfile(outputs, indicesInRange(set.radii, lo, hi), m);
    const max = maximiseRadialEnergy(R, p.gridN);
    const cmp = compareProfiles({ t: f.t, f: f.f }, R, { maximiser: max });
    const solver = maximiserAiryDistance(R, p.gridN, "radial", max);
    const d = cmp.distances;
    await renderLineChart(
      {
        title: "Learned profile, numerical maximiser of J and Airy solution",
        subtitle:
          `R = ${R}; relative L² distance: learned–maximiser ${sig(d.learnedVsMaximiser)}, ` +
          `maximiser–Airy ${sig(solver.relL2Radial)}`,
        x: { title: "t (distance to the centre, pixels)", domain: [0, R] },
        y: { title: "f(t)" },
        series: [
          {
            name: "autoencoder without biases",
            x: cmp.curves.t,
            y: cmp.curves.learned,
            color: "#0072B2",
          },
          {
            name: "numerical maximiser of J",
            x: cmp.curves.t,
            y: cmp.curves.maximiser,
            dash: "dashed",
            color: "#D55E00",
          },
          {
            name: "Airy solution",
            x: cmp.curves.t,
            y: cmp.curves.airy,
            dash: "dotted",
            color: "#1a1a1a",
          },
        ],
        legend: "bottom",
      },
      ctx.outPath("figure"),
      {
        data: {
          R,
          k: cmp.k,
          range: cmp.range,
          normalisation: cmp.normalisation,
          curves: cmp.curves,
        },
      },
    );
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "airy",
        "relative L² distance of the learned f to the maximiser of J (radial norm, normalised profiles)",
        d.learnedVsMaximiser,
        "<=",
        p.learnedBar,
        {
          R,
          range: cmp.range,
          learnedVsAiry: d.learnedVsAiry,
          uniformNorm: cmp.distancesByWeight.uniform,
          profilesAveraged: f.used,
        },
      ),
      check(
        "airy",
        `relative L² distance of the maximiser of J (${p.gridN} intervals) to the Airy solution on [0, R]`,
        solver.relL2Radial,
        "<=",
        p.airyBar,
        {
          relL2Uniform: solver.relL2Uniform,
          mu: solver.mu,
          muAiry: solver.muAiry,
          k: cmp.k,
        },
      ),
    ]);
  },
});
