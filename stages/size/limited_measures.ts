/**
 * What the `limited` item measures on the outputs of the network trained on r ≤ R, as a pure
 * function of the output images (tested on outputs with known answers): per test radius the
 * radius r̂ of every pixel above the threshold, r̂ of the central component, and for the test
 * radii in (R, hi] the radius of the best-matching clean disk; the largest of each and where;
 * the slope of the central r̂ (and of r̂) against r beyond R + margin.
 *
 * @module
 */
import { bestMatchRadius, type DiskBank } from "./best_match_radius.ts";
import { growthSlope } from "./growth_slope.ts";
import { imageAt } from "./profiles.ts";
import { radiusFromArea, radiusFromCentralComponent } from "./radius_estimate.ts";

/** Where the measures are taken. */
export interface LimitedOptions {
  /** The largest training radius R. */
  R: number;
  /** Upper end of the test radii that count (30: above, the disk touches the border). */
  hi: number;
  /** The slope is fitted over (R + margin, hi]. */
  margin: number;
  /** Grey level of the areas giving r̂. */
  threshold: number;
  /** The clean disks the outputs are matched against. */
  bank: DiskBank;
}

/** The measures of `limited`; indices refer to the test radii. */
export interface LimitedMeasures {
  /** r̂ = √(area/π) of each output, every pixel above the threshold. */
  rHat: number[];
  /** The same for the component holding the centre. */
  rCentral: number[];
  /** Best-matching clean disk radius of each output in (R, hi] (NaN elsewhere). */
  matched: number[];
  /** Test radii in (R, hi]. */
  beyond: number[];
  /** Test radii in (R + margin, hi], those the slopes are fitted on. */
  fitted: number[];
  /** Index in (R, hi] of the largest best-matching radius. */
  worstMatch: number;
  /** Index in (R, hi] of the largest central r̂. */
  worstCentral: number;
  /** Index over every test radius above R of the largest r̂ (the former check); −1 if none. */
  largestAll: number;
  /** Least-squares slope of the central r̂ against r over `fitted`. */
  slope: number;
  /** The same with r̂ of every pixel. */
  slopeEveryPixel: number;
}

/** The index among `indices` whose value is largest (the first on ties); −1 for none. */
function argmaxOf(indices: readonly number[], value: (i: number) => number): number {
  return indices.reduce((w, i) => (w < 0 || value(i) > value(w) ? i : w), -1);
}

/** Measures the outputs (n images of m×m) of the test radii. */
export function limitedMeasures(
  outputs: Float32Array,
  radii: ArrayLike<number>,
  m: number,
  o: LimitedOptions,
): LimitedMeasures {
  const n = radii.length;
  if (outputs.length !== n * m * m) {
    throw new RangeError(
      `Cannot measure ${outputs.length} output values as ${n} images of ${m}×${m}`,
    );
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  const rHat = idx.map((i) => radiusFromArea(imageAt(outputs, i, m), o.threshold));
  const rCentral = idx.map((i) =>
    radiusFromCentralComponent(imageAt(outputs, i, m), m, o.threshold)
  );
  const beyondAll = idx.filter((i) => radii[i] > o.R);
  const beyond = beyondAll.filter((i) => radii[i] <= o.hi);
  const fitted = beyond.filter((i) => radii[i] > o.R + o.margin);
  if (fitted.length < 2) {
    throw new RangeError(
      `Cannot fit the growth of r̂: ${fitted.length} test radii in (${
        o.R + o.margin
      }, ${o.hi}], need 2`,
    );
  }
  const matched = new Array<number>(n).fill(NaN);
  for (const i of beyond) matched[i] = bestMatchRadius(imageAt(outputs, i, m), o.bank).radius;
  const xs = fitted.map((i) => radii[i]);
  return {
    rHat,
    rCentral,
    matched,
    beyond,
    fitted,
    worstMatch: argmaxOf(beyond, (i) => matched[i]),
    worstCentral: argmaxOf(beyond, (i) => rCentral[i]),
    largestAll: argmaxOf(beyondAll, (i) => rHat[i]),
    slope: growthSlope(xs, fitted.map((i) => rCentral[i])),
    slopeEveryPixel: growthSlope(xs, fitted.map((i) => rHat[i])),
  };
}
