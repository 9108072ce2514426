/**
 * When an unregularised run "fails like P-Fig 6", and how many runs must, for the `hole` item.
 *
 * P§4.4 on P-Fig 6: "in the unknown regions the network is unable to recreate the input
 * disks". Per run, that is read as: the mean reconstruction error over the test radii in the
 * hole is at least {@linkcode HOLE_RATIO_BAR} times the mean error over the test radii in
 * [2, 30] outside it (`metrics.ts`, `holeErrors`). The paper shows one run; P-Fig 7's caption
 * adds that the unregularised network "can produce incoherent latent spaces" over five runs,
 * so the failure is not claimed for every run. The item asks for the typical outcome: a
 * strict majority of the seeds ({@linkcode majority}), 3 of the paper's 5.
 *
 * @module
 */
import type { HoleErrors } from "./metrics.ts";

/** The bar of the catalogue: hole error ≥ 3 × the error outside. */
export const HOLE_RATIO_BAR = 3;

/** Whether a run fails like P-Fig 6: hole error ≥ {@linkcode HOLE_RATIO_BAR} × outside. */
export function failsLikeFig6(h: HoleErrors): boolean {
  return h.ratio >= HOLE_RATIO_BAR;
}

/** Seeds out of `n` that make a strict majority: ⌊n/2⌋ + 1 (3 of 5, 2 of 2, 1 of 1). */
export function majority(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`Cannot take a majority of ${n} seeds: need a whole number ≥ 1`);
  }
  return Math.floor(n / 2) + 1;
}
