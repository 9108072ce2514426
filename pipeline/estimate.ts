/**
 * Wall-clock estimate of a run: the stages' estimated durations scheduled as the runner
 * schedules them, `jobs` at once, each stage starting once everything it needs has finished.
 *
 * Why: the sum of the stages' estimates is the compute time, not how long `reproduce` takes
 * with `--jobs N`; a researcher deciding whether to start a run wants the latter.
 *
 * @module
 */

/** One stage to schedule: its estimated seconds and the ids it waits for. */
export interface ScheduledStage {
  /** Stage id. */
  id: string;
  /** Estimated seconds (0 when unknown). */
  seconds: number;
  /** Ids of stages it needs that also run; stages not listed count as already done. */
  needs: readonly string[];
}

/**
 * Greedy list scheduling in the given order (a topological order, as the planner lists stages):
 * whenever a worker is free, the first stage whose needs have finished starts on it. Returns
 * the time the last stage finishes. Throws on a stage that needs one listed after it.
 */
export function makespan(stages: readonly ScheduledStage[], jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new Error(`Cannot estimate a run with ${jobs} jobs: expected an integer ≥ 1`);
  }
  const position = new Map(stages.map((s, i) => [s.id, i]));
  stages.forEach((s, i) => {
    for (const n of s.needs) {
      const j = position.get(n);
      if (j !== undefined && j >= i) {
        throw new Error(`Cannot estimate stage "${s.id}": it needs "${n}", listed after it`);
      }
    }
  });
  const finish = new Map<string, number>();
  const free = new Array<number>(jobs).fill(0); // when each worker is next free
  const pending = [...stages];
  let end = 0;
  while (pending.length > 0) {
    // The worker free first takes the first stage ready by then, or waits for the earliest
    // stage to become ready.
    const w = free.indexOf(Math.min(...free));
    const readyAt = (s: ScheduledStage) =>
      s.needs.reduce((t, n) => Math.max(t, finish.get(n) ?? (position.has(n) ? Infinity : 0)), 0);
    let pick = pending.findIndex((s) => readyAt(s) <= free[w]);
    if (pick < 0) {
      let best = Infinity;
      pending.forEach((s, i) => {
        const r = readyAt(s);
        if (r < best) best = r, pick = i;
      });
    }
    const s = pending.splice(pick, 1)[0];
    const start = Math.max(free[w], readyAt(s));
    const done = start + Math.max(0, s.seconds);
    finish.set(s.id, done);
    free[w] = done;
    end = Math.max(end, done);
  }
  return end;
}
