/**
 * Measurements of the trained position networks: how close a learned 1-D filter is to
 * ±[1, 2, 1] (P Eq. 13, P-Fig 9), and where a decoded Dirac peaks (P-Fig 10).
 *
 * Taps. The learned layer is a TensorFlow stride-2 convolution with `padding: "same"`: on an
 * input of even size m, output i reads x[2i], x[2i+1], x[2i+2] with weights w[0], w[1], w[2]
 * (the last output reads the zero pad at 2i+2 = m). So the filter is centred on the odd
 * sample 2i+1 (the mirror image of the paper's even-centred subsampling, which leaves the
 * symmetric [1, 2, 1] a solution: see `handcrafted.ts`, offset 1), and w[2] multiplies a real
 * sample only when m ≥ 4. In the last layer (m = 2 → 1) w[2] only ever meets the pad: it
 * changes nothing the network computes, receives no gradient and keeps its random initial
 * value. A filter is therefore compared with [1, 2, 1] on its *effective* taps; the cosine on
 * all three taps is reported beside it.
 *
 * @module
 */

/** The hand-crafted filter of P Eq. 13. */
export const PHI_121: readonly number[] = [1, 2, 1];

/** Cosine similarity of two vectors of the same length (0 when either is zero). */
export function cosine(u: ArrayLike<number>, v: ArrayLike<number>): number {
  if (u.length !== v.length) {
    throw new RangeError(`Cannot compare vectors of lengths ${u.length} and ${v.length}`);
  }
  let uv = 0, uu = 0, vv = 0;
  for (let i = 0; i < u.length; i++) {
    uv += u[i] * v[i];
    uu += u[i] * u[i];
    vv += v[i] * v[i];
  }
  return uu > 0 && vv > 0 ? uv / Math.sqrt(uu * vv) : 0;
}

/**
 * Which of the k taps of a stride-s "same" convolution ever multiply a real sample of an input
 * of size m (TensorFlow padding: all of the padding after the signal for k = 3, s = 2, m even).
 */
export function effectiveTaps(inputSize: number, kernel = 3, stride = 2): boolean[] {
  const outSize = Math.ceil(inputSize / stride);
  const padTotal = Math.max(0, (outSize - 1) * stride + kernel - inputSize);
  const before = Math.floor(padTotal / 2);
  return Array.from({ length: kernel }, (_, k) => {
    for (let i = 0; i < outSize; i++) {
      const j = i * stride + k - before;
      if (j >= 0 && j < inputSize) return true;
    }
    return false;
  });
}

/** How one learned filter compares with [1, 2, 1]. */
export interface FilterComparison {
  /** The learned weights w[0], w[1], w[2]. */
  weights: number[];
  /** Which taps ever meet a real sample. */
  effective: boolean[];
  /** Cosine with [1, 2, 1] on the effective taps (its sign: + for [1,2,1], − for −[1,2,1]). */
  cosine: number;
  /** Cosine with [1, 2, 1] on all three taps. */
  cosineAllTaps: number;
  /**
   * The filter divided by its norm on the effective taps, its sign flipped so that it matches
   * +[1, 2, 1] (ineffective taps are NaN): what the figure draws.
   */
  normalised: number[];
  /** [1, 2, 1] over its norm on the same taps (NaN elsewhere). */
  reference: number[];
}

/** Compares a learned filter (applied to an input of size `inputSize`) with [1, 2, 1]. */
export function compareWithPhi(weights: ArrayLike<number>, inputSize: number): FilterComparison {
  const w = Array.from(weights);
  if (w.length !== PHI_121.length) {
    throw new RangeError(`Cannot compare a filter of ${w.length} taps with [1, 2, 1]`);
  }
  const effective = effectiveTaps(inputSize, w.length, 2);
  const we = w.filter((_, k) => effective[k]);
  const pe = PHI_121.filter((_, k) => effective[k]);
  const c = cosine(we, pe);
  const sign = c < 0 ? -1 : 1;
  const wn = Math.hypot(...we), pn = Math.hypot(...pe);
  return {
    weights: w,
    effective,
    cosine: c,
    cosineAllTaps: cosine(w, PHI_121),
    normalised: w.map((v, k) => (effective[k] && wn > 0 ? (sign * v) / wn : NaN)),
    reference: PHI_121.map((v, k) => (effective[k] ? v / pn : NaN)),
  };
}

/** Index of the largest value of row r of a rows × cols array (the first one on ties). */
export function argmaxRow(values: ArrayLike<number>, cols: number, r: number): number {
  let best = 0;
  for (let t = 1; t < cols; t++) if (values[r * cols + t] > values[r * cols + best]) best = t;
  return best;
}

/** Where decoded Diracs peak, against where they should. */
export interface PeakErrors {
  /** argmax_t y_i(t) for each output i. */
  peaks: number[];
  /** |peak − target position| for each output. */
  errors: number[];
  /** The largest error. */
  maxError: number;
  /** Target position of the largest error. */
  worstPosition: number;
  /** Mean error. */
  meanError: number;
  /** Fraction of outputs whose error is at most `tolerance`. */
  fractionWithin: number;
  /** The tolerance used, in samples. */
  tolerance: number;
}

/**
 * Peak errors of `rows` decoded signals of `cols` samples against their target positions.
 * A perfect triangular Dirac at a peaks at the nearest integer, so its error is ≤ 0.5.
 */
export function peakErrors(
  outputs: ArrayLike<number>,
  cols: number,
  positions: ArrayLike<number>,
  tolerance = 1,
): PeakErrors {
  const rows = positions.length;
  if (outputs.length !== rows * cols) {
    throw new RangeError(
      `Cannot score ${outputs.length} values as ${rows} signals of ${cols} samples`,
    );
  }
  const peaks: number[] = [], errors: number[] = [];
  let maxError = -Infinity, worstPosition = NaN, sum = 0, within = 0;
  for (let i = 0; i < rows; i++) {
    const p = argmaxRow(outputs, cols, i);
    const e = Math.abs(p - positions[i]);
    peaks.push(p);
    errors.push(e);
    sum += e;
    if (e <= tolerance) within++;
    if (e > maxError) [maxError, worstPosition] = [e, positions[i]];
  }
  return {
    peaks,
    errors,
    maxError,
    worstPosition,
    meanError: sum / rows,
    fractionWithin: within / rows,
    tolerance,
  };
}

/**
 * Each row divided by its largest absolute value (P-Fig 10 "normalised each output y, to
 * highlight the position of the Dirac"); an all-zero row stays zero.
 */
export function normaliseRows(values: ArrayLike<number>, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r * cols < values.length; r++) {
    let m = 0;
    for (let t = 0; t < cols; t++) m = Math.max(m, Math.abs(values[r * cols + t]));
    for (let t = 0; t < cols; t++) out[r * cols + t] = m > 0 ? values[r * cols + t] / m : 0;
  }
  return out;
}

/**
 * Least-squares line y ≈ slope·x + intercept and its R² (how affine the encoder's output is
 * in the position, as Prop. 3 predicts for [1, 2, 1]).
 */
export function linearFit(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): { slope: number; intercept: number; r2: number } {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) [mx, my] = [mx + x[i] / n, my + y[i] / n];
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const r2 = syy > 0 && sxx > 0 ? (sxy * sxy) / (sxx * syy) : 0;
  return { slope, intercept: my - slope * mx, r2 };
}

/**
 * Root-mean-square distance between decoded signals and the triangular Diracs y_a at their
 * positions (P Eq. 19), split between integer positions (where y_a is also the one-hot δ_a)
 * and the positions between integers (where only a decoder that interpolates can match it).
 * Each output is first divided by its largest absolute value and compared with y_a (whose
 * maximum is between 0.5 and 1) over all samples; NaN for an empty group.
 */
export function diracShapeErrors(
  outputs: ArrayLike<number>,
  cols: number,
  positions: ArrayLike<number>,
  target: (a: number) => ArrayLike<number>,
): { atIntegers: number; between: number } {
  const normalised = normaliseRows(outputs, cols);
  const sums = { atIntegers: 0, between: 0 }, counts = { atIntegers: 0, between: 0 };
  for (let i = 0; i < positions.length; i++) {
    const y = target(positions[i]);
    let m = 0;
    for (let t = 0; t < cols; t++) m = Math.max(m, Math.abs(y[t]));
    let se = 0;
    for (let t = 0; t < cols; t++) se += (normalised[i * cols + t] - (m > 0 ? y[t] / m : 0)) ** 2;
    const group = Number.isInteger(positions[i]) ? "atIntegers" : "between";
    sums[group] += se / cols;
    counts[group]++;
  }
  return {
    atIntegers: counts.atIntegers ? Math.sqrt(sums.atIntegers / counts.atIntegers) : NaN,
    between: counts.between ? Math.sqrt(sums.between / counts.between) : NaN,
  };
}
