/**
 * Stage `data` (App. A, S8): example training disks, and two checks on the training set
 * `data-uniform`: its Monte Carlo blur agrees with the exact blur within the Monte Carlo noise
 * (`blur_agreement.ts`), and its radii are consistent with U(0, 32) (`uniformity.ts`).
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart, type Series } from "../../lib/figures/line_chart.ts";
import { addImagePair, newBlurAgreement, summariseBlurAgreement } from "./blur_agreement.ts";
import { centreProfile, imageAt, profilePositions } from "./profiles.ts";
import { readDatasetLaw } from "./test_set.ts";
import { readDiskSet } from "../../lib/ml/disk_set.ts";
import { sig, writeChecks } from "./stage_util.ts";
import { chiSquareUniform, ksCriticalValue, ksUniform } from "./uniformity.ts";

/** Stage `data`. */
export const dataStage = defineStage({
  id: "data",
  description:
    "training disks (App. A, S8): examples, Monte Carlo vs exact blur, uniformity of the radii",
  module: import.meta.url,
  params: {
    examples: {
      type: "integer",
      default: 8,
      min: 1,
      max: 16,
      doc: "training images shown (the first ones of the set, sorted by radius)",
    },
    compareCount: {
      type: "integer",
      default: 3000,
      quick: 300,
      min: 1,
      doc:
        "training images compared with their exact blur (all 3000; the quick profile takes the first 300)",
    },
    minExpected: {
      type: "number",
      default: 5,
      min: 0,
      doc:
        "pixels enter the chi-square when N·p·(1 − p) ≥ this (the usual validity rule of the normal approximation)",
    },
    chiSquareTolerance: {
      type: "number",
      default: 0.1,
      min: 0,
      doc: "bar on |reduced chi-square − 1| (mean z² of unbiased binomial means is 1)",
    },
    maxDeviationInSE: {
      type: "number",
      default: 6,
      min: 0,
      doc:
        "bar on max |MC − exact| in units of the largest standard error 1/(2√N): 6σ, which a pixel exceeds with probability ~1e-9",
    },
    ksAlpha: {
      type: "number",
      default: 0.01,
      min: 0,
      max: 1,
      doc: "level of the Kolmogorov–Smirnov test of the radii against U(0, R)",
    },
    bins: { type: "integer", default: 32, min: 2, doc: "histogram bins (one per pixel of radius)" },
  },
  inputs: {
    images: "data-uniform:images.npy",
    radii: "data-uniform:radii.npy",
    dataset: "data-uniform:dataset.json",
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "histogram.png",
    "mc_vs_exact.png",
    "checks.json",
  ],
  // Measured: ~4 s with 300 images compared on the 2-core CPU (exact rendering dominates).
  estimate: (p) => 2 + p.compareCount * 0.01,
  async run(ctx) {
    const p = ctx.params;
    const set = await readDiskSet(ctx.inputs.images, ctx.inputs.radii);
    const law = await readDatasetLaw(ctx.inputs.dataset);
    const m = set.size;
    if (law.blur !== "mc") {
      throw new Error(
        `Cannot run "data": the training set's blur is "${law.blur}", not Monte Carlo; nothing to compare`,
      );
    }

    // Examples, sorted by radius.
    const shown = Array.from({ length: Math.min(p.examples, set.count) }, (_, i) => i)
      .sort((a, b) => set.radii[a] - set.radii[b]);
    await renderImageGrid({
      title:
        `Training disks: r ~ U(${law.min}, ${law.max}), Monte Carlo blur (σ = ${law.sigma}, N = ${law.samples})`,
      cells: [
        shown.map((i) => ({
          image: { width: m, height: m, data: imageAt(set.images, i, m) },
          caption: `r = ${set.radii[i].toFixed(2)}`,
        })),
      ],
    }, ctx.outPath("figure"));

    // Monte Carlo against exact, image by image.
    const renderer = new ExactDiskRenderer({ size: m, sigma: law.sigma, centre: law.centre });
    const acc = newBlurAgreement(law.samples, p.minExpected);
    const n = Math.min(p.compareCount, set.count);
    for (let i = 0; i < n; i++) {
      addImagePair(acc, imageAt(set.images, i, m), renderer.render(set.radii[i]));
      if (i % 50 === 0) ctx.progress({ step: i, total: n, phase: "exact blur" });
    }
    const blur = summariseBlurAgreement(acc);
    ctx.log(`blur: ${JSON.stringify(blur)}`);

    // Profiles of three examples: Monte Carlo pixels and the exact curve.
    const t = profilePositions(m);
    const series: Series[] = [];
    for (
      const i of shown.filter((_, k) => k % Math.max(1, Math.floor(shown.length / 3)) === 0).slice(
        0,
        3,
      )
    ) {
      const panel = `r = ${set.radii[i].toFixed(2)}`;
      series.push({
        name: "exact blur",
        panel,
        x: t,
        y: centreProfile(renderer.render(set.radii[i]), m),
        color: "#555555",
      });
      series.push({
        name: `Monte Carlo, N = ${law.samples}`,
        panel,
        x: t,
        y: centreProfile(imageAt(set.images, i, m), m),
        mark: "point",
      });
    }
    await renderLineChart({
      title: "Monte Carlo blur against the exact blur, profile through the centre",
      subtitle:
        `${blur.images} images: reduced χ² ${sig(blur.reducedChiSquare, 4)}, max |MC − exact| = ${
          sig(blur.maxAbsDiff)
        } ` +
        `(${sig(blur.maxAbsDiffInSE)} × the largest standard error 1/(2√N))`,
      x: { title: "t (pixels from the centre)" },
      y: { title: "grey level" },
      series,
      columns: 3,
      legend: "bottom",
    }, ctx.outPath("mc_vs_exact"));

    // Uniformity of the radii.
    const ks = ksUniform(set.radii, law.min, law.max);
    const crit = ksCriticalValue(set.count, p.ksAlpha);
    const chi = chiSquareUniform(set.radii, law.min, law.max, p.bins);
    const stepX: number[] = [], stepY: number[] = [];
    chi.counts.forEach((c, k) => {
      stepX.push(chi.edges[k], chi.edges[k + 1]);
      stepY.push(c, c);
    });
    await renderLineChart({
      title: `Radii of the ${set.count} training disks`,
      subtitle:
        `Kolmogorov–Smirnov D = ${sig(ks.statistic)} (p = ${
          sig(ks.pValue)
        }; bar at α = ${p.ksAlpha}: ${sig(crit)}); ` +
        `χ² = ${sig(chi.statistic)} on ${chi.dof} degrees of freedom`,
      x: { title: "radius r (pixels)", domain: [law.min, law.max] },
      y: { title: "images per bin", zero: true },
      series: [
        { name: "training set", x: stepX, y: stepY },
        {
          name: "uniform law",
          x: [law.min, law.max],
          y: [set.count / p.bins, set.count / p.bins],
          dash: "dashed",
          color: "#555555",
        },
      ],
      legend: "bottom",
    }, ctx.outPath("histogram"));

    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "data",
        `|reduced χ² − 1| of Monte Carlo pixels against the exact blur (pixels with N·p·(1−p) ≥ ${p.minExpected})`,
        Math.abs(blur.reducedChiSquare - 1),
        "<=",
        p.chiSquareTolerance,
        { ...blur },
      ),
      check(
        "data",
        "max |Monte Carlo − exact| over every pixel, in units of the largest standard error 1/(2√N)",
        blur.maxAbsDiffInSE,
        "<=",
        p.maxDeviationInSE,
        {
          maxAbsDiff: blur.maxAbsDiff,
          maxStandardError: blur.maxStandardError,
          images: blur.images,
        },
      ),
      check(
        "data",
        `Kolmogorov–Smirnov D of the radii against U(${law.min}, ${law.max}), bar = critical value at α = ${p.ksAlpha}`,
        ks.statistic,
        "<=",
        crit,
        {
          n: ks.n,
          pValue: ks.pValue,
          chiSquare: chi.statistic,
          chiSquareDof: chi.dof,
          chiSquareZ: chi.z,
        },
      ),
    ]);
  },
});
