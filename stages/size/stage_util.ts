/**
 * Small pieces shared by the size item stages: the radius range the measures are taken on,
 * the weight-file inputs of a training stage, and writing `checks.json`.
 *
 * @module
 */
import type { Check } from "../../lib/common/checks.ts";
import type { OutputRef, ParamDef } from "../../pipeline/stage.ts";

/**
 * The test radii a measure is taken over: 2–30, the range of the `ae-d1` check of the spec,
 * used by every size item for consistency. It leaves out r < 2, where the blurred disk covers
 * a dozen pixels and thresholded measures are dominated by the pixel grid, and r > 30, where
 * the disk (centre 31.5) touches the image border.
 */
export const RADIUS_RANGE_PARAM: ParamDef & { type: "number[]" } = {
  type: "number[]",
  default: [2, 30],
  doc:
    "test radii [lo, hi] the measures are taken over (spec's ae-d1 range 2–30: excludes disks of a few pixels and disks touching the border)",
};

/** Checks the [lo, hi] range parameter. */
export function radiusRange(value: number[], stage: string): [number, number] {
  if (value.length !== 2 || !(value[1] > value[0])) {
    throw new Error(
      `Cannot run "${stage}": radiusRange must be [lo, hi] with lo < hi; fix --set ${stage}.radiusRange`,
    );
  }
  return [value[0], value[1]];
}

/** The two weight files of a training stage, as inputs `weights` and `bin`. */
export function weightInputs(trainStage: string): { weights: OutputRef; bin: OutputRef } {
  return { weights: `${trainStage}:weights.json`, bin: `${trainStage}:weights.bin` };
}

/** The test set's files, as inputs `testImages` and `testRadii`. */
export const TEST_INPUTS: { testImages: OutputRef; testRadii: OutputRef } = {
  testImages: "data-test:images.npy",
  testRadii: "data-test:radii.npy",
};

/** Writes `checks.json` (an array of checks). */
export async function writeChecks(path: string, checks: readonly Check[]): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(checks, null, 2) + "\n");
}

/** Writes a JSON file, pretty-printed. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

/** Rounds for display: `digits` significant digits. */
export function sig(x: number, digits = 3): string {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x);
}
