/**
 * The datasets of the PCA-like autoencoder experiments (S48, S50), one stage each, so every
 * model and every figure reuses the cached images:
 *
 * - `data-ellipses` / `data-ellipses-test`: centred blurred ellipses (`ellipses.ts`), training
 *   set and fresh images for the measurements (an independent draw);
 * - `data-grey` / `data-grey-test`: disks of varying radius and grey level (`grey_disks.ts`).
 *
 * Each writes `images.npy` (float32 [n, m, m]), `params.npy` (float64 [n, 3]: a, b, θ° for
 * ellipses; [n, 2]: r, g for grey disks) and `dataset.json` (parameters and statistics).
 * Sizes follow the authors' PCAAE code (20,480 training images, 1,000 for the evaluation).
 *
 * @module
 */
import { type Context, defineStage } from "../../pipeline/stage.ts";
import { stableJson, writeNpy } from "../../lib/ml/npy.ts";
import { generateEllipses } from "./ellipses.ts";
import { generateGreyDisks } from "./grey_disks.ts";

/** Options of an ellipse dataset stage. */
interface EllipseStageOptions {
  id: string;
  description: string;
  count: number;
  quickCount: number;
  seed: number;
}

function ellipseStage(o: EllipseStageOptions) {
  return defineStage({
    id: o.id,
    description: o.description,
    module: import.meta.url,
    params: {
      count: {
        type: "integer",
        default: o.count,
        quick: o.quickCount,
        min: 1,
        doc: "number of images (authors' PCAAE code: 20,480 for training, 1,000 to evaluate)",
      },
      size: { type: "integer", default: 64, min: 4, doc: "image side m (S48: 64)" },
      sigma: {
        type: "number",
        default: 0.5,
        min: 0,
        doc: "Gaussian blur σ in pixels (authors' code: 0.5)",
      },
      samples: {
        type: "integer",
        default: 800,
        quick: 200,
        min: 1,
        doc:
          "Monte Carlo shifts per image (App. A's 800 for disks; quick: 200, noise ≈ 0.035 on edge pixels)",
      },
      axisMin: {
        type: "integer",
        default: 2,
        min: 1,
        doc: "smallest semi-axis, inclusive (authors: randint(m/32, m/2) → 2)",
      },
      axisMax: {
        type: "integer",
        default: 31,
        min: 1,
        doc: "largest semi-axis, inclusive (authors: 31)",
      },
      rotationMax: {
        type: "integer",
        default: 90,
        min: 1,
        doc: "rotations are integer degrees 0..rotationMax−1 (authors: 0..89)",
      },
      seed: {
        type: "integer",
        default: o.seed,
        doc: "seed label: datasets differing only by it are independent draws",
      },
    },
    inputs: {},
    outputs: ["images.npy", "params.npy", "dataset.json"],
    // Measured on a loaded 2-core CPU: 1.9 ms per image with 200 samples.
    estimate: (p) => p.count * (0.001 + p.samples * 5e-6),
    async run(ctx) {
      const p = ctx.params;
      const sampler = { axisMin: p.axisMin, axisMax: p.axisMax, rotationMax: p.rotationMax };
      const t0 = performance.now();
      const ds = generateEllipses(
        p.count,
        sampler,
        { size: p.size, sigma: p.sigma, samples: p.samples },
        ctx.rng.fork("params"),
        ctx.rng.fork("blur"),
      );
      ctx.record("generation_seconds", (performance.now() - t0) / 1000);
      await writeNpy(ctx.outPath("images.npy"), {
        data: ds.images,
        shape: [p.count, p.size, p.size],
      });
      await writeNpy(ctx.outPath("params.npy"), { data: ds.params, shape: [p.count, 3] });
      await writeMeta(ctx, {
        params: p,
        centre: [(p.size - 1) / 2, (p.size - 1) / 2],
        columns: [
          "a (semi-axis along the rotated horizontal)",
          "b",
          "theta (degrees, counter-clockwise on screen)",
        ],
        stats: columnStats(ds.params, 3),
        layout: "images.npy: float32 [n, m, m], row-major; params.npy: float64 [n, 3] = a, b, θ°",
      });
    },
  });
}

/** Options of a grey-disk dataset stage. */
interface GreyStageOptions {
  id: string;
  description: string;
  count: number;
  quickCount: number;
  seed: number;
}

function greyStage(o: GreyStageOptions) {
  return defineStage({
    id: o.id,
    description: o.description,
    module: import.meta.url,
    params: {
      count: {
        type: "integer",
        default: o.count,
        quick: o.quickCount,
        min: 1,
        doc: "number of images (as the ellipse sets)",
      },
      size: { type: "integer", default: 64, min: 4, doc: "image side m" },
      sigma: {
        type: "number",
        default: 0.5,
        min: 0,
        doc: "Gaussian blur σ in pixels (exact radial blur)",
      },
      radiusMin: {
        type: "number",
        default: 2,
        min: 0,
        doc: "smallest radius (our choice: the ellipses' smallest semi-axis; S50 gives none)",
      },
      radiusMax: {
        type: "number",
        default: 31,
        min: 0,
        doc: "largest radius (our choice: the ellipses' largest semi-axis)",
      },
      greyMin: {
        type: "number",
        default: 0.2,
        min: 0,
        doc: "smallest grey level (our choice: away from 0 so every disk is visible)",
      },
      greyMax: { type: "number", default: 1, min: 0, doc: "largest grey level" },
      seed: {
        type: "integer",
        default: o.seed,
        doc: "seed label: datasets differing only by it are independent draws",
      },
    },
    inputs: {},
    outputs: ["images.npy", "params.npy", "dataset.json"],
    // One exact radial profile per image, only near the edge: 2.4 ms on a loaded 2-core CPU.
    estimate: (p) => p.count * 0.0025,
    async run(ctx) {
      const p = ctx.params;
      const t0 = performance.now();
      const ds = generateGreyDisks(
        p.count,
        { radiusMin: p.radiusMin, radiusMax: p.radiusMax, greyMin: p.greyMin, greyMax: p.greyMax },
        p.size,
        p.sigma,
        ctx.rng.fork("params"),
      );
      ctx.record("generation_seconds", (performance.now() - t0) / 1000);
      await writeNpy(ctx.outPath("images.npy"), {
        data: ds.images,
        shape: [p.count, p.size, p.size],
      });
      await writeNpy(ctx.outPath("params.npy"), { data: ds.params, shape: [p.count, 2] });
      await writeMeta(ctx, {
        params: p,
        centre: [(p.size - 1) / 2, (p.size - 1) / 2],
        columns: ["r (radius, pixels)", "g (grey level)"],
        stats: columnStats(ds.params, 2),
        layout: "images.npy: float32 [n, m, m], row-major; params.npy: float64 [n, 2] = r, g",
      });
    },
  });
}

/** Minimum, maximum and mean of each column of an n × c array. */
export function columnStats(
  values: Float64Array,
  c: number,
): { min: number; max: number; mean: number }[] {
  const n = values.length / c;
  return Array.from({ length: c }, (_, j) => {
    let lo = Infinity, hi = -Infinity, s = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i * c + j];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      s += v;
    }
    return { min: lo, max: hi, mean: s / n };
  });
}

// deno-lint-ignore no-explicit-any
async function writeMeta(ctx: Context<any>, meta: unknown): Promise<void> {
  await Deno.writeTextFile(ctx.outPath("dataset.json"), stableJson(meta) + "\n");
}

/** S48: the training ellipses. */
export const dataEllipses = ellipseStage({
  id: "data-ellipses",
  description: "training ellipses (S48): semi-axes 2–31, rotation 0–89°, Monte Carlo blur σ = 0.5",
  count: 20480,
  quickCount: 1000,
  seed: 1,
});

/** Fresh ellipses for the measurements (never trained on). */
export const dataEllipsesTest = ellipseStage({
  id: "data-ellipses-test",
  description: "fresh ellipses for measuring the codes (an independent draw of the same law)",
  count: 1000,
  quickCount: 300,
  seed: 2,
});

/** S50: the training grey disks. */
export const dataGrey = greyStage({
  id: "data-grey",
  description:
    "training disks of varying radius (2–31) and grey level (0.2–1) (S50), exact blur σ = 0.5",
  count: 20480,
  quickCount: 1000,
  seed: 3,
});

/** Fresh grey disks for the measurements. */
export const dataGreyTest = greyStage({
  id: "data-grey-test",
  description: "fresh grey disks for measuring the codes (an independent draw of the same law)",
  count: 1000,
  quickCount: 300,
  seed: 4,
});

/** Every dataset stage of this directory. */
export const pcaDatasetStages = [dataEllipses, dataEllipsesTest, dataGrey, dataGreyTest];
