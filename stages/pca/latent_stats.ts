/**
 * Statistics of code components: their correlation matrix (are the components decorrelated?),
 * |Pearson| of each component with each image attribute (which attribute does a component
 * follow?), and the codes of a latent navigation (S49: one axis moved from −2σ to +2σ, the
 * others at 0).
 *
 * Codes are stored n × d row-major (example after example), as `encodeBatched` returns them.
 *
 * @module
 */
import { pearsonOrNaN, spearman } from "../../lib/math/correlation.ts";

/** Pearson correlation; NaN when either sample is constant (a dead component). */
export const correlation: (x: ArrayLike<number>, y: ArrayLike<number>) => number = pearsonOrNaN;

/** Component j of n × d codes, as a new array. */
export function column(codes: ArrayLike<number>, d: number, j: number): Float64Array {
  if (codes.length % d !== 0 || j < 0 || j >= d) {
    throw new RangeError(
      `Cannot take component ${j} of codes of size ${codes.length} with d = ${d}`,
    );
  }
  const n = codes.length / d;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = codes[i * d + j];
  return out;
}

/** The d × d correlation matrix of the components (row-major); NaN entries for dead ones. */
export function correlationMatrix(codes: ArrayLike<number>, d: number): number[][] {
  const cols = Array.from({ length: d }, (_, j) => column(codes, d, j));
  return cols.map((ci, i) =>
    cols.map((
      cj,
      j,
    ) => (i === j ? (Number.isNaN(correlation(ci, ci)) ? NaN : 1) : correlation(ci, cj)))
  );
}

/** The largest |off-diagonal| entry (NaN if any is NaN; 0 for d = 1). */
export function maxOffDiagonal(matrix: number[][]): number {
  let worst = 0;
  for (let i = 0; i < matrix.length; i++) {
    for (let j = 0; j < matrix.length; j++) {
      if (i === j) continue;
      const v = Math.abs(matrix[i][j]);
      if (Number.isNaN(v)) return NaN;
      worst = Math.max(worst, v);
    }
  }
  return worst;
}

/** |stat(component j, attribute k)| for every component (rows) and attribute (columns). */
function componentTable(
  codes: ArrayLike<number>,
  d: number,
  attributes: readonly ArrayLike<number>[],
  stat: (c: Float64Array, a: ArrayLike<number>) => number,
): number[][] {
  return Array.from({ length: d }, (_, j) => {
    const c = column(codes, d, j);
    return attributes.map((a) => Math.abs(stat(c, a)));
  });
}

/** |Pearson| of every component (rows) with every attribute (columns). */
export function attributeCorrelations(
  codes: ArrayLike<number>,
  d: number,
  attributes: readonly ArrayLike<number>[],
): number[][] {
  return componentTable(codes, d, attributes, correlation);
}

/**
 * |Spearman| of every component (rows) with every attribute (columns): 1 for any monotone
 * relation, where Pearson's r is lowered by a curved one (a code like log S).
 */
export function rankAttributeCorrelations(
  codes: ArrayLike<number>,
  d: number,
  attributes: readonly ArrayLike<number>[],
): number[][] {
  return componentTable(codes, d, attributes, spearman);
}

/** |c − mean(c)|, element by element. */
function distanceFromMean(c: Float64Array): Float64Array {
  let m = 0;
  for (const v of c) m += v;
  m /= c.length;
  return c.map((v) => Math.abs(v - m));
}

/**
 * |Pearson| of each component's distance from its mean, |z_j − mean_j|, with each attribute.
 * A code that folds an attribute onto both signs (large ellipses at −2σ and at +2σ, small ones
 * near 0: a bit of another attribute carried by the sign) scores near 0 in
 * {@linkcode attributeCorrelations} and high here.
 */
export function foldedAttributeCorrelations(
  codes: ArrayLike<number>,
  d: number,
  attributes: readonly ArrayLike<number>[],
): number[][] {
  return componentTable(codes, d, attributes, (c, a) => correlation(distanceFromMean(c), a));
}

/** Mean and (biased) standard deviation of each component. */
export function componentMoments(
  codes: ArrayLike<number>,
  d: number,
): { mean: number[]; std: number[] } {
  const mean: number[] = [], std: number[] = [];
  for (let j = 0; j < d; j++) {
    const c = column(codes, d, j);
    let m = 0;
    for (const v of c) m += v;
    m /= c.length;
    let s = 0;
    for (const v of c) s += (v - m) * (v - m);
    mean.push(m);
    std.push(Math.sqrt(s / c.length));
  }
  return { mean, std };
}

/**
 * Navigation codes (S49): for each axis i, `steps` codes with z_i running linearly from
 * −span·σ_i to +span·σ_i and every other component 0. Returns d·steps codes of size d,
 * axis after axis (row i of the figure = axis i).
 */
export function navigationCodes(std: readonly number[], steps: number, span = 2): Float32Array {
  const d = std.length;
  if (!(Number.isInteger(steps) && steps >= 2)) {
    throw new RangeError(`Cannot navigate with ${steps} steps: need an integer ≥ 2`);
  }
  const out = new Float32Array(d * steps * d);
  for (let i = 0; i < d; i++) {
    for (let s = 0; s < steps; s++) {
      const t = -span + (2 * span * s) / (steps - 1);
      out[(i * steps + s) * d + i] = t * std[i];
    }
  }
  return out;
}
