/**
 * Centred, blurred ellipses with three parameters (S48): two semi-axes and a rotation.
 *
 * Geometry. Pixel (i, j) (row i, column j) sits at the point (i, j); the centre is
 * c = ((m−1)/2, (m−1)/2) = (31.5, 31.5) for m = 64, as the disks of `lib/ml/disks.ts`, so
 * the two central rows (31, 32), the two central columns and both diagonals are symmetric
 * about the centre. With p = (row − c, col − c) and the rotation θ,
 *
 *   u = p_col cos θ − p_row sin θ,   v = p_col sin θ + p_row cos θ,
 *   E = { p : (u/a)² + (v/b)² ≤ 1 },
 *
 * so `a` is the semi-axis along the horizontal direction turned by θ counter-clockwise on the
 * screen (rows grow downwards), `b` the other one.
 *
 * Blur. As App. A does for disks: x(t) = (1/N) Σ_s 1[t + q_s ∈ E], q_s ~ N(0, σ²I), each
 * sample shifting the whole pixel grid (σ = 0.5). The authors' PCAAE code instead sampled the
 * indicator at pixel centres and filtered it with a discrete Gaussian (σ = 0.5); the Monte
 * Carlo version approximates the continuous g_σ ∗ 1_E the paper's disks use.
 *
 * Cost. n(p) = √((u/a)² + (v/b)²) is a norm whose unit ball is E, and n(p) ≤ |p| / min(a, b),
 * so n is Lipschitz with constant 1/min(a, b): a shift of length ρ cannot move a pixel with
 * n ≤ 1 − ρ/min(a, b) out of E nor one with n > 1 + ρ/min(a, b) into it. Pixels beyond the
 * largest shift's band take 0 or 1 at once; the others are sorted by n, and per sample only
 * that sample's band is tested, the sure-inside part counted with a difference array (as
 * `monteCarloDisk` does).
 *
 * Parameters (the authors' code): semi-axes uniform integers 2..31 (`randint(m/32, m/2)`),
 * rotation uniform integer degrees 0..89 (`randint(0, 90)`).
 *
 * @module
 */
import type { UniformSource } from "../../lib/ml/random.ts";

/** One ellipse: semi-axes in pixels and rotation in degrees. */
export interface EllipseParams {
  /** Semi-axis along the rotated horizontal direction (pixels). */
  a: number;
  /** Semi-axis along the rotated vertical direction (pixels). */
  b: number;
  /** Rotation θ in degrees, counter-clockwise on the screen. */
  thetaDeg: number;
}

/** Image side, blur and Monte Carlo samples. */
export interface EllipseGeometry {
  /** Image side m. */
  size: number;
  /** Blur σ in pixels (0: the sharp indicator at pixel centres). */
  sigma: number;
  /** Monte Carlo samples per image. */
  samples: number;
}

/** The default geometry: 64×64, σ = 0.5, 800 samples (App. A's count for disks). */
export const ELLIPSE_GEOMETRY: EllipseGeometry = { size: 64, sigma: 0.5, samples: 800 };

/** The norm n(p) of every pixel (row-major), for the ellipse. */
export function ellipseNorms(e: EllipseParams, size: number): Float64Array {
  if (!(e.a > 0 && e.b > 0)) {
    throw new Error(`Cannot draw ellipse with semi-axes ${e.a}, ${e.b}: both must be positive`);
  }
  const c = (size - 1) / 2;
  const th = (e.thetaDeg * Math.PI) / 180;
  const cs = Math.cos(th), sn = Math.sin(th);
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    const pr = i - c;
    for (let j = 0; j < size; j++) {
      const pc = j - c;
      const u = (pc * cs - pr * sn) / e.a, v = (pc * sn + pr * cs) / e.b;
      out[i * size + j] = Math.sqrt(u * u + v * v);
    }
  }
  return out;
}

/**
 * Renders one blurred ellipse by Monte Carlo (see the module documentation), drawing two
 * normals (row, then column shift) per sample from `rng`.
 */
export function renderEllipse(
  e: EllipseParams,
  g: EllipseGeometry,
  rng: UniformSource,
  out: Float32Array = new Float32Array(g.size * g.size),
): Float32Array {
  const m = g.size, n = m * m;
  if (out.length !== n) {
    throw new Error(`Cannot render ellipse into ${out.length} values: the image has ${n}`);
  }
  const norms = ellipseNorms(e, m);
  if (g.sigma === 0) {
    for (let k = 0; k < n; k++) out[k] = norms[k] <= 1 ? 1 : 0;
    return out;
  }
  const c = (m - 1) / 2;
  const th = (e.thetaDeg * Math.PI) / 180;
  // u/a and v/b as linear forms of (row, col) offsets.
  const ur = -Math.sin(th) / e.a,
    uc = Math.cos(th) / e.a,
    vr = Math.cos(th) / e.b,
    vc = Math.sin(th) / e.b;
  const lip = 1 / Math.min(e.a, e.b);
  // All shifts first (row then column for each sample, as drawn), and the largest reach.
  const qr = new Float64Array(g.samples),
    qc = new Float64Array(g.samples),
    reach = new Float64Array(g.samples);
  let maxReach = 0;
  for (let s = 0; s < g.samples; s++) {
    qr[s] = g.sigma * rng.normal();
    qc[s] = g.sigma * rng.normal();
    reach[s] = Math.hypot(qr[s], qc[s]) * lip;
    maxReach = Math.max(maxReach, reach[s]);
  }
  // Pixels with n ≤ 1 − maxReach are inside for every shift, n > 1 + maxReach outside; only the
  // candidates between are sorted by n and tested.
  const cand: number[] = [];
  for (let k = 0; k < n; k++) {
    if (norms[k] <= 1 - maxReach) out[k] = 1;
    else if (norms[k] > 1 + maxReach) out[k] = 0;
    else cand.push(k);
  }
  cand.sort((p, q) => norms[p] - norms[q] || p - q);
  const nc = cand.length;
  const sorted = Float64Array.from(cand, (k) => norms[k]);
  const dr = Float64Array.from(cand, (k) => Math.floor(k / m) - c);
  const dc = Float64Array.from(cand, (k) => (k % m) - c);
  const diff = new Int32Array(nc + 1);
  const hits = new Int32Array(nc);
  for (let s = 0; s < g.samples; s++) {
    // Candidate ranks [0, kIn) are inside for sure; [kIn, kOut) are tested one by one.
    const kIn = lowerBoundAbove(sorted, 1 - reach[s]);
    const kOut = lowerBoundAbove(sorted, 1 + reach[s]);
    diff[0] += 1;
    diff[kIn] -= 1;
    // The shift adds the same amount to u/a and v/b at every pixel.
    const u0 = qr[s] * ur + qc[s] * uc, v0 = qr[s] * vr + qc[s] * vc;
    for (let k = kIn; k < kOut; k++) {
      const u = dr[k] * ur + dc[k] * uc + u0, v = dr[k] * vr + dc[k] * vc + v0;
      if (u * u + v * v <= 1) hits[k]++;
    }
  }
  let run = 0;
  for (let k = 0; k < nc; k++) {
    run += diff[k];
    out[cand[k]] = (run + hits[k]) / g.samples;
  }
  return out;
}

/** First index k with a[k] > x in an increasing array (a.length if none). */
function lowerBoundAbove(a: Float64Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How ellipse parameters are drawn (plain data, as stage parameters). */
export interface EllipseSampler {
  /** Smallest semi-axis, inclusive (authors: m/32 = 2). */
  axisMin: number;
  /** Largest semi-axis, inclusive (authors: m/2 − 1 = 31). */
  axisMax: number;
  /** Largest rotation in degrees, exclusive (authors: 90); rotations are integers from 0. */
  rotationMax: number;
}

/** The authors' law: semi-axes integers 2..31, rotation integers 0..89 degrees. */
export const AUTHORS_ELLIPSES: EllipseSampler = { axisMin: 2, axisMax: 31, rotationMax: 90 };

/** Uniform integer in [lo, hi]. */
function uniformInt(rng: UniformSource, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}

/** Draws n ellipses: a, b, then θ for each, in that order. */
export function sampleEllipses(s: EllipseSampler, n: number, rng: UniformSource): EllipseParams[] {
  if (
    !(Number.isInteger(s.axisMin) && Number.isInteger(s.axisMax) && s.axisMin >= 1 &&
      s.axisMax >= s.axisMin)
  ) {
    throw new Error(
      `Cannot sample ellipses with semi-axes ${s.axisMin}..${s.axisMax}: need integers 1 ≤ min ≤ max`,
    );
  }
  if (!(Number.isInteger(s.rotationMax) && s.rotationMax >= 1)) {
    throw new Error(`Cannot sample rotations below ${s.rotationMax}°: need a positive integer`);
  }
  const out: EllipseParams[] = [];
  for (let i = 0; i < n; i++) {
    const a = uniformInt(rng, s.axisMin, s.axisMax);
    const b = uniformInt(rng, s.axisMin, s.axisMax);
    const thetaDeg = uniformInt(rng, 0, s.rotationMax - 1);
    out.push({ a, b, thetaDeg });
  }
  return out;
}

/** A generated ellipse set. */
export interface EllipseDataset {
  /** n × m × m values, row-major, image after image. */
  images: Float32Array;
  /** The parameters, n × 3 (a, b, θ in degrees). */
  params: Float64Array;
}

/**
 * Generates n ellipses: parameters from `rng.fork("params")`-like sources given by the
 * caller as two generators (parameters, blur), so the parameters do not depend on the blur.
 */
export function generateEllipses(
  n: number,
  sampler: EllipseSampler,
  g: EllipseGeometry,
  paramRng: UniformSource,
  blurRng: UniformSource,
): EllipseDataset {
  const P = g.size * g.size;
  const list = sampleEllipses(sampler, n, paramRng);
  const images = new Float32Array(n * P);
  const params = new Float64Array(n * 3);
  list.forEach((e, i) => {
    renderEllipse(e, g, blurRng, images.subarray(i * P, (i + 1) * P));
    params.set([e.a, e.b, e.thetaDeg], 3 * i);
  });
  return { images, params };
}
