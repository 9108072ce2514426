/**
 * Reading what the size stages evaluate on (a disk data set is read by `lib/ml/disk_set.ts`):
 * the `dataset.json` of a dataset stage, the radii of a range, the image nearest a radius, and a
 * trained model (`weights.json` + `weights.bin` of a training stage) on the stage's backend.
 *
 * @module
 */
import type { Autoencoder } from "../../lib/ml/model.ts";
import { loadAutoencoder } from "../../lib/ml/analysis.ts";
import type { DiskSet } from "../../lib/ml/disk_set.ts";

/** The radius law a dataset stage recorded in its `dataset.json`. */
export interface DatasetLaw {
  /** `uniform`, `hole` or `grid`. */
  kind: string;
  /** Smallest radius. */
  min: number;
  /** Largest radius (R). */
  max: number;
  /** Monte Carlo samples per image, when the blur is `mc`. */
  samples: number;
  /** `mc` or `exact`. */
  blur: string;
  /** Blur σ. */
  sigma: number;
  /** Image side. */
  size: number;
  /** Disk centre (row, column). */
  centre: [number, number];
}

/** Reads the radius law and geometry from a dataset stage's `dataset.json`. */
export async function readDatasetLaw(path: string): Promise<DatasetLaw> {
  const meta = JSON.parse(await Deno.readTextFile(path));
  const s = meta?.sampler, g = meta?.geometry, p = meta?.params;
  if (!s || !g || !p || typeof s.max !== "number") {
    throw new Error(
      `Cannot read the radius law of "${path}": no sampler/geometry/params; regenerate the dataset stage`,
    );
  }
  return {
    kind: s.kind,
    min: s.min,
    max: s.max,
    samples: p.samples,
    blur: p.blur,
    sigma: g.sigma,
    size: g.size,
    centre: g.centre,
  };
}

/** Indices of the radii inside [lo, hi] (inclusive), in their order. */
export function indicesInRange(radii: ArrayLike<number>, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < radii.length; i++) if (radii[i] >= lo && radii[i] <= hi) out.push(i);
  return out;
}

/** Index of the radius nearest to r (the first one on ties). */
export function nearestIndex(radii: ArrayLike<number>, r: number): number {
  let best = 0;
  for (let i = 1; i < radii.length; i++) {
    if (Math.abs(radii[i] - r) < Math.abs(radii[best] - r)) best = i;
  }
  return best;
}

/** The images at some indices, packed one after the other. */
export function gatherImages(set: DiskSet, indices: readonly number[]): Float32Array {
  const p = set.size * set.size;
  const out = new Float32Array(indices.length * p);
  indices.forEach((k, i) => out.set(set.images.subarray(k * p, (k + 1) * p), i * p));
  return out;
}

/**
 * Loads a trained model on the backend the engine started for the stage (its manifest names
 * it). The caller disposes the model.
 */
export async function loadTrainedModel(json: string, bin: string): Promise<Autoencoder> {
  return await loadAutoencoder({ json, bin });
}
