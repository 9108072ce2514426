/**
 * The 4-point Gauss–Legendre rule on [0, 1]: exact for polynomials of degree ≤ 7, which
 * covers every product integrated for the piecewise-linear discretisation of J (degree ≤ 6).
 *
 * @module
 */

/** Nodes on [0, 1] (the [−1, 1] nodes ±0.3399810435848563, ±0.8611363115940526, mapped). */
export const GAUSS4_NODES: readonly number[] = [
  0.8611363115940526,
  0.3399810435848563,
  -0.3399810435848563,
  -0.8611363115940526,
].map((x) => (1 + x) / 2);

/** Weights on [0, 1] (they sum to 1). */
export const GAUSS4_WEIGHTS: readonly number[] = [
  0.3478548451374538,
  0.6521451548625461,
  0.6521451548625461,
  0.3478548451374538,
].map((w) => w / 2);
