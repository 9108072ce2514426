/**
 * Is a sample of radii uniform on (a, b)? For the `data` check (App. A, P§4.1: r ~ U(0, m/2)):
 * the one-sample Kolmogorov–Smirnov statistic with its critical value and p-value, and a
 * chi-square statistic on equal-width bins as a second look.
 *
 * @module
 */

/** The Kolmogorov–Smirnov test of a sample against U(a, b). */
export interface KsResult {
  /** D = sup |F_n(x) − F(x)|. */
  statistic: number;
  /** Sample size n. */
  n: number;
  /** Asymptotic p-value with Stephens' small-sample correction. */
  pValue: number;
}

/** Kolmogorov's survival function Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}. */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1; // the series is 1 to 1e-16 here (and converges slowly)
  let sum = 0;
  for (let k = 1; k <= 200; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * The critical value of D at level α for a sample of size n, from the asymptotic law:
 * c(α)/√n with c(α) = √(−ln(α/2)/2) (1.358 at α = 0.05, 1.628 at α = 0.01).
 */
export function ksCriticalValue(n: number, alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}

/**
 * KS test of `sample` against U(a, b).
 *
 * @throws {RangeError} when the sample is empty or b ≤ a.
 */
export function ksUniform(sample: ArrayLike<number>, a: number, b: number): KsResult {
  const n = sample.length;
  if (n === 0 || !(b > a)) {
    throw new RangeError(`Cannot test ${n} values against U(${a}, ${b}): need a sample and b > a`);
  }
  const x = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = Math.min(1, Math.max(0, (x[i] - a) / (b - a)));
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  const sn = Math.sqrt(n);
  return { statistic: d, n, pValue: kolmogorovQ((sn + 0.12 + 0.11 / sn) * d) };
}

/** A chi-square goodness-of-fit statistic on equal-width bins. */
export interface ChiSquareResult {
  /** Σ (O − E)² / E. */
  statistic: number;
  /** Degrees of freedom (bins − 1). */
  dof: number;
  /** Wilson–Hilferty normal score of the statistic (≈ N(0, 1) under the uniform law). */
  z: number;
  /** Observed counts per bin. */
  counts: number[];
  /** Bin edges (bins + 1 values). */
  edges: number[];
}

/** Chi-square statistic of `sample` against U(a, b) on `bins` equal bins. */
export function chiSquareUniform(
  sample: ArrayLike<number>,
  a: number,
  b: number,
  bins: number,
): ChiSquareResult {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < sample.length; i++) {
    const k = Math.floor(((sample[i] - a) / (b - a)) * bins);
    counts[Math.min(bins - 1, Math.max(0, k))]++;
  }
  const e = sample.length / bins;
  const statistic = counts.reduce((s, o) => s + (o - e) ** 2 / e, 0);
  const dof = bins - 1;
  const v = 2 / (9 * dof);
  const z = (Math.cbrt(statistic / dof) - (1 - v)) / Math.sqrt(v);
  const edges = Array.from({ length: bins + 1 }, (_, k) => a + ((b - a) * k) / bins);
  return { statistic, dof, z, counts, edges };
}
