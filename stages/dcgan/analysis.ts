/**
 * Running a trained generator on host arrays, and projecting test disks onto its range
 * (`projection.ts`) while recording the radius of every grid image along the way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Dcgan } from "./model.ts";
import { equivalentRadius } from "./metrics.ts";
import { type Projection, projectOntoGenerator } from "./projection.ts";

/**
 * G(z) for n codes (d = 1) with the population batch-norm statistics (inference), in chunks
 * of `chunk`; n × side² grey levels in [0, 1].
 */
export async function generateHost(
  model: Dcgan,
  z: Float32Array,
  chunk = 256,
): Promise<Float32Array> {
  const d = model.config.latentSize, P = model.config.imageSize ** 2;
  const n = z.length / d;
  const out = new Float32Array(n * P);
  for (let start = 0; start < n; start += chunk) {
    const b = Math.min(chunk, n - start);
    const y = tf.tidy(() =>
      model.generate(
        tf.tensor2d(z.subarray(start * d, (start + b) * d), [b, d], "float32"),
        "population",
      )
    );
    try {
      out.set((await y.data()) as Float32Array, start * P);
    } finally {
      y.dispose();
    }
  }
  return out;
}

/** A projection with the generator's radius along the grid. */
export interface SeedAnalysis {
  /** The projection of every target. */
  projection: Projection;
  /** Equivalent radius √(Σ G(z) / π) at every grid point. */
  gridRadius: Float64Array;
  /** The projected images G(z*), n × P. */
  projected: Float32Array;
}

/** Projects `count` targets onto G's range over [−1, 1] (the uniform prior's support). */
export async function analyseGenerator(
  model: Dcgan,
  targets: Float32Array,
  count: number,
  options: { gridPoints: number; refineSteps: number },
): Promise<SeedAnalysis> {
  const P = model.config.imageSize ** 2;
  const gridRadius = new Float64Array(options.gridPoints);
  let gridDone = 0;
  const generate = async (z: Float32Array) => {
    const images = await generateHost(model, z);
    // The grid comes first, in order; later calls are refinement points.
    for (let j = 0; j < z.length && gridDone < options.gridPoints; j++) {
      gridRadius[gridDone++] = equivalentRadius(images, j * P, P);
    }
    return images;
  };
  const projection = await projectOntoGenerator(targets, count, generate, {
    lo: -1,
    hi: 1,
    gridPoints: options.gridPoints,
    refineSteps: options.refineSteps,
  });
  return { projection, gridRadius, projected: projection.images };
}
