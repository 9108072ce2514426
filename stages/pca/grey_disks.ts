/**
 * Disks of varying radius and grey level (S50, the failure case of the PCA-like autoencoder):
 * x = g · (g_σ ∗ 1_{B_r}), centred at ((m−1)/2, (m−1)/2) like the disks of P§4, rendered with
 * the exact radial blur of `lib/ml/disks.ts` (no Monte Carlo noise: two attributes only,
 * nothing else varies).
 *
 * The talk gives no law for r and g. Ours (each a stage parameter): r uniform on
 * [2, 31] (the range of the ellipses' semi-axes, continuous as the disks of P§4.1), g uniform
 * on [0.2, 1] (bounded away from 0 so that every disk stays visible and its radius defined).
 *
 * Cost: the blurred disk is 1 − P(|q| > r − ρ)-close to 1 inside and P(|q| > ρ − r)-close to 0
 * outside; beyond 9σ from the edge both tails are below e^{−40}, far under float32's
 * resolution, so only distances within 9σ of r are integrated ({@linkcode greyDiskProfile}).
 *
 * @module
 */
import { blurredDiskValue, ExactDiskRenderer } from "../../lib/ml/disks.ts";
import type { UniformSource } from "../../lib/ml/random.ts";

/** The law of (r, g). */
export interface GreyDiskSampler {
  /** Smallest radius (pixels). */
  radiusMin: number;
  /** Largest radius (pixels). */
  radiusMax: number;
  /** Smallest grey level. */
  greyMin: number;
  /** Largest grey level. */
  greyMax: number;
}

/** Our default law (see the module documentation). */
export const DEFAULT_GREY_DISKS: GreyDiskSampler = {
  radiusMin: 2,
  radiusMax: 31,
  greyMin: 0.2,
  greyMax: 1,
};

/** A generated set of grey disks. */
export interface GreyDiskDataset {
  /** n × m × m values, row-major. */
  images: Float32Array;
  /** n × 2 values: radius, grey level. */
  params: Float64Array;
}

/** Distance from the edge (in σ) beyond which the blurred disk is exactly 1 or 0 in float32. */
const TAIL = 9;

/**
 * The blurred disk's value at each distance of `distances` (the exact Rice CDF of
 * `blurredDiskValue`, set to 1 or 0 beyond TAIL·σ from the edge).
 */
export function greyDiskProfile(
  distances: Float64Array,
  radius: number,
  sigma: number,
): Float64Array {
  return Float64Array.from(
    distances,
    (rho) =>
      sigma > 0 && rho <= radius - TAIL * sigma
        ? 1
        : sigma > 0 && rho >= radius + TAIL * sigma
        ? 0
        : blurredDiskValue(rho, radius, sigma),
  );
}

/** Generates n grey disks: for each, r then g from `rng`. */
export function generateGreyDisks(
  n: number,
  s: GreyDiskSampler,
  size: number,
  sigma: number,
  rng: UniformSource,
): GreyDiskDataset {
  if (
    !(s.radiusMin > 0 && s.radiusMax >= s.radiusMin && s.greyMax >= s.greyMin && s.greyMin >= 0)
  ) {
    throw new Error(
      `Cannot sample grey disks from ${
        JSON.stringify(s)
      }: need 0 < rMin ≤ rMax and 0 ≤ gMin ≤ gMax`,
    );
  }
  // Only its radial structure is used: pixel → index of its distance to the centre.
  const { distances, pixelDistance } = new ExactDiskRenderer({ size, sigma }, 1);
  const P = size * size;
  const images = new Float32Array(n * P);
  const params = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const r = s.radiusMin + (s.radiusMax - s.radiusMin) * rng.next();
    const g = s.greyMin + (s.greyMax - s.greyMin) * rng.next();
    const profile = greyDiskProfile(distances, r, sigma);
    const img = images.subarray(i * P, (i + 1) * P);
    for (let k = 0; k < P; k++) img[k] = g * profile[pixelDistance[k]];
    params[2 * i] = r;
    params[2 * i + 1] = g;
  }
  return { images, params };
}
