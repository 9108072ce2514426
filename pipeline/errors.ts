/**
 * The two kinds of failure the engine reports: a usage error (bad target, flag, override,
 * corrupt manifest, missing backend: exit code 2, nothing touched) and a stage failure (exit
 * code 1, with the stage's log path).
 *
 * @module
 */

/** Bad input from the user or the environment: exit code 2, the cache untouched. */
export class UsageError extends Error {
  /** Creates a usage error; the message names the thing and the fix. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A stage that threw: exit code 1. */
export class StageError extends Error {
  /** Creates a stage failure naming the stage and where its log is. */
  constructor(readonly stageId: string, readonly logPath: string, cause: string) {
    super(`Stage "${stageId}" failed: ${cause}\n  log: ${logPath}`);
    this.name = "StageError";
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest names to `name` among `valid` (at most three), for error messages. */
export function closest(name: string, valid: readonly string[]): string[] {
  return valid
    .map((v) => ({ v, d: editDistance(name, v) }))
    .filter(({ v, d }) => d <= Math.max(2, Math.floor(v.length / 2)) || v.includes(name))
    .sort((x, y) => x.d - y.d || x.v.localeCompare(y.v))
    .slice(0, 3)
    .map(({ v }) => v);
}

/** " (did you mean a, b?)" or "" when nothing is close. */
export function didYouMean(name: string, valid: readonly string[]): string {
  // Every name "contains" the empty one: suggesting them all would say nothing.
  if (name.trim() === "") return "";
  const c = closest(name, valid);
  return c.length ? ` (did you mean ${c.map((x) => `"${x}"`).join(", ")}?)` : "";
}
