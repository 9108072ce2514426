/**
 * The facts every training stage records in its manifest, whatever its family: wall time of
 * the updates, milliseconds per update, updates run by this attempt and, per training run (a
 * stage may train several seeds), the update its checkpoint resumed from.
 *
 * @module
 */
import type { LoopResult } from "./loop.ts";

/** One training run's part of {@linkcode trainingRecords}. */
export type RunFacts = Pick<LoopResult<unknown>, "seconds" | "stepsRun" | "resumedFrom">;

/** The manifest records of a training stage from its runs, in the order they trained. */
export function trainingRecords(runs: readonly RunFacts[]): {
  train_seconds: number;
  ms_per_step: number | null;
  steps_run: number;
  resumed_from: (number | null)[];
} {
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const steps = runs.reduce((a, r) => a + r.stepsRun, 0);
  return {
    train_seconds: seconds,
    ms_per_step: steps > 0 ? (1000 * seconds) / steps : null,
    steps_run: steps,
    resumed_from: runs.map((r) => r.resumedFrom),
  };
}

/** Records the facts of {@linkcode trainingRecords} through a stage context's `record`. */
export function recordTraining(
  record: (key: string, value: number | null | (number | null)[]) => void,
  runs: readonly RunFacts[],
): void {
  for (const [k, v] of Object.entries(trainingRecords(runs))) record(k, v);
}
