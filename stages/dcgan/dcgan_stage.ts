/**
 * Stage `dcgan` (P§4.4, App. D, P-Fig 14): every test disk (`data-test`, radii 0–32) is
 * projected onto the range of each DCGAN of `train-dcgan`, z* = argmin_{z ∈ [−1, 1]}
 * ‖G(z) − x‖² (a 1-D code, so a dense grid then golden-section refinement find the global
 * minimum up to the grid's spacing), and the error of that best approximation is set against
 * the radius. The paper's claim: like the autoencoder, a GAN trained without radii 11–18
 * cannot produce them, so the error inside the hole is much larger than outside it.
 *
 * Check (spec §2): mean projection error inside the hole ≥ 3× the mean outside, for each seed
 * and for the seeds' mean error.
 *
 * Outputs: `figure.*` (P-Fig 14: test disks and projections, all radii and zoomed on 8–21),
 * `error.*`, `radius.*`, `samples.*`, `range.*`, `loss.*` (see `figures.ts`),
 * `projection.json` (every number), `checks.json`.
 *
 * @module
 */
import { defineStage } from "../../pipeline/stage.ts";
import { type Check, check } from "../../lib/common/checks.ts";
import { readNpy, readNpyFloat32, stableJson } from "../../lib/ml/npy.ts";
import { analyseGenerator, generateHost } from "./analysis.ts";
import {
  errorChart,
  lossChart,
  projectionGrid,
  radiusChart,
  rangeChart,
  samplesGrid,
} from "./figures.ts";
import {
  equivalentRadius,
  holeErrorRatio,
  meanOf,
  nearHoleRatio,
  shareInRange,
} from "./metrics.ts";
import { linspace } from "./projection.ts";
import { readLossFile } from "../../lib/train/loss_file.ts";
import { buildSeedModel, readDcganBundle } from "./weights.ts";

/** The catalogue's bar: error inside the hole at least this many times the error outside. */
export const HOLE_RATIO_BAR = 3;

/** Stage `dcgan`. */
export const dcganStage = defineStage({
  id: "dcgan",
  description:
    "App. D, P-Fig 14: test disks projected onto DCGANs (d = 1) trained without radii 11–18",
  module: import.meta.url,
  params: {
    gridPoints: {
      type: "integer",
      default: 2001,
      quick: 1001,
      min: 2,
      doc:
        "z grid over the prior's support [−1, 1] for the global search (spacing 0.001; quick 0.002)",
    },
    refineSteps: {
      type: "integer",
      default: 20,
      quick: 3,
      min: 0,
      doc:
        "golden-section steps in the two grid cells around each best grid point (each shrinks the bracket by 0.618)",
    },
    columns: {
      type: "number[]",
      default: [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31],
      doc: "test radii shown in the all-radii panel (nearest test disk)",
    },
    zoom: {
      type: "number[]",
      default: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21],
      doc: "test radii of the zoomed panel (P-Fig 14: around the hole, 8–21)",
    },
    samples: {
      type: "integer",
      default: 13,
      min: 2,
      doc: "z values per seed in the generator-output figure",
    },
    neighbourhood: {
      type: "number",
      default: 3,
      min: 0,
      doc:
        "report only: the ratio is also given against the observed radii within this many pixels of the hole, where the generator is best trained",
    },
  },
  inputs: {
    weights: "train-dcgan:weights.json",
    weightsBin: "train-dcgan:weights.bin",
    loss: "train-dcgan:loss.json",
    testImages: "data-test:images.npy",
    testRadii: "data-test:radii.npy",
    hole: "data-hole:dataset.json",
  },
  outputs: [
    "checks.json",
    "projection.json",
    ...["figure", "error", "radius", "samples", "range", "loss"].flatMap((
      b,
    ) => [`${b}.svg`, `${b}.png`, `${b}.json`]),
  ],
  compute: true,
  // Rough, calibrated on this 2-core CPU: the quick profile's generator (0.46 M multiply-adds
  // per image, ~3.3 ns each in batches), 2 seeds, the error sums in JS (~1 ns per pixel pair),
  // 8 s of figures. On a GPU the generator passes take seconds; the error sums stay on the host.
  estimate: (p, backend) => {
    const passes = p.gridPoints + (p.refineSteps + 2) * 300;
    const sums = p.gridPoints * 300 * 4096 * 1e-9;
    const perSeed = (backend === "cpu" ? passes * 0.46e6 * 3.3e-9 : 2) + sums;
    return 2 * perSeed + 8;
  },
  async run(ctx) {
    const p = ctx.params;
    const bundle = await readDcganBundle(ctx.inputs.weights, ctx.inputs.weightsBin);
    const config = bundle.config;
    const side = config.imageSize;
    const test = await readNpyFloat32(ctx.inputs.testImages);
    const radii = Float64Array.from((await readNpy(ctx.inputs.testRadii)).data);
    const count = test.shape[0];
    if (test.shape[1] !== side || test.shape[2] !== side) {
      throw new Error(
        `Cannot project in "${ctx.id}": test images are ${
          test.shape.slice(1).join("×")
        }, the generator makes ${side}×${side}`,
      );
    }
    const holeMeta = JSON.parse(await Deno.readTextFile(ctx.inputs.hole));
    const sampler = holeMeta.sampler as { kind: string; holeMin?: number; holeMax?: number };
    if (sampler.kind !== "hole" || sampler.holeMin === undefined || sampler.holeMax === undefined) {
      throw new Error(
        `Cannot read the hole of "${ctx.inputs.hole}": its sampler is "${sampler.kind}", not "hole"; is it data-hole's dataset.json?`,
      );
    }
    const hole = { min: sampler.holeMin, max: sampler.holeMax };
    const losses = await readLossFile("train-dcgan", ctx.inputs.loss);

    const sampleZ = Float32Array.from(linspace(-1, 1, p.samples));
    const perSeed = [];
    for (const w of bundle.seeds) {
      const model = buildSeedModel(config, w);
      try {
        const t0 = performance.now();
        const a = await analyseGenerator(model, test.data, count, {
          gridPoints: p.gridPoints,
          refineSteps: p.refineSteps,
        });
        const samples = await generateHost(model, sampleZ);
        const P = side * side;
        const projRadius = Float64Array.from(
          { length: count },
          (_, i) => equivalentRadius(a.projected, i * P, P),
        );
        const ratio = holeErrorRatio(radii, a.projection.error, hole.min, hole.max);
        const holeShare = shareInRange(a.gridRadius, hole.min, hole.max);
        ctx.log(
          `seed ${w.seed}: error inside ${ratio.inside.toExponential(3)}, outside ${
            ratio.outside.toExponential(3)
          }, ` +
            `ratio ${ratio.ratio.toFixed(2)}; share of z with radius in the hole ${
              holeShare.toFixed(3)
            } ` +
            `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
        const near = nearHoleRatio(radii, a.projection.error, hole.min, hole.max, p.neighbourhood);
        perSeed.push({
          seed: w.seed,
          analysis: a,
          samples,
          projRadius,
          ratio,
          holeShare,
          nearRatio: near,
        });
      } finally {
        model.dispose();
      }
    }

    const meanError = meanOf(perSeed.map((s) => s.analysis.projection.error));
    const meanRatio = holeErrorRatio(radii, meanError, hole.min, hole.max);
    const nearRatio = nearHoleRatio(radii, meanError, hole.min, hole.max, p.neighbourhood);
    const details = {
      hole: [hole.min, hole.max],
      perSeed: perSeed.map((s) => ({
        seed: s.seed,
        inside: s.ratio.inside,
        outside: s.ratio.outside,
        ratio: s.ratio.ratio,
      })),
      insideCount: meanRatio.insideCount,
      outsideCount: meanRatio.outsideCount,
    };
    const checks: Check[] = [
      check(
        "dcgan",
        `mean projection error inside the hole (r in [${hole.min}, ${hole.max}]) over the mean outside, ` +
          `errors averaged over ${perSeed.length} seeds`,
        meanRatio.ratio,
        ">=",
        HOLE_RATIO_BAR,
        { ...details, inside: meanRatio.inside, outside: meanRatio.outside },
      ),
      ...perSeed.map((s) =>
        check(
          "dcgan",
          `seed ${s.seed}: mean projection error inside the hole over the mean outside`,
          s.ratio.ratio,
          ">=",
          HOLE_RATIO_BAR,
          { inside: s.ratio.inside, outside: s.ratio.outside },
        )
      ),
      check(
        "dcgan",
        "seeds whose hole/outside error ratio reaches the bar",
        perSeed.filter((s) => s.ratio.ratio >= HOLE_RATIO_BAR).length,
        "report",
        null,
        { of: perSeed.length },
      ),
      check(
        "dcgan",
        `report only: mean error inside the hole over the mean at observed radii within ${p.neighbourhood} px ` +
          `of it (r in [${hole.min - p.neighbourhood}, ${hole.min}) or (${hole.max}, ${
            hole.max + p.neighbourhood
          }]), seeds' mean`,
        nearRatio.ratio,
        "report",
        null,
        {
          inside: nearRatio.inside,
          near: nearRatio.near,
          nearCount: nearRatio.nearCount,
          perSeed: perSeed.map((s) => ({ seed: s.seed, ratio: s.nearRatio.ratio })),
        },
      ),
      check(
        "dcgan",
        "mean projection error outside the hole (per pixel, seeds' mean): how well the GAN covers the radii it saw",
        meanRatio.outside,
        "report",
        null,
        { perSeed: perSeed.map((s) => ({ seed: s.seed, outside: s.ratio.outside })) },
      ),
      check(
        "dcgan",
        `share of the prior's support [−1, 1] where G(z) has a radius in [${hole.min}, ${hole.max}] (mean over seeds)`,
        perSeed.reduce((a, s) => a + s.holeShare, 0) / perSeed.length,
        "report",
        null,
        { perSeed: perSeed.map((s) => ({ seed: s.seed, share: s.holeShare })) },
      ),
    ];

    // Figures.
    const base = (name: string) => ctx.outPath(name).replace(/\.svg$/, "");
    await projectionGrid(
      test.data,
      radii,
      perSeed.map((s) => ({ seed: s.seed, projected: s.analysis.projected })),
      side,
      p.columns,
      p.zoom,
      hole,
      base("figure.svg"),
    );
    await errorChart(
      radii,
      perSeed.map((s) => ({ seed: s.seed, error: s.analysis.projection.error })),
      meanError,
      hole,
      base("error.svg"),
    );
    await radiusChart(
      radii,
      perSeed.map((s) => ({ seed: s.seed, radius: s.projRadius })),
      hole,
      base("radius.svg"),
    );
    await samplesGrid(
      sampleZ,
      perSeed.map((s) => ({ seed: s.seed, images: s.samples })),
      side,
      base("samples.svg"),
    );
    await rangeChart(
      perSeed[0].analysis.projection.grid,
      perSeed.map((s) => ({ seed: s.seed, radius: s.analysis.gridRadius })),
      hole,
      base("range.svg"),
    );
    await lossChart(losses.runs, base("loss.svg"));

    const round = (a: ArrayLike<number>, digits = 6) =>
      Array.from(a, (v) => Number(v.toPrecision(digits)));
    await Deno.writeTextFile(
      ctx.outPath("projection.json"),
      stableJson({
        method: "z* = argmin over [−1, 1] of the per-pixel mean squared error: grid of " +
          `${p.gridPoints} points, then ${p.refineSteps} golden-section steps; G uses its population batch-norm statistics`,
        hole: [hole.min, hole.max],
        config,
        radii: round(radii),
        seeds: perSeed.map((s) => ({
          seed: s.seed,
          z: round(s.analysis.projection.z, 8),
          error: round(s.analysis.projection.error),
          projectionRadius: round(s.projRadius),
          inside: s.ratio.inside,
          outside: s.ratio.outside,
          ratio: s.ratio.ratio,
          nearRatio: s.nearRatio.ratio,
          holeShare: s.holeShare,
        })),
        meanError: round(meanError),
        meanRatio,
        nearRatio,
      }) + "\n",
    );
    await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
  },
});
