/**
 * Blurred centred disks, the training images of P§4 and App. A: x_r = g_σ ∗ 1_{B_r} on an
 * m×m grid (m = 64), σ = 0.5 pixel by default.
 *
 * Pixel (i, j) (row i, column j, both 0-based) sits at the point t = (i, j) of
 * Ω = [0, m−1]², and the disk is centred at `centre` = (c_row, c_col), by default
 * ((m−1)/2, (m−1)/2) = (31.5, 31.5) for m = 64: the centre of the grid, between four
 * pixels, so every image is symmetric under the 8 symmetries of the square. (The authors'
 * code used m = 63 with the centre on pixel 31; pass another centre to put it on a pixel.)
 *
 * Two renderers:
 * - {@linkcode monteCarloDisk}, as App. A and the authors' code: N draws q_i ~ N(0, σ²I),
 *   each shifting the whole pixel grid, and x(t) = (1/N) Σ_i 1[|t + q_i − c| ≤ r].
 * - {@linkcode ExactDiskRenderer}: the blurred disk depends only on ρ = |t − c|, and its
 *   value is P(|u + q| ≤ r) for |u| = ρ, q ~ N(0, σ²I), i.e. the CDF at r of a Rice
 *   distribution with parameters (ρ, σ) (= 1 − Marcum-Q₁(ρ/σ, r/σ)), integrated numerically
 *   to about 1e-12 ({@linkcode blurredDiskValue}).
 *
 * @module
 */
import type { Rng, UniformSource } from "./random.ts";

/** Where and how a disk is drawn. */
export interface DiskGeometry {
  /** Image side m (pixels). */
  size: number;
  /** Disk centre (row, column) in pixel coordinates; default ((m−1)/2, (m−1)/2). */
  centre?: [number, number];
  /** Standard deviation σ of the Gaussian blur, in pixels (0 gives a sharp indicator). */
  sigma: number;
}

/** The paper's geometry: 64×64, centred between the four middle pixels, σ = 0.5. */
export const PAPER_DISK_GEOMETRY: DiskGeometry = { size: 64, sigma: 0.5 };

function centreOf(g: DiskGeometry): [number, number] {
  return g.centre ?? [(g.size - 1) / 2, (g.size - 1) / 2];
}

/** Pixels sorted by their distance to the centre, shared by every disk of a geometry. */
interface RadialOrder {
  /** Pixel indices (i·m + j) in increasing distance. */
  order: Int32Array;
  /** Their distances, increasing. */
  rho: Float64Array;
  /** Row and column offsets t − c of the sorted pixels. */
  dy: Float64Array;
  dx: Float64Array;
}

const radialCache = new Map<string, RadialOrder>();

function radialOrder(g: DiskGeometry): RadialOrder {
  const [cy, cx] = centreOf(g);
  const key = `${g.size}/${cy}/${cx}`;
  const hit = radialCache.get(key);
  if (hit) return hit;
  const m = g.size, n = m * m;
  const idx = Array.from({ length: n }, (_, p) => p);
  const dist = (p: number) => Math.hypot(Math.floor(p / m) - cy, (p % m) - cx);
  idx.sort((a, b) => dist(a) - dist(b) || a - b);
  const r: RadialOrder = {
    order: Int32Array.from(idx),
    rho: Float64Array.from(idx, dist),
    dy: Float64Array.from(idx, (p) => Math.floor(p / m) - cy),
    dx: Float64Array.from(idx, (p) => (p % m) - cx),
  };
  radialCache.set(key, r);
  return r;
}

/** First index k with a[k] > x in an increasing array (a.length if none). */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Renders one blurred disk by Monte Carlo (App. A): `samples` shifts q ~ N(0, σ²I) drawn
 * from `rng` (two normal draws each, row then column), each shifting the whole grid, and
 * the average of the shifted indicator images.
 *
 * Cost: with a shift of length a = |q|, pixels with ρ ≤ r − a are inside and pixels with
 * ρ > r + a outside for sure (triangle inequality), so only the thin annulus between is
 * tested; the sure-inside part is added with a difference array over the radial order.
 */
export function monteCarloDisk(
  radius: number,
  geometry: DiskGeometry,
  samples: number,
  rng: UniformSource,
  out: Float32Array = new Float32Array(geometry.size * geometry.size),
): Float32Array {
  const { order, rho, dy, dx } = radialOrder(geometry);
  const n = order.length;
  if (out.length !== n) {
    throw new Error(`Cannot render disk into ${out.length} values: the image has ${n} pixels`);
  }
  const diff = new Int32Array(n + 1); // sure-inside counts, by radial rank
  const hits = new Int32Array(n); // annulus hits, by radial rank
  const r2 = radius * radius;
  for (let s = 0; s < samples; s++) {
    const qy = geometry.sigma * rng.normal();
    const qx = geometry.sigma * rng.normal();
    const a = Math.hypot(qy, qx);
    const kIn = radius - a >= 0 ? upperBound(rho, radius - a) : 0;
    diff[0] += 1;
    diff[kIn] -= 1;
    const outer = radius + a;
    for (let k = kIn; k < n && rho[k] <= outer; k++) {
      const y = dy[k] + qy, x = dx[k] + qx;
      if (y * y + x * x <= r2) hits[k]++;
    }
  }
  let run = 0;
  for (let k = 0; k < n; k++) {
    run += diff[k];
    out[order[k]] = (run + hits[k]) / samples;
  }
  return out;
}

// Gauss–Legendre 8-point nodes and weights on [−1, 1].
const GL_X = [
  -0.9602898564975363,
  -0.7966664774136267,
  -0.5255324099163290,
  -0.1834346424956498,
  0.1834346424956498,
  0.5255324099163290,
  0.7966664774136267,
  0.9602898564975363,
];
const GL_W = [
  0.1012285362903763,
  0.2223810344533745,
  0.3137066458778873,
  0.3626837833783620,
  0.3626837833783620,
  0.3137066458778873,
  0.2223810344533745,
  0.1012285362903763,
];

/**
 * e^{−x} I₀(x) for x ≥ 0 (exponentially scaled modified Bessel function of order 0), to
 * about 1e-15 relative: the power series (all terms positive, so no cancellation) up to
 * x = 20, Hankel's asymptotic expansion above (its smallest term is about e^{−2x}).
 */
export function besselI0e(x: number): number {
  x = Math.abs(x);
  if (x <= 20) {
    const q = (x * x) / 4;
    let term = 1, sum = 1;
    for (let k = 1; k < 200; k++) {
      term *= q / (k * k);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return sum * Math.exp(-x);
  }
  let term = 1, sum = 1;
  for (let k = 1; k < 60; k++) {
    const next = term * ((2 * k - 1) * (2 * k - 1)) / (8 * k * x);
    if (next > term) break; // the asymptotic series starts diverging
    term = next;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum / Math.sqrt(2 * Math.PI * x);
}

/**
 * The exact blurred-disk value at distance ρ from the centre: P(|u + q| ≤ r) with |u| = ρ,
 * q ~ N(0, σ²I), i.e. the Rice(ρ, σ) CDF at r = 1 − Marcum-Q₁(ρ/σ, r/σ):
 *
 *   ∫₀ʳ (s/σ²) exp(−(s − ρ)²/(2σ²)) I₀e(sρ/σ²) ds,
 *
 * (the Rice density written with the scaled Bessel function so nothing overflows). The
 * integrand is a bump of width ≈ σ around s = ρ, so the range is cut to ρ ± 12σ (the
 * neglected mass is below e^{−72}) and integrated with 8-point Gauss–Legendre on panels of
 * width σ/2: absolute error about 1e-12.
 */
export function blurredDiskValue(rho: number, radius: number, sigma: number): number {
  if (radius <= 0) return 0;
  if (sigma <= 0) return rho <= radius ? 1 : 0;
  const K = 12;
  const a = Math.max(0, rho - K * sigma);
  const b = Math.min(radius, rho + K * sigma);
  if (b <= a) return 0; // radius below the bump: nothing inside
  const s2 = sigma * sigma;
  const panels = Math.max(1, Math.ceil((b - a) / (sigma / 2)));
  const h = (b - a) / panels;
  let total = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let k = 0; k < 8; k++) {
      const s = mid + 0.5 * h * GL_X[k];
      const d = s - rho;
      total += GL_W[k] * (s / s2) * Math.exp(-(d * d) / (2 * s2)) * besselI0e((s * rho) / s2);
    }
  }
  return Math.min(1, Math.max(0, 0.5 * h * total));
}

/**
 * Renders exact blurred disks. All pixels at the same distance share one value, so each
 * radius costs one {@linkcode blurredDiskValue} per distinct distance (528 for m = 64 with
 * the default centre); the radial profiles are cached per radius.
 */
export class ExactDiskRenderer {
  readonly geometry: DiskGeometry;
  /** Distinct distances to the centre, increasing. */
  readonly distances: Float64Array;
  /** For each pixel, the index of its distance in {@linkcode distances}. */
  readonly pixelDistance: Int32Array;
  #profiles = new Map<number, Float64Array>();
  #maxCache: number;

  /** Prepares the radial structure of a geometry; `maxCache` bounds the profile cache. */
  constructor(geometry: DiskGeometry, maxCache = 4096) {
    this.geometry = geometry;
    this.#maxCache = maxCache;
    const { order, rho } = radialOrder(geometry);
    const distinct: number[] = [];
    this.pixelDistance = new Int32Array(order.length);
    for (let k = 0; k < order.length; k++) {
      // Equal distances come out of Math.hypot bit-identical for symmetric offsets, but a
      // tolerance guards against last-bit differences.
      if (distinct.length === 0 || rho[k] - distinct[distinct.length - 1] > 1e-9) {
        distinct.push(rho[k]);
      }
      this.pixelDistance[order[k]] = distinct.length - 1;
    }
    this.distances = Float64Array.from(distinct);
  }

  /** The radial profile of radius r: the value at each distinct distance (cached). */
  profile(radius: number): Float64Array {
    const hit = this.#profiles.get(radius);
    if (hit) return hit;
    const { sigma } = this.geometry;
    const p = Float64Array.from(this.distances, (rho) => blurredDiskValue(rho, radius, sigma));
    if (this.#profiles.size >= this.#maxCache) this.#profiles.clear();
    this.#profiles.set(radius, p);
    return p;
  }

  /** Renders the disk of radius r (row-major m×m). */
  render(
    radius: number,
    out: Float32Array = new Float32Array(this.pixelDistance.length),
  ): Float32Array {
    const p = this.profile(radius);
    for (let i = 0; i < out.length; i++) out[i] = p[this.pixelDistance[i]];
    return out;
  }
}

/** How radii are drawn: plain data, so it can sit in a stage's parameters and sidecar. */
export type RadiusSampler =
  | { kind: "uniform"; min: number; max: number }
  | { kind: "hole"; min: number; max: number; holeMin: number; holeMax: number }
  | { kind: "grid"; min: number; max: number };

/** Uniform on (0, m/2) = (0, 32): the training set of P§4.1. */
export function uniformRadii(max = 32, min = 0): RadiusSampler {
  return { kind: "uniform", min, max };
}

/** Uniform on (0, R]: the "limited" training set of P-Fig 5 (R = 18 in App. C). */
export function limitedRadii(maxRadius: number): RadiusSampler {
  return { kind: "uniform", min: 0, max: maxRadius };
}

/** Uniform on (0, 32) without [11, 18]: the "hole" training set of P-Fig 6. */
export function holeRadii(holeMin = 11, holeMax = 18, max = 32, min = 0): RadiusSampler {
  return { kind: "hole", min, max, holeMin, holeMax };
}

/** A regular grid min..max inclusive (the test set; the authors used 300 radii). */
export function gridRadii(min: number, max: number): RadiusSampler {
  return { kind: "grid", min, max };
}

/**
 * Draws n radii. `uniform`: min + (max − min)·u, redrawn in the measure-zero case r = min
 * (open interval (min, max)). `hole`: one uniform draw on (min, max − (holeMax − holeMin))
 * mapped past the hole, so the density is uniform on (min, holeMin) ∪ (holeMax, max) and
 * no radius lies in [holeMin, holeMax]. `grid`: n equally spaced values from min to max
 * inclusive (no draws).
 */
export function sampleRadii(sampler: RadiusSampler, n: number, rng: UniformSource): Float64Array {
  const out = new Float64Array(n);
  if (sampler.kind === "grid") {
    for (let i = 0; i < n; i++) {
      out[i] = n === 1 ? sampler.min : sampler.min + ((sampler.max - sampler.min) * i) / (n - 1);
    }
    return out;
  }
  const { min, max } = sampler;
  const gap = sampler.kind === "hole" ? sampler.holeMax - sampler.holeMin : 0;
  if (!(max - gap > min) || gap < 0) {
    throw new Error(
      `Cannot sample radii from ${JSON.stringify(sampler)}: the range is empty; fix the bounds`,
    );
  }
  for (let i = 0; i < n; i++) {
    let r: number;
    do r = min + (max - gap - min) * rng.next(); while (r === min);
    if (sampler.kind === "hole" && r >= sampler.holeMin) {
      r += gap;
      if (r === sampler.holeMax) r = nextUp(r); // keep the hole closed
    }
    out[i] = r;
  }
  return out;
}

/** The next double above a positive finite x. */
function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  u[0] += 1n;
  return b[0];
}

/** Settings of a disk dataset: plain data, written to `dataset.json`. */
export interface DiskDatasetSpec {
  /** Number of images. */
  count: number;
  /** Image geometry and blur. */
  geometry: DiskGeometry;
  /** How radii are drawn. */
  sampler: RadiusSampler;
  /** `mc`: Monte Carlo as App. A; `exact`: the exact radial profile. */
  blur: "mc" | "exact";
  /** Monte Carlo samples per image (App. A / the authors' code: 800). */
  samples: number;
}

/** A generated dataset. */
export interface DiskDataset {
  /** count × m × m values, row-major, image after image. */
  images: Float32Array;
  /** The radius of each image. */
  radii: Float64Array;
}

/**
 * Generates a dataset: radii from `rng.fork("radii")`, Monte Carlo shifts from
 * `rng.fork("blur")`, so changing the blur method keeps the radii.
 */
export function generateDiskDataset(spec: DiskDatasetSpec, rng: Rng): DiskDataset {
  const { count, geometry } = spec;
  const n = geometry.size * geometry.size;
  const radii = sampleRadii(spec.sampler, count, rng.fork("radii"));
  const images = new Float32Array(count * n);
  if (spec.blur === "exact") {
    const renderer = new ExactDiskRenderer(geometry);
    for (let i = 0; i < count; i++) renderer.render(radii[i], images.subarray(i * n, (i + 1) * n));
  } else {
    const blur = rng.fork("blur");
    for (let i = 0; i < count; i++) {
      monteCarloDisk(radii[i], geometry, spec.samples, blur, images.subarray(i * n, (i + 1) * n));
    }
  }
  return { images, radii };
}
