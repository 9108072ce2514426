/**
 * Monotonicity of a sampled curve, for the `latent` check "z monotone in r" (P-Fig 3): the
 * direction is that of the curve's net change, and a step against it is a violation.
 *
 * @module
 */

/** What {@link monotonicity} measures. */
export interface Monotonicity {
  /** +1 when the net change (last − first) is ≥ 0, else −1. */
  direction: 1 | -1;
  /** Consecutive steps examined (length − 1). */
  steps: number;
  /** Steps going against the direction (strictly; equal neighbours are not violations). */
  violations: number;
  /** (steps − violations) / steps; 1 when there is no step. */
  fraction: number;
  /** The largest step against the direction (0 when none). */
  largestViolation: number;
  /** Index i of the steps (i → i + 1) that violate, at most the first 50. */
  where: number[];
}

/** Counts steps of `values` that go against its net direction. */
export function monotonicity(values: ArrayLike<number>): Monotonicity {
  const n = values.length;
  const direction: 1 | -1 = n < 2 || values[n - 1] >= values[0] ? 1 : -1;
  let violations = 0, largest = 0;
  const where: number[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const step = direction * (values[i + 1] - values[i]);
    if (step < 0) {
      violations++;
      largest = Math.max(largest, -step);
      if (where.length < 50) where.push(i);
    }
  }
  const steps = Math.max(0, n - 1);
  return {
    direction,
    steps,
    violations,
    fraction: steps === 0 ? 1 : (steps - violations) / steps,
    largestViolation: largest,
    where,
  };
}
