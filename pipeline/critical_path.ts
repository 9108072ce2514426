/**
 * The order in which the runner starts ready stages: longest remaining path first.
 *
 * Why: with `--jobs N`, starting ready stages in plain topological order can leave the longest
 * chain (in the quick profile, the DCGAN training and its figure) for last, to run alone while
 * the other workers sit idle; on the 2-core development machine the quick profile ended with
 * 2 minutes of one DCGAN training. Starting first the stage whose path to the end of the run is
 * the longest (its own estimate plus that of its longest chain of dependants) is the classic
 * critical-path list schedule.
 *
 * @module
 */

import type { ScheduledStage } from "./estimate.ts";

/**
 * The stages sorted by their critical path (own estimated seconds plus the longest chain of
 * stages that need them, within the list), longest first; ties keep the given (topological)
 * order. Needs outside the list are ignored. The result is still a topological order: a stage's
 * path is at least as long as any stage that needs it, and ties keep the given order.
 */
export function criticalPathOrder<T extends ScheduledStage>(stages: readonly T[]): T[] {
  const index = new Map(stages.map((s, i) => [s.id, i]));
  const dependants = new Map<string, string[]>(stages.map((s) => [s.id, []]));
  for (const s of stages) {
    for (const n of s.needs) dependants.get(n)?.push(s.id);
  }
  const path = new Map<string, number>();
  // Dependants come later in a topological order, so walking backwards sees them first.
  for (let i = stages.length - 1; i >= 0; i--) {
    const s = stages[i];
    const longestAfter = Math.max(0, ...dependants.get(s.id)!.map((d) => path.get(d) ?? 0));
    path.set(s.id, Math.max(0, s.seconds) + longestAfter);
  }
  return [...stages].sort((a, b) =>
    path.get(b.id)! - path.get(a.id)! || index.get(a.id)! - index.get(b.id)!
  );
}
