/**
 * Comparison of three radial profiles for P-Fig 12 / S18 and the `airy` check: the profile
 * learned by the autoencoder without biases, the numerical maximiser of J (P Eq. 7) and the
 * closed-form Airy-type solution.
 *
 * Normalisation (the same for all three): on the comparison interval each profile is
 * divided by its L² norm and its sign is chosen so that its mean is positive. The norm is
 * `radial` by default, ‖g‖² = ∫ g(ρ)² ρ dρ, the 2-D L² norm of a radial function and the
 * paper's constraint; `uniform`, ∫ g(ρ)² dρ, is also reported. The relative L² distance of
 * a to b is then ‖a − b‖ / ‖b‖ = ‖a − b‖. Curves are returned multiplied by one common factor
 * that makes the Airy curve equal to 1 at t = 0 (as drawn in S18); a common factor changes no
 * distance.
 *
 * @module
 */

import { airyK, airyProfile } from "./airy_profile.ts";
import { GAUSS4_NODES, GAUSS4_WEIGHTS } from "./gauss_legendre.ts";
import { foldProfile, interpLinear, type Profile } from "./interpolate.ts";
import {
  type ConstraintKind,
  type EnergyMaximiser,
  maximiseRadialEnergy,
} from "./radial_energy.ts";

/** The weight of the L² norm: `radial` is ρ dρ, `uniform` is dρ. */
export type NormWeight = "radial" | "uniform";

/** Pairwise relative L² distances between the normalised profiles. */
export interface ProfileDistances {
  /** Learned profile against the maximiser of J. */
  learnedVsMaximiser: number;
  /** Learned profile against the Airy solution. */
  learnedVsAiry: number;
  /** Maximiser of J against the Airy solution. */
  maximiserVsAiry: number;
}

/** Options of {@link compareProfiles}. */
export interface CompareOptions {
  /** Norm used for `distances` (both are always in `distancesByWeight`). Default `radial`. */
  weight?: NormWeight;
  /** Points of the common grid. Default 256. */
  samples?: number;
  /** Intervals of the grid on which J is maximised. Default 400. */
  gridN?: number;
  /** A maximiser already computed for this R (saves the eigen-solve). */
  maximiser?: EnergyMaximiser;
}

/** Result of {@link compareProfiles}. */
export interface ProfileComparison {
  /** The largest radius R (first zero of the Airy solution, end of the maximiser's support). */
  R: number;
  /** k of the Airy solution y'' = −k t y with first zero at R. */
  k: number;
  /** The common interval [lo, hi]: the learned samples' range clipped to [0, R]. */
  range: [number, number];
  /** The norm used for `distances`. */
  weight: NormWeight;
  /** Distances under `weight`. */
  distances: ProfileDistances;
  /** Distances under each norm. */
  distancesByWeight: Record<NormWeight, ProfileDistances>;
  /** The three normalised curves on the common grid (scaled so that the Airy curve is 1 at 0). */
  curves: { t: number[]; learned: number[]; maximiser: number[]; airy: number[] };
  /** How the curves were normalised, in words. */
  normalisation: string;
}

/** Trapezoid weights on a uniform grid, times ρ for the radial norm. */
function quadratureWeights(t: number[], weight: NormWeight): number[] {
  const n = t.length, h = (t[n - 1] - t[0]) / (n - 1);
  return t.map((ti, j) => (j === 0 || j === n - 1 ? h / 2 : h) * (weight === "radial" ? ti : 1));
}

/** g divided by its weighted L² norm, sign chosen so that Σ q g > 0; also returns the norm. */
function normalise(g: number[], q: number[]): { g: number[]; norm: number } {
  let n2 = 0, mean = 0;
  for (let j = 0; j < g.length; j++) {
    n2 += q[j] * g[j] * g[j];
    mean += q[j] * g[j];
  }
  const norm = Math.sqrt(n2);
  if (!(norm > 0)) throw new RangeError("Cannot normalise a profile that is zero on the interval");
  const s = (mean < 0 ? -1 : 1) / norm;
  return { g: g.map((x) => x * s), norm };
}

function distance(a: number[], b: number[], q: number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += q[j] * (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

/**
 * Normalises the learned profile, the maximiser of J and the Airy solution the same way on
 * the learned profile's range clipped to [0, R], and returns their relative L² distances and
 * the curves.
 *
 * @param learned a radial profile (t = distance to the centre; signed positions along a line
 *   through the centre are folded, both halves averaged)
 * @param R the largest training radius (32 for the full disk data set, 18 for App. C)
 * @throws {RangeError} when the learned profile has no samples inside [0, R].
 */
export function compareProfiles(
  learned: Profile,
  R: number,
  options: CompareOptions = {},
): ProfileComparison {
  const weight = options.weight ?? "radial";
  const samples = options.samples ?? 256;
  const gridN = options.gridN ?? 400;
  const folded = foldProfile(learned);
  const lo = folded.t[0], hi = Math.min(R, folded.t[folded.t.length - 1]);
  if (!(hi > lo)) {
    throw new RangeError(
      `Cannot compare profiles: the learned samples [${lo}, ${folded.t.at(-1)}] do not overlap ` +
        `[0, ${R}]`,
    );
  }
  const max = options.maximiser ?? maximiseRadialEnergy(R, gridN);
  if (max.R !== R) {
    throw new RangeError(
      `Cannot compare profiles: the maximiser given is for R = ${max.R}, not ${R}`,
    );
  }
  const t = Array.from({ length: samples }, (_, j) => lo + ((hi - lo) * j) / (samples - 1));
  const rawLearned = t.map((x) => interpLinear(folded.t, folded.f, x));
  const rawMax = t.map((x) => interpLinear(max.nodes, max.f, x));
  const rawAiry = t.map((x) => airyProfile(x, R));
  const byWeight = {} as Record<NormWeight, ProfileDistances>;
  let curves: ProfileComparison["curves"] | undefined;
  for (const w of ["radial", "uniform"] as const) {
    const q = quadratureWeights(t, w);
    const l = normalise(rawLearned, q), m = normalise(rawMax, q), a = normalise(rawAiry, q);
    byWeight[w] = {
      learnedVsMaximiser: distance(l.g, m.g, q),
      learnedVsAiry: distance(l.g, a.g, q),
      maximiserVsAiry: distance(m.g, a.g, q),
    };
    if (w === weight) {
      // The raw Airy curve is 1 at t = 0, so after division by a.norm it is 1/a.norm there.
      const scale = a.norm;
      curves = {
        t,
        learned: l.g.map((x) => x * scale),
        maximiser: m.g.map((x) => x * scale),
        airy: a.g.map((x) => x * scale),
      };
    }
  }
  return {
    R,
    k: airyK(R),
    range: [lo, hi],
    weight,
    distances: byWeight[weight],
    distancesByWeight: byWeight,
    curves: curves!,
    normalisation: `each profile divided by its ${weight} L² norm on [${lo}, ${hi}] ` +
      `(${weight === "radial" ? "∫ g² ρ dρ" : "∫ g² dρ"}), sign making its mean positive; ` +
      "curves then multiplied by one common factor so that the Airy curve is 1 at t = 0",
  };
}

/** Accuracy of the maximiser of J against the Airy solution on the whole of [0, R]. */
export interface MaximiserAiryReport {
  /** Largest radius R. */
  R: number;
  /** Grid intervals. */
  N: number;
  /** Constraint used for the maximiser. */
  constraint: ConstraintKind;
  /** Relative L² distance, radial norm (∫ g² ρ dρ), both unit-normalised. */
  relL2Radial: number;
  /** Relative L² distance, uniform norm (∫ g² dρ), both unit-normalised. */
  relL2Uniform: number;
  /** max |f − y| with both scaled to 1 at ρ = 0. */
  maxAbsFromOne: number;
  /** The top eigenvalue μ = J(f) with ‖f‖ = 1. */
  mu: number;
  /** The continuous prediction (R/x₀)³ = 1/k. */
  muAiry: number;
  /** μ₂/μ: spectral gap of the maximiser. */
  gapRatio: number;
  /** f(R)/f(0): the natural boundary condition f(R) = 0. */
  endValue: number;
  /** (f(h) − f(0))/h relative to f(0)/R: the natural condition f'(0) = 0, discretely. */
  startSlope: number;
}

/**
 * Distances between the discrete maximiser of J (N intervals) and the closed-form Airy
 * solution over all of [0, R], computed exactly for the piecewise-linear maximiser with
 * 4-point Gauss–Legendre on each interval (the Airy profile is smooth; the rule's error is
 * far below the discretisation error measured).
 */
export function maximiserAiryDistance(
  R: number,
  N: number,
  constraint: ConstraintKind = "radial",
  maximiser?: EnergyMaximiser,
): MaximiserAiryReport {
  const max = maximiser ?? maximiseRadialEnergy(R, N, constraint);
  const h = R / N;
  const gx = GAUSS4_NODES, gw = GAUSS4_WEIGHTS;
  // Sample points, the piecewise-linear f and the Airy y there.
  const rho: number[] = [], fv: number[] = [], yv: number[] = [], wq: number[] = [];
  for (let m = 0; m < N; m++) {
    for (let g = 0; g < 4; g++) {
      const s = gx[g];
      rho.push(h * (m + s));
      fv.push(max.f[m] * (1 - s) + max.f[m + 1] * s);
      yv.push(airyProfile(h * (m + s), R));
      wq.push(h * gw[g]);
    }
  }
  const rel = (weightOf: (r: number) => number) => {
    let ff = 0, yy = 0;
    for (let i = 0; i < rho.length; i++) {
      const w = wq[i] * weightOf(rho[i]);
      ff += w * fv[i] * fv[i];
      yy += w * yv[i] * yv[i];
    }
    const nf = Math.sqrt(ff), ny = Math.sqrt(yy);
    let d = 0;
    for (let i = 0; i < rho.length; i++) {
      d += wq[i] * weightOf(rho[i]) * (fv[i] / nf - yv[i] / ny) ** 2;
    }
    return Math.sqrt(d);
  };
  let maxAbs = 0;
  for (let i = 0; i <= N; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(max.f[i] / max.f[0] - airyProfile(i * h, R)));
  }
  return {
    R,
    N,
    constraint: max.constraint,
    relL2Radial: rel((r) => r),
    relL2Uniform: rel(() => 1),
    maxAbsFromOne: maxAbs,
    mu: max.mu,
    muAiry: 1 / airyK(R),
    gapRatio: max.mu2 / max.mu,
    endValue: max.f[N] / max.f[0],
    startSlope: ((max.f[1] - max.f[0]) / h) / (max.f[0] / R),
  };
}
