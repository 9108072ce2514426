/**
 * Profiles through the centre of disk images (P-Fig 4, P-Fig 13, S14) and the learned
 * profile f of the decoder without biases (App. B: "the average of all output profiles").
 *
 * The disks are centred at ((m−1)/2, (m−1)/2) = (31.5, 31.5) for m = 64, between the two
 * middle rows, so no row passes through the centre. The profile is the mean of rows m/2 − 1
 * and m/2 (31 and 32), both at distance 1/2 from the centre: for a radially symmetric image
 * the two rows are equal, and their value at column j is the image at distance
 * √((j − 31.5)² + 0.25) from the centre. With an odd side (the authors' code: m = 63, centre
 * on pixel 31) the middle row passes through the centre and is the profile, its column j at
 * distance |j − 31|. Positions are reported as t = j − (m−1)/2 (signed, from −31.5 to 31.5),
 * and as radial distance when a radial profile is needed.
 *
 * @module
 */

/** Signed positions t_j = j − (m−1)/2 of the samples of a centre profile. */
export function profilePositions(m: number): number[] {
  return Array.from({ length: m }, (_, j) => j - (m - 1) / 2);
}

/**
 * Signed distance of the samples of a centre profile to the disk centre, sign(t_j)·√(t_j² + 1/4)
 * for an even side (the rows lie 1/2 from the centre), t_j for an odd one: folding it (|·|)
 * gives the true radial distance of each sample, which is what a radial profile f(ρ) must be
 * sampled at.
 */
export function profileSignedDistances(m: number): number[] {
  const offset = m % 2 === 0 ? 0.5 : 0;
  return profilePositions(m).map((t) => Math.sign(t) * Math.hypot(t, offset));
}

/**
 * The profile through the centre of a square m×m row-major image: the mean of the two middle
 * rows (m even), or the middle row (m odd).
 *
 * @throws {RangeError} when the image is not m×m.
 */
export function centreProfile(image: ArrayLike<number>, m: number): number[] {
  if (image.length !== m * m || !(m >= 1)) {
    throw new RangeError(
      `Cannot take the centre profile of ${image.length} values as a ${m}×${m} image`,
    );
  }
  const a = Math.floor((m - 1) / 2) * m, b = Math.ceil((m - 1) / 2) * m;
  return Array.from({ length: m }, (_, j) => (image[a + j] + image[b + j]) / 2);
}

/** The `index`-th image (m×m values) of a stack. */
export function imageAt(stack: Float32Array, index: number, m: number): Float32Array {
  return stack.subarray(index * m * m, (index + 1) * m * m);
}

/** What {@link meanNormalisedProfile} returns. */
export interface MeanProfile {
  /** The mean of the normalised profiles, itself divided by its Euclidean norm. */
  f: number[];
  /** Profiles used (non-zero ones). */
  used: number;
  /** Profiles skipped because they were identically zero. */
  skipped: number;
}

/**
 * f of App. B: each profile divided by its Euclidean norm and signed so that its sum is
 * positive, then averaged, and the mean normalised again. Normalising first keeps the large
 * disks (large amplitude h(r)) from dominating the shape; the sign convention makes profiles of
 * codes of either sign comparable (a decoder without biases maps z < 0 through another linear
 * piece, Proposition 1, which shows up as a different shape, not a mere sign flip).
 *
 * @throws {RangeError} when no profile is non-zero.
 */
export function meanNormalisedProfile(profiles: readonly ArrayLike<number>[]): MeanProfile {
  let used = 0, skipped = 0;
  const n = profiles[0]?.length ?? 0;
  const sum = new Float64Array(n);
  for (const p of profiles) {
    let n2 = 0, s = 0;
    for (let j = 0; j < n; j++) {
      n2 += p[j] * p[j];
      s += p[j];
    }
    if (!(n2 > 0)) {
      skipped++;
      continue;
    }
    const k = (s < 0 ? -1 : 1) / Math.sqrt(n2);
    for (let j = 0; j < n; j++) sum[j] += k * p[j];
    used++;
  }
  let n2 = 0;
  for (let j = 0; j < n; j++) n2 += sum[j] * sum[j];
  if (used === 0 || !(n2 > 0)) {
    throw new RangeError("Cannot average profiles: every profile is zero");
  }
  const k = 1 / Math.sqrt(n2);
  return { f: Array.from(sum, (v) => v * k), used, skipped };
}

/** The decoder's learned radial profile f, sampled along the centre line. */
export interface LearnedProfile {
  /** Signed distances of the samples to the centre ({@link profileSignedDistances}). */
  t: number[];
  /** f, unit Euclidean norm over the samples ({@link meanNormalisedProfile}). */
  f: number[];
  /** Profiles averaged. */
  used: number;
}

/** f of App. B from the outputs at some indices of a stack of m×m images. */
export function learnedProfile(
  outputs: Float32Array,
  indices: readonly number[],
  m: number,
): LearnedProfile {
  const mean = meanNormalisedProfile(indices.map((i) => centreProfile(imageAt(outputs, i, m), m)));
  return { t: profileSignedDistances(m), f: mean.f, used: mean.used };
}
