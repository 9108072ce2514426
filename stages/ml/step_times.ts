/**
 * Measured step times for the dry-run estimates, read from `./step_times.json` when an estimate
 * is asked for, not imported: the file is data, not code, so recalibrating it after a benchmark
 * changes no stage's cache key.
 *
 * @module
 */

/**
 * The coefficients of one model family's seconds per update on one backend, e.g. `fixed` and
 * `perImage` (fixed + perImage · batch) for the disk model, `fixed` and `perMac` for the DCGAN.
 */
export type StepTime = Record<string, number>;

const FILE = new URL("./step_times.json", import.meta.url);

let table: Record<string, Record<string, StepTime>> | null | undefined;

/**
 * The measured step time of `model` on `backend`, or `fallback` when the file is missing,
 * unreadable or has no such entry (a bundle, say, carries no data files).
 */
export function measuredStepTime<T extends StepTime>(
  model: string,
  backend: string,
  fallback: T,
): T {
  if (table === undefined) {
    try {
      table = JSON.parse(Deno.readTextFileSync(FILE));
    } catch {
      table = null;
    }
  }
  const t = table?.[backend]?.[model];
  const complete = t !== undefined && Object.keys(fallback).every((k) => Number.isFinite(t[k]));
  return complete ? (t as T) : fallback;
}
