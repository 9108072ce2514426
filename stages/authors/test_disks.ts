/**
 * The test disks of the authors' geometry: 63×63 images with the centre on pixel (31, 31), as
 * the authors' `generate_data.py` draws them, blurred by σ = 0.5 with the exact radial blur (as
 * our own test set, `data-test`: what the Monte Carlo blur of the training images estimates,
 * without the sampling noise), on a regular grid of radii.
 *
 * @module
 */
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { type DiskSet } from "../../lib/ml/disk_set.ts";

/** Image side of the authors' code. */
export const AUTHORS_SIZE = 63;

/** Disk centre (row, column) of the authors' code: pixel 31, the middle of 0..62. */
export const AUTHORS_CENTRE: [number, number] = [31, 31];

/** `count` disks with radii evenly spaced from `min` to `max` inclusive. */
export function authorsTestDisks(count: number, min: number, max: number, sigma = 0.5): DiskSet {
  if (!(count >= 2) || !(max > min)) {
    throw new Error(
      `Cannot make ${count} test disks on [${min}, ${max}]: need at least 2 radii and min < max`,
    );
  }
  const m = AUTHORS_SIZE, n = m * m;
  const renderer = new ExactDiskRenderer({ size: m, centre: AUTHORS_CENTRE, sigma });
  const radii = Float64Array.from(
    { length: count },
    (_, i) => min + ((max - min) * i) / (count - 1),
  );
  const images = new Float32Array(count * n);
  radii.forEach((r, i) => renderer.render(r, images.subarray(i * n, (i + 1) * n)));
  return { images, radii, count, size: m };
}
