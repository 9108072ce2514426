/**
 * Matrices with known eigenpairs, for the eigen-solver tests: Q D Qᵀ with Q a product of
 * Householder reflections drawn from a small seeded generator, and the 1-D Laplacian.
 *
 * @module
 */

import type { Matrix } from "./symmetric_eigen.ts";

/** A tiny deterministic generator (mulberry32) for test data only. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random orthogonal n×n matrix (columns orthonormal) as a product of 3 reflections. */
export function randomOrthogonal(n: number, rand: () => number): Matrix {
  const q: Matrix = Array.from({ length: n }, (_, i) => {
    const r = new Float64Array(n);
    r[i] = 1;
    return r;
  });
  for (let rep = 0; rep < 3; rep++) {
    const v = Float64Array.from({ length: n }, () => rand() - 0.5);
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) v[i] /= norm;
    for (const row of q) {
      let s = 0;
      for (let j = 0; j < n; j++) s += row[j] * v[j];
      for (let j = 0; j < n; j++) row[j] -= 2 * s * v[j];
    }
  }
  return q;
}

/** Q diag(d) Qᵀ: its eigenpairs are (d[j], column j of Q). */
export function withSpectrum(q: Matrix, d: ArrayLike<number>): Matrix {
  const n = q.length;
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i][k] * d[k] * q[j][k];
      row[j] = s;
    }
    return row;
  });
}

/** The tridiagonal [−1, 2, −1] matrix: eigenvalues 2 − 2cos(jπ/(n+1)), j = 1..n. */
export function laplacian(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = 2;
    if (i > 0) row[i - 1] = -1;
    if (i + 1 < n) row[i + 1] = -1;
    return row;
  });
}

/** max_i |(A v − λ v)_i| over all eigenpairs, and max |vᵢ·vⱼ − δᵢⱼ|. */
export function residuals(
  a: Matrix,
  values: ArrayLike<number>,
  vectors: Float64Array[],
): { residual: number; orthogonality: number } {
  const n = a.length;
  let residual = 0, orthogonality = 0;
  for (let p = 0; p < n; p++) {
    const v = vectors[p];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i][j] * v[j];
      residual = Math.max(residual, Math.abs(s - values[p] * v[i]));
    }
    for (let r = 0; r <= p; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i] * vectors[r][i];
      orthogonality = Math.max(orthogonality, Math.abs(s - (r === p ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}
