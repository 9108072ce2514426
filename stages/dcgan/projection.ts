/**
 * Projection of images onto the range of a generator with a one-number code: for each target
 * x, z* = argmin_z ‖G(z) − x‖² over an interval (the prior's support), found by
 *
 * 1. a dense grid: G is evaluated once at every grid point and every target is compared with
 *    every grid image, so the search is global up to the grid's spacing;
 * 2. refinement: golden-section search on the two grid cells around each target's best grid
 *    point, all targets at once (one generator call per step for the whole set).
 *
 * A golden-section step only ever replaces the bracket's worse end, and the result is the best
 * point ever evaluated, so refinement cannot make a projection worse than the grid's; where
 * the error is not unimodal inside the bracket it finds a local minimum there, which is still
 * within one grid cell of the grid's answer.
 *
 * The error is the per-pixel mean squared error (1/P) ‖G(z) − x‖², accumulated in float64.
 *
 * @module
 */

/** A generator on host arrays: n codes (d = 1) → n images of P values each. */
export type GenerateFn = (z: Float32Array) => Promise<Float32Array>;

/** Settings of {@linkcode projectOntoGenerator}. */
export interface ProjectionOptions {
  /** Lower end of the searched interval (the prior's support, e.g. −1). */
  lo: number;
  /** Upper end. */
  hi: number;
  /** Grid points, ends included (≥ 2). */
  gridPoints: number;
  /** Golden-section steps after the grid (0: grid only). */
  refineSteps: number;
  /** Images per generator call on the grid (default 256). */
  chunk?: number;
}

/** The projections of a set of targets. */
export interface Projection {
  /** Best z per target. */
  z: Float64Array;
  /** Per-pixel mean squared error at that z. */
  error: Float64Array;
  /** Best grid point per target (before refinement). */
  gridZ: Float64Array;
  /** Error at the best grid point. */
  gridError: Float64Array;
  /** The grid. */
  grid: Float64Array;
  /** The best images G(z*), count × P values (kept as found: no second generator pass). */
  images: Float32Array;
}

/** n points evenly spaced on [lo, hi], ends included. */
export function linspace(lo: number, hi: number, n: number): Float64Array {
  if (n === 1) return Float64Array.of((lo + hi) / 2);
  return Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** Per-pixel mean squared error between image a (at offset ao) and b (at bo), P values each. */
export function meanSquaredError(
  a: ArrayLike<number>,
  ao: number,
  b: ArrayLike<number>,
  bo: number,
  P: number,
): number {
  let s = 0;
  for (let p = 0; p < P; p++) {
    const e = a[ao + p] - b[bo + p];
    s += e * e;
  }
  return s / P;
}

/** Golden ratio conjugate (√5 − 1)/2: each step keeps this share of the bracket. */
const INV_PHI = (Math.sqrt(5) - 1) / 2;

/**
 * Projects `count` targets (P values each, C order) onto the range of `generate` over
 * [lo, hi]. Deterministic.
 */
export async function projectOntoGenerator(
  targets: Float32Array,
  count: number,
  generate: GenerateFn,
  o: ProjectionOptions,
): Promise<Projection> {
  if (count < 1 || targets.length % count !== 0) {
    throw new Error(
      `Cannot project: ${targets.length} values is not ${count} whole images; fix the targets`,
    );
  }
  if (!(o.gridPoints >= 2 && o.hi > o.lo)) {
    throw new Error(
      `Cannot project: need gridPoints ≥ 2 and hi > lo (got ${o.gridPoints}, [${o.lo}, ${o.hi}]); fix the options`,
    );
  }
  const P = targets.length / count;
  const grid = linspace(o.lo, o.hi, o.gridPoints);
  const gridError = new Float64Array(count).fill(Infinity);
  const gridIndex = new Int32Array(count);
  const best = new Float32Array(targets.length);
  const chunk = Math.max(1, o.chunk ?? 256);
  for (let start = 0; start < grid.length; start += chunk) {
    const zs = Float32Array.from(grid.subarray(start, Math.min(grid.length, start + chunk)));
    const images = await generate(zs);
    for (let j = 0; j < zs.length; j++) {
      for (let i = 0; i < count; i++) {
        const e = meanSquaredError(targets, i * P, images, j * P, P);
        if (e < gridError[i]) {
          [gridError[i], gridIndex[i]] = [e, start + j];
          best.set(images.subarray(j * P, (j + 1) * P), i * P);
        }
      }
    }
  }
  const gridZ = Float64Array.from(gridIndex, (k) => grid[k]);
  const z = Float64Array.from(gridZ), error = Float64Array.from(gridError);
  if (o.refineSteps > 0) {
    // Bracket [a, b] = the grid cells either side of the best point; two interior points.
    const a = Float64Array.from(gridIndex, (k) => grid[Math.max(0, k - 1)]);
    const b = Float64Array.from(gridIndex, (k) => grid[Math.min(grid.length - 1, k + 1)]);
    const x1 = Float64Array.from(a, (av, i) => b[i] - INV_PHI * (b[i] - av));
    const x2 = Float64Array.from(a, (av, i) => av + INV_PHI * (b[i] - av));
    const evaluate = async (xs: Float64Array): Promise<Float64Array> => {
      const images = await generate(Float32Array.from(xs));
      const e = Float64Array.from(xs, (_, i) => meanSquaredError(targets, i * P, images, i * P, P));
      // The generator sees float32 codes: remember the code it actually saw.
      const seen = Float32Array.from(xs);
      for (let i = 0; i < count; i++) {
        if (e[i] < error[i]) {
          [error[i], z[i]] = [e[i], seen[i]];
          best.set(images.subarray(i * P, (i + 1) * P), i * P);
        }
      }
      return e;
    };
    const f1 = await evaluate(x1), f2 = await evaluate(x2);
    for (let step = 0; step < o.refineSteps; step++) {
      const next = new Float64Array(count);
      const left = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        if (f1[i] <= f2[i]) {
          // Minimum in [a, x2]: x2 ← x1, new x1.
          left[i] = 1;
          b[i] = x2[i];
          x2[i] = x1[i];
          f2[i] = f1[i];
          next[i] = x1[i] = b[i] - INV_PHI * (b[i] - a[i]);
        } else {
          a[i] = x1[i];
          x1[i] = x2[i];
          f1[i] = f2[i];
          next[i] = x2[i] = a[i] + INV_PHI * (b[i] - a[i]);
        }
      }
      const f = await evaluate(next);
      for (let i = 0; i < count; i++) {
        if (left[i]) f1[i] = f[i];
        else f2[i] = f[i];
      }
    }
  }
  return { z, error, gridZ, gridError, grid, images: best };
}
