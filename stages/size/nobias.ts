/**
 * Stage `nobias` (P-Fig 4, P Prop. 1, S14–S15): the disk autoencoder trained without any bias.
 * Shows inputs, outputs and their profiles through the centre for six radii, and checks
 *
 * - Proposition 1 on the trained decoder: D(λz) = λD(z) for λ > 0, within float tolerance,
 *   for the codes of every test disk and their negatives (the property holds on both sides);
 * - P Eq. 5, y(t; r) = h(r)·f(t): the matrix of output profiles (one row per test radius) is of
 *   rank one, i.e. its first singular value carries ≥ 99% of its energy (`rank_one.ts`);
 *
 * and records the sign of the codes (the paper: the network "has chosen to use only one
 * possible sign for the code, resulting in a linear decoder").
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { decodeBatched, encodeBatched } from "../../lib/ml/analysis.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart, type Series } from "../../lib/figures/line_chart.ts";
import { centreProfile, imageAt, profilePositions } from "./profiles.ts";
import { rankOneShare } from "./rank_one.ts";
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

/** Counts of positive, negative and zero values. */
export function signCounts(
  values: ArrayLike<number>,
): { positive: number; negative: number; zero: number } {
  let positive = 0, negative = 0, zero = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > 0) positive++;
    else if (values[i] < 0) negative++;
    else zero++;
  }
  return { positive, negative, zero };
}

/**
 * Largest relative deviation from positive homogeneity: over every code z and every λ,
 * max_pixels |D(λz) − λD(z)| / max_pixels |λD(z)| (pairs where both sides are 0 are skipped).
 */
export function homogeneityError(
  scaled: Float32Array,
  base: Float32Array,
  lambda: number,
  pixels: number,
): { maxRelative: number; compared: number } {
  let worst = 0, compared = 0;
  for (let k = 0; k * pixels < base.length; k++) {
    let diff = 0, scale = 0;
    for (let j = k * pixels; j < (k + 1) * pixels; j++) {
      const ref = lambda * base[j];
      diff = Math.max(diff, Math.abs(scaled[j] - ref));
      scale = Math.max(scale, Math.abs(ref));
    }
    if (scale === 0 && diff === 0) continue;
    compared++;
    worst = Math.max(worst, scale > 0 ? diff / scale : Infinity);
  }
  return { maxRelative: worst, compared };
}

/** Stage `nobias`. */
export const nobiasStage = defineStage({
  id: "nobias",
  description:
    "autoencoder without biases: inputs, outputs, profiles; Proposition 1; rank-1 profiles (P-Fig 4, S14)",
  module: import.meta.url,
  params: {
    radiusRange: RADIUS_RANGE_PARAM,
    lambdas: {
      type: "number[]",
      default: [0.3, 2, 3.1, 10],
      doc:
        "λ > 0 of the homogeneity test; powers of two scale floats exactly, the others test rounding",
    },
    homogeneityBar: {
      type: "number",
      default: 1e-5,
      min: 0,
      doc:
        "float tolerance of D(λz) = λD(z), relative to max |λD(z)| (float32 ε ≈ 1.2e-7; six layers of sums of up to 72 products)",
    },
    rankOneBar: {
      type: "number",
      default: 0.99,
      min: 0,
      max: 1,
      doc: "bar on the rank-1 share of the profile matrix (spec: 0.99)",
    },
    showRadii: {
      type: "number[]",
      default: [4, 9, 14, 19, 24, 29],
      doc: "radii shown (nearest test radii): six, as S14",
    },
  },
  inputs: { ...weightInputs("train-nobias"), ...TEST_INPUTS },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "profiles.png",
    "profiles.json",
    "checks.json",
  ],
  compute: true,
  // Measured ~8 s: 300 codes and their negatives decoded once per λ.
  estimate: (p) => 3 + 1.2 * p.lambdas.length,
  async run(ctx) {
    const p = ctx.params;
    const [lo, hi] = radiusRange(p.radiusRange, ctx.id);
    if (p.lambdas.some((l) => !(l > 0))) {
      throw new Error(`Cannot run "nobias": every λ must be > 0; fix --set nobias.lambdas`);
    }
    const set = await readDiskSet(ctx.inputs.testImages, ctx.inputs.testRadii);
    const m = set.size, P = m * m;
    const model = await loadTrainedModel(ctx.inputs.weights, ctx.inputs.bin);
    let codes: Float32Array, outputs: Float32Array;
    const homogeneity: { lambda: number; maxRelative: number; compared: number }[] = [];
    try {
      codes = await encodeBatched(model, set.images);
      outputs = await decodeBatched(model, codes);
      const both = Float32Array.from(
        [...codes, ...codes].map((v, i) => (i < codes.length ? v : -v)),
      );
      const base = await decodeBatched(model, both);
      for (const lambda of p.lambdas) {
        const scaled = await decodeBatched(model, both.map((v) => v * lambda));
        homogeneity.push({ lambda, ...homogeneityError(scaled, base, lambda, P) });
      }
    } finally {
      model.dispose();
    }
    const worst = Math.max(...homogeneity.map((h) => h.maxRelative));

    const idx = indicesInRange(set.radii, lo, hi);
    const profiles = idx.map((i) => centreProfile(imageAt(outputs, i, m), m));
    const rank = rankOneShare(profiles);
    const signsInRange = signCounts(idx.map((i) => codes[i]));
    const signsAll = signCounts(codes);

    const shown = p.showRadii.map((r) => nearestIndex(set.radii, r));
    const cell = (data: Float32Array, i: number, caption?: string) => ({
      image: { width: m, height: m, data: imageAt(data, i, m) },
      ...(caption ? { caption } : {}),
    });
    await renderImageGrid({
      title: "Autoencoder without biases: inputs and outputs",
      rowLabels: ["input", "output"],
      cells: [
        shown.map((i) => cell(set.images, i, `r = ${set.radii[i].toFixed(1)}`)),
        shown.map((i) => cell(outputs, i, `z = ${sig(codes[i])}`)),
      ],
      range: "shared",
      colorbar: true,
      colorbarTitle: "grey level (one scale for inputs and outputs)",
    }, ctx.outPath("figure"));
    const t = profilePositions(m);
    const series: Series[] = shown.flatMap((i) => {
      const panel = `r = ${set.radii[i].toFixed(1)}`;
      return [
        {
          name: "disk profile (input)",
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
      title: "Profiles through the centre, autoencoder without biases",
      subtitle: `rank-1 share of the ${idx.length} output profiles (r in [${lo}, ${hi}]): ${
        sig(rank.share, 5)
      }`,
      x: { title: "t (pixels from the centre)" },
      y: { title: "y(t)" },
      series,
      columns: 3,
      legend: "bottom",
    }, ctx.outPath("profiles"));

    const majority = Math.max(signsInRange.positive, signsInRange.negative);
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "nobias",
        "Proposition 1: max over codes (test codes and their negatives) and λ of |D(λz) − λD(z)| / max |λD(z)|",
        worst,
        "<=",
        p.homogeneityBar,
        {
          perLambda: homogeneity,
        },
      ),
      check(
        "nobias",
        `rank-1 share σ₁²/Σσᵢ² of the matrix of output profiles (test radii ${lo}–${hi})`,
        rank.share,
        ">=",
        p.rankOneBar,
        {
          rows: idx.length,
          singularValues: rank.singularValues.slice(0, 5),
        },
      ),
      check(
        "nobias",
        `share of test codes (radii ${lo}–${hi}) with the majority sign (the paper: one sign is used)`,
        majority / idx.length,
        "report",
        null,
        {
          inRange: signsInRange,
          allTestRadii: signsAll,
        },
      ),
    ]);
  },
});
