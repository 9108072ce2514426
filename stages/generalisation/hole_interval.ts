/**
 * The hole of the training radii, read from the hole dataset's `dataset.json` (so that
 * `--set data-hole.holeMin=…` reaches every measurement instead of a copy of 11 and 18).
 *
 * @module
 */
import type { Interval } from "./metrics.ts";

/** Parses a `dataset.json` of a `sampler = hole` dataset into its hole [holeMin, holeMax]. */
export function parseHole(text: string, where = "dataset.json"): Interval {
  const meta = JSON.parse(text) as {
    sampler?: { kind?: string; holeMin?: number; holeMax?: number };
  };
  const s = meta.sampler;
  if (
    s?.kind !== "hole" || typeof s.holeMin !== "number" || typeof s.holeMax !== "number" ||
    !(s.holeMin < s.holeMax)
  ) {
    throw new Error(
      `Cannot read the hole from "${where}": its sampler is ${
        JSON.stringify(s)
      }, not a hole; use data-hole's dataset.json`,
    );
  }
  return [s.holeMin, s.holeMax];
}

/** Reads the hole from a dataset stage's `dataset.json`. */
export async function readHole(path: string): Promise<Interval> {
  return parseHole(await Deno.readTextFile(path), path);
}
