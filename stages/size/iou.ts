/**
 * Intersection over union of two thresholded images, the reconstruction measure of the `ae-d1`
 * check (P-Fig 2): a disk is reconstructed when the pixels above the threshold in the output
 * are those above it in the input.
 *
 * @module
 */

/**
 * |A ∩ B| / |A ∪ B| with A = {a > threshold}, B = {b > threshold}. Two empty sets give 1
 * (nothing to reconstruct, nothing produced: a perfect match).
 *
 * @throws {RangeError} when the images differ in size.
 */
export function thresholdIoU(a: ArrayLike<number>, b: ArrayLike<number>, threshold = 0.5): number {
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot compare images of ${a.length} and ${b.length} pixels: sizes differ`,
    );
  }
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const ia = a[i] > threshold, ib = b[i] > threshold;
    if (ia && ib) inter++;
    if (ia || ib) union++;
  }
  return union === 0 ? 1 : inter / union;
}
