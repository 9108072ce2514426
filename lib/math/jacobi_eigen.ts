/**
 * Cyclic Jacobi eigenvalue method for real symmetric matrices: slower than
 * Householder + QL (O(n³) per sweep, several sweeps) but simple and independent of it, so
 * the tests use each to check the other.
 *
 * @module
 */

import {
  assertSymmetric,
  type EigenDecomposition,
  type Matrix,
  sortPairs,
} from "./symmetric_eigen.ts";

/**
 * All eigenpairs of the symmetric matrix `a` by cyclic Jacobi rotations, eigenvalues
 * ascending, unit eigenvectors with the same sign convention as `symmetricEigen`.
 *
 * @throws {RangeError} when `a` is not square and symmetric, or 100 sweeps do not converge.
 */
export function jacobiEigen(a: Matrix): EigenDecomposition {
  const n = assertSymmetric(a);
  const m = a.map((row) => Float64Array.from(row));
  const v: Matrix = Array.from({ length: n }, (_, i) => {
    const r = new Float64Array(n);
    r[i] = 1;
    return r;
  });
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) total += m[i][j] * m[i][j];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
    if (off <= 1e-32 * total || off === 0) {
      return sortPairs(
        Float64Array.from(m, (row, i) => row[i]),
        (j) => Float64Array.from(v, (r) => r[j]),
      );
    }
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p][q];
        if (apq === 0) continue;
        // Rotation angle that zeroes (p, q): t = tan θ is the smaller root of
        // t² + 2θt − 1 = 0 with θ = (a_qq − a_pp) / (2 a_pq) (stable for large θ).
        const theta = (m[q][q] - m[p][p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          // Columns p and q, then rows p and q (symmetry kept explicitly).
          const mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        m[p][q] = m[q][p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  throw new RangeError(
    `Cannot diagonalise a ${n}×${n} matrix: Jacobi did not converge in 100 sweeps`,
  );
}
