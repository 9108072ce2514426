/**
 * The symmetric-definite generalised eigenproblem A v = μ W v (A symmetric, W symmetric
 * positive definite), reduced to a standard one by the Cholesky factor W = L Lᵀ:
 * C = L⁻¹ A L⁻ᵀ is symmetric with the same eigenvalues, and v = L⁻ᵀ w for each eigenvector w
 * of C. The vectors come out W-orthonormal: vᵢᵀ W vⱼ = δᵢⱼ.
 *
 * @module
 */

import { type EigenDecomposition, type Matrix, symmetricEigen } from "./symmetric_eigen.ts";

/**
 * Lower-triangular L with W = L Lᵀ.
 *
 * @throws {RangeError} when W is not positive definite (a non-positive pivot).
 */
export function cholesky(w: Matrix): Matrix {
  const n = w.length;
  const l: Matrix = Array.from({ length: n }, () => new Float64Array(n));
  for (let j = 0; j < n; j++) {
    let s = w[j][j];
    for (let k = 0; k < j; k++) s -= l[j][k] * l[j][k];
    if (!(s > 0)) {
      throw new RangeError(
        `Cannot factor the constraint matrix: pivot ${j} is ${s}, so it is not positive definite`,
      );
    }
    const ljj = Math.sqrt(s);
    l[j][j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = w[i][j];
      for (let k = 0; k < j; k++) t -= l[i][k] * l[j][k];
      l[i][j] = t / ljj;
    }
  }
  return l;
}

/** Solves L x = b for lower-triangular L. */
export function forwardSolve(l: Matrix, b: ArrayLike<number>): Float64Array {
  const n = l.length, x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Solves Lᵀ x = b for lower-triangular L. */
export function backSolveTransposed(l: Matrix, b: ArrayLike<number>): Float64Array {
  const n = l.length, x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * All eigenpairs of A v = μ W v, eigenvalues ascending, eigenvectors W-orthonormal.
 *
 * @throws {RangeError} when the sizes differ or W is not positive definite.
 */
export function generalizedSymmetricEigen(a: Matrix, w: Matrix): EigenDecomposition {
  const n = a.length;
  if (w.length !== n) {
    throw new RangeError(
      `Cannot solve A v = μ W v: A is ${n}×${n} but W is ${w.length}×${w.length}`,
    );
  }
  const l = cholesky(w);
  // Y = L⁻¹ A (column by column, A symmetric so its rows are its columns), then
  // C = L⁻¹ Yᵀ = L⁻¹ A L⁻ᵀ.
  const y = a.map((row) => forwardSolve(l, row)); // y[j] = L⁻¹ (column j of A)
  const c: Matrix = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    // Row i of Y as a vector: Y[i][j] = y[j][i].
    const col = forwardSolve(l, Float64Array.from(y, (yj) => yj[i]));
    for (let j = 0; j < n; j++) c[j][i] = col[j];
  }
  // Symmetrise away rounding so the symmetric solver accepts C.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) c[i][j] = c[j][i] = 0.5 * (c[i][j] + c[j][i]);
  }
  const eig = symmetricEigen(c);
  return { values: eig.values, vectors: eig.vectors.map((v) => backSolveTransposed(l, v)) };
}
