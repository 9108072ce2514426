/**
 * Measured step times for the dry-run estimates, read from `./step_times.json` when an estimate
 * is asked for, not imported. The code hash still counts the file as code (it is loaded with
 * `new URL(…, import.meta.url)`, the form a worker's script takes), so recalibrating it re-keys
 * the trainings that read it: recalibrate when the kernels change, which re-keys them anyway.
 *
 * @module
 */

/** Seconds per update of one model family on one backend: fixed + perImage · batch. */
export interface StepTime {
  fixed: number;
  perImage: number;
}

const FILE = new URL("./step_times.json", import.meta.url);

let table: Record<string, Record<string, StepTime>> | null | undefined;

/**
 * The measured step time of `model` on `backend`, or `fallback` when the file is missing,
 * unreadable or has no such entry (a bundle, say, carries no data files).
 */
export function measuredStepTime(model: string, backend: string, fallback: StepTime): StepTime {
  if (table === undefined) {
    try {
      table = JSON.parse(Deno.readTextFileSync(FILE));
    } catch {
      table = null;
    }
  }
  const t = table?.[backend]?.[model];
  return t !== undefined && Number.isFinite(t.fixed) && Number.isFinite(t.perImage) ? t : fallback;
}
