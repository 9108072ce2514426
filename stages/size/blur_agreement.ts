/**
 * Monte Carlo blur against the exact blur (App. A, `data` check). A Monte Carlo pixel of
 * N samples is a binomial mean: N·x ~ Bin(N, p) with p the exact value, so its standard
 * error is √(p(1 − p)/N) and its z-score (x − p)/SE has mean 0 and variance 1, whatever the
 * correlations between the pixels of one image (the authors' scheme shifts the whole grid by
 * each draw, so pixels share their draws).
 *
 * Two numbers: the reduced chi-square mean(z²) over pixels where the normal approximation is
 * fair (N p (1 − p) ≥ 5), which should be near 1 (well above 1 means a biased or too noisy
 * renderer, well below 1 a renderer that does not estimate what the exact one computes); and the
 * largest |x − p| over all pixels in units of the largest possible standard error
 * 1/(2√N), which no pixel should exceed by more than a few units.
 *
 * @module
 */

/** Running sums of the comparison, over as many images as are added. */
export interface BlurAgreement {
  /** Monte Carlo samples per image, N. */
  samples: number;
  /** Pixels entering the chi-square (N p (1 − p) ≥ minExpected). */
  pixels: number;
  /** Σ z² over those pixels. */
  sumZ2: number;
  /** Σ z over those pixels (the mean z tests for bias). */
  sumZ: number;
  /** Largest |x − p| over every pixel. */
  maxAbsDiff: number;
  /** Images compared. */
  images: number;
  /** The cut on N p (1 − p). */
  minExpected: number;
}

/** A fresh accumulator for N Monte Carlo samples. */
export function newBlurAgreement(samples: number, minExpected = 5): BlurAgreement {
  return { samples, pixels: 0, sumZ2: 0, sumZ: 0, maxAbsDiff: 0, images: 0, minExpected };
}

/** Adds one image pair (Monte Carlo, exact) to the sums. */
export function addImagePair(
  acc: BlurAgreement,
  mc: ArrayLike<number>,
  exact: ArrayLike<number>,
): void {
  if (mc.length !== exact.length) {
    throw new RangeError(
      `Cannot compare images of ${mc.length} and ${exact.length} pixels: sizes differ`,
    );
  }
  const N = acc.samples;
  for (let i = 0; i < mc.length; i++) {
    const p = exact[i], d = mc[i] - p;
    acc.maxAbsDiff = Math.max(acc.maxAbsDiff, Math.abs(d));
    const v = p * (1 - p);
    if (N * v >= acc.minExpected) {
      const z = d / Math.sqrt(v / N);
      acc.sumZ += z;
      acc.sumZ2 += z * z;
      acc.pixels++;
    }
  }
  acc.images++;
}

/** The summary of the comparison. */
export interface BlurAgreementSummary {
  /** mean z² (≈ 1 when the Monte Carlo images are unbiased binomial means of the exact values). */
  reducedChiSquare: number;
  /** mean z (≈ 0 without bias). */
  meanZ: number;
  /** Largest |x − p| over every pixel. */
  maxAbsDiff: number;
  /** The largest standard error any pixel can have, 1/(2√N). */
  maxStandardError: number;
  /** maxAbsDiff in units of maxStandardError. */
  maxAbsDiffInSE: number;
  /** Pixels in the chi-square. */
  pixels: number;
  /** Images compared. */
  images: number;
}

/** Summarises an accumulator. */
export function summariseBlurAgreement(acc: BlurAgreement): BlurAgreementSummary {
  const se = 0.5 / Math.sqrt(acc.samples);
  return {
    reducedChiSquare: acc.pixels > 0 ? acc.sumZ2 / acc.pixels : NaN,
    meanZ: acc.pixels > 0 ? acc.sumZ / acc.pixels : NaN,
    maxAbsDiff: acc.maxAbsDiff,
    maxStandardError: se,
    maxAbsDiffInSE: acc.maxAbsDiff / se,
    pixels: acc.pixels,
    images: acc.images,
  };
}
