/**
 * What the `hole` item reports beside its decision, per run, as pure functions of per-radius
 * arrays (tested on inputs with known answers):
 * - the share of test radii in the hole whose output fails: IoU of the thresholded output
 *   below 0.9 (the `ae-d1` bar) or its radius r̂ off by more than 1 px (the `limited` margin),
 *   beside the same share over the seen radii in [2, 30];
 * - the inner hole (one pixel in from each end: [12, 17] for [11, 18]) against neighbours of
 *   the same width outside, one pixel out from each end ([5, 10] and [19, 24]): the error of
 *   a disk grows with its edge, so the mean over [2, 30] is not the level a hole radius should
 *   be compared with; same-sized intervals on both sides are, and the pixel left on each side
 *   keeps radii next to seen ones out of both;
 * - the hole's share of the range of z over [2, 30] against its share of the range of the
 *   area r²: a code that follows the area (P-Fig 3) gives the hole the area's share; a network
 *   that skips the hole gives it less.
 *
 * @module
 */
import { EVAL_RANGE, type Interval, meanWhere } from "./metrics.ts";

/** IoU below which an output in the hole counts as failed (the `ae-d1` bar). */
export const FAIL_IOU = 0.9;

/** |r̂ − r| above which an output in the hole counts as failed, in pixels. */
export const FAIL_RADIUS_PX = 1;

const inside = (r: number, [lo, hi]: Interval) => r >= lo && r <= hi;

/** Failing outputs among the test radii in the hole. */
export interface FailingShare {
  /** Test radii in the hole whose output fails. */
  failing: number;
  /** Test radii in the hole. */
  total: number;
  /** failing / total (NaN when the hole holds no test radius). */
  share: number;
}

/** The share of the test radii that `keep` selects whose output fails. */
function failingWhere(
  radii: ArrayLike<number>,
  iou: ArrayLike<number>,
  radiusHat: ArrayLike<number>,
  keep: (r: number) => boolean,
): FailingShare {
  if (iou.length !== radii.length || radiusHat.length !== radii.length) {
    throw new RangeError(
      `Cannot count failing outputs: ${radii.length} radii, ${iou.length} IoUs and ${radiusHat.length} radii r̂`,
    );
  }
  let failing = 0, total = 0;
  for (let i = 0; i < radii.length; i++) {
    if (!keep(radii[i])) continue;
    total++;
    if (!(iou[i] >= FAIL_IOU) || !(Math.abs(radiusHat[i] - radii[i]) <= FAIL_RADIUS_PX)) failing++;
  }
  return { failing, total, share: failing / total };
}

/** The share of test radii in the hole whose output has IoU < 0.9 or |r̂ − r| > 1 px. */
export function failingShare(
  radii: ArrayLike<number>,
  iou: ArrayLike<number>,
  radiusHat: ArrayLike<number>,
  hole: Interval,
): FailingShare {
  return failingWhere(radii, iou, radiusHat, (r) => inside(r, hole));
}

/**
 * The same share over the test radii in `range` ([2, 30]) outside the hole: the level of
 * failure of the radii seen in training, which the hole's share is read against.
 */
export function failingShareOutside(
  radii: ArrayLike<number>,
  iou: ArrayLike<number>,
  radiusHat: ArrayLike<number>,
  hole: Interval,
  range: Interval = EVAL_RANGE,
): FailingShare {
  return failingWhere(radii, iou, radiusHat, (r) => inside(r, range) && !inside(r, hole));
}

/** The inner hole and its two same-sized neighbours outside the hole. */
export interface InnerHoleIntervals {
  /** [holeMin + 1, holeMax − 1]. */
  inner: Interval;
  /** [holeMin − 1 − w, holeMin − 1], w the inner hole's width. */
  below: Interval;
  /** [holeMax + 1, holeMax + 1 + w]. */
  above: Interval;
}

/** The inner hole of a hole and its neighbours ([12, 17], [5, 10], [19, 24] for [11, 18]). */
export function innerHoleIntervals(hole: Interval): InnerHoleIntervals {
  const inner: Interval = [hole[0] + 1, hole[1] - 1];
  const w = inner[1] - inner[0];
  if (!(w > 0)) {
    throw new RangeError(
      `Cannot take the inner hole of [${hole}]: it is narrower than 2 px; widen the hole`,
    );
  }
  return { inner, below: [hole[0] - 1 - w, hole[0] - 1], above: [hole[1] + 1, hole[1] + 1 + w] };
}

/** Mean error in the inner hole against its neighbours. */
export interface InnerVsNeighbours extends InnerHoleIntervals {
  /** Mean error over the test radii in the inner hole. */
  innerError: number;
  /** Mean error over the test radii in both neighbours together. */
  neighbourError: number;
  /** innerError / neighbourError. */
  ratio: number;
}

/** The mean error of the inner hole over that of its same-sized neighbours. */
export function innerVsNeighbours(
  errors: ArrayLike<number>,
  radii: ArrayLike<number>,
  hole: Interval,
): InnerVsNeighbours {
  const iv = innerHoleIntervals(hole);
  const innerError = meanWhere(errors, radii, (r) => inside(r, iv.inner));
  const neighbourError = meanWhere(
    errors,
    radii,
    (r) => inside(r, iv.below) || inside(r, iv.above),
  );
  return { ...iv, innerError, neighbourError, ratio: innerError / neighbourError };
}

/** The hole's share of the z range and of the area range. */
export interface HoleShare {
  /** (max − min of z over test radii in the hole) / (max − min of z over `range`). */
  zShare: number;
  /** (holeMax² − holeMin²) / (hi² − lo²): what a code proportional to the area gives. */
  areaShare: number;
}

/**
 * The hole's share of the range of z over the test radii in `range` ([2, 30]), next to its
 * share of the area range. Spans (max − min) rather than the difference of the ends, so a
 * code that turns back inside the hole is measured by how much of the z axis the hole covers;
 * zShare is NaN for a constant code.
 */
export function holeShare(
  z: ArrayLike<number>,
  radii: ArrayLike<number>,
  hole: Interval,
  range: Interval = EVAL_RANGE,
): HoleShare {
  if (z.length !== radii.length) {
    throw new RangeError(
      `Cannot measure the hole's share: ${z.length} codes, ${radii.length} radii`,
    );
  }
  const span = (keep: (r: number) => boolean) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < z.length; i++) {
      if (keep(radii[i])) {
        lo = Math.min(lo, z[i]);
        hi = Math.max(hi, z[i]);
      }
    }
    return hi - lo;
  };
  const all = span((r) => inside(r, range));
  return {
    zShare: all > 0 ? span((r) => inside(r, hole)) / all : NaN,
    areaShare: (hole[1] ** 2 - hole[0] ** 2) / (range[1] ** 2 - range[0] ** 2),
  };
}
