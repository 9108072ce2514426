/**
 * Stage `h-vs-z` (P-Fig 11, App. B): in the autoencoder without biases, the code z of a test
 * disk against the optimal amplitude C⟨f, 1_{B_r}⟩ of P Eq. 8, f being the mean normalised
 * output profile (App. B: "the average of all output profiles"). If the output is
 * y(t; r) = h(r)·f(t) with the optimal h, the two are proportional: the check is Pearson's
 * correlation ≥ 0.99.
 *
 * ⟨f, 1_{B_r}⟩ = 2π ∫₀ʳ f(ρ) ρ dρ is computed for the sharp disk of radius r with f the
 * piecewise-linear radial profile through the samples of the centre line (folded, both halves
 * averaged; `lib/math/h_from_profile.ts`). The sign of C is free (f's sign is a convention),
 * so the measured value is |ρ|, with the sign recorded.
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { decodeBatched, encodeBatched } from "../../lib/ml/analysis.ts";
import { fitScale, hFromProfile, pearson } from "../../lib/math/mod.ts";
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
import { indicesInRange, loadTrainedModel } from "./test_set.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";

/** Stage `h-vs-z`. */
export const hVsZStage = defineStage({
  id: "h-vs-z",
  description:
    "code z against the optimal amplitude C⟨f, 1_Br⟩, autoencoder without biases (P-Fig 11)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    pearsonBar: {
      type: "number",
      default: 0.99,
      min: 0,
      max: 1,
      doc: "bar on |Pearson correlation| (spec: 0.99)",
    },
  },
  inputs: { ...weightInputs("train-nobias"), ...TEST_INPUTS },
  outputs: ["figure.svg", "figure.png", "figure.json", "checks.json"],
  compute: true,
  estimate: () => 5,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
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
    const idx = indicesInRange(set.radii, lo, hi);
    const f = learnedProfile(outputs, idx, m);
    const r = idx.map((i) => set.radii[i]), z = idx.map((i) => codes[i]);
    const h = hFromProfile({ t: f.t, f: f.f }, r);
    let rho: number | null = null, C = NaN;
    try {
      rho = pearson(z, h);
      C = fitScale(h, z);
    } catch (e) {
      ctx.log(`correlation failed: ${(e as Error).message}`);
    }
    const ch = h.map((v) => C * v);
    const ends = [Math.min(...ch, ...z), Math.max(...ch, ...z)];
    await renderLineChart(
      {
        title: "Code z against the optimal amplitude C⟨f, 1_Br⟩ (no biases)",
        subtitle: `${idx.length} test disks, r in [${lo}, ${hi}]; Pearson ρ = ${
          rho === null ? "n/a" : sig(rho, 5)
        }; C fitted by least squares (${sig(C)})`,
        x: { title: "C⟨f, 1_Br⟩" },
        y: { title: "latent code z" },
        series: [
          // Every third disk: the points would otherwise hide the line they lie on.
          {
            name: "test disks",
            x: ch.filter((_, k) => k % 3 === 0),
            y: z.filter((_, k) => k % 3 === 0),
            mark: "point",
          },
          { name: "z = C⟨f, 1_Br⟩", x: ends, y: ends, dash: "dashed", color: "#555555" },
        ],
        legend: "bottom",
      },
      ctx.outPath("figure"),
      { data: { r, z, h, C, rho } },
    );
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "h-vs-z",
        `|Pearson correlation| of z with ⟨f, 1_Br⟩, f = mean normalised output profile (test radii ${lo}–${hi})`,
        rho === null ? null : Math.abs(rho),
        ">=",
        p.pearsonBar,
        {
          pearson: rho,
          C,
          radii: idx.length,
          profilesAveraged: f.used,
        },
      ),
    ]);
  },
});
