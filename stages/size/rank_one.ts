/**
 * The rank-1 share of a matrix, for the `nobias` check that the decoder without biases outputs
 * one profile scaled by an amplitude, y(t; r) = h(r)·f(t) (P Eq. 5, P-Fig 4): with the output
 * profiles as the rows of M, M is of rank one exactly when that model holds, and
 * σ₁² / Σ σᵢ² = σ₁² / ‖M‖²_F is the share of M's energy the best rank-1 approximation keeps.
 *
 * Computed from the Gram matrix MᵀM (columns × columns, small: one per pixel of a profile),
 * whose eigenvalues are the σᵢ²; its top eigenvector is f (the first right singular vector).
 * (Squaring the singular values loses the small ones below ~1e-8 σ₁, which changes the share
 * by less than 1e-16.)
 *
 * @module
 */
import { jacobiEigen } from "../../lib/math/jacobi_eigen.ts";

/** What {@link rankOneShare} returns. */
export interface RankOne {
  /** σ₁² / Σ σᵢ², in [0, 1]. */
  share: number;
  /** Singular values, largest first. */
  singularValues: number[];
  /** Unit first right singular vector (sign: positive sum). */
  direction: number[];
}

/**
 * Rank-1 share of the matrix whose rows are `rows` (all of one length).
 *
 * @throws {RangeError} when there is no row, the rows differ in length, or M is zero.
 */
export function rankOneShare(rows: readonly ArrayLike<number>[]): RankOne {
  if (rows.length === 0) {
    throw new RangeError("Cannot measure the rank of an empty matrix: pass at least one row");
  }
  const n = rows[0].length;
  const gram = Array.from({ length: n }, () => new Float64Array(n));
  for (const row of rows) {
    if (row.length !== n) {
      throw new RangeError(
        `Cannot measure the rank of rows of lengths ${n} and ${row.length}: they differ`,
      );
    }
    for (let i = 0; i < n; i++) {
      const ri = row[i];
      if (ri === 0) continue;
      const g = gram[i];
      for (let j = 0; j < n; j++) g[j] += ri * row[j];
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += gram[i][i];
  if (!(trace > 0)) throw new RangeError("Cannot measure the rank-1 share of a zero matrix");
  // Symmetrise exactly: the sums above are symmetric in exact arithmetic only.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) gram[i][j] = gram[j][i] = (gram[i][j] + gram[j][i]) / 2;
  }
  // Jacobi, not symmetricEigen: the QL iteration of the latter does not converge on Gram
  // matrices of rank one with eigenvalues near 0 (its negligibility test is relative to the
  // neighbouring diagonal entries, which are ~0 there); Jacobi's rotations do, and a 64×64
  // matrix costs a few milliseconds.
  const eig = jacobiEigen(gram);
  const values = Array.from(eig.values).reverse().map((v) => Math.max(0, v));
  const top = Array.from(eig.vectors[eig.vectors.length - 1]);
  const sign = top.reduce((a, b) => a + b, 0) < 0 ? -1 : 1;
  return {
    // Rounding can put the top eigenvalue a few ulps above the trace.
    share: Math.min(1, values[0] / trace),
    singularValues: values.map(Math.sqrt),
    direction: top.map((v) => sign * v),
  };
}
