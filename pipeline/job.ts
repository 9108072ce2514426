/**
 * What the runner hands a worker process: everything one stage attempt needs, written as a
 * JSON file under `data/tmp/`. And the line protocol a worker speaks on its stdout.
 *
 * @module
 */
import type { KeyParts } from "./key.ts";
import type { Json, Progress } from "./stage.ts";

/** One stage attempt. */
export interface Job {
  stage: string;
  key: string;
  parts: KeyParts;
  profile: string;
  backend: string;
  params: Record<string, Json>;
  inputs: Record<string, { ref: string; path: string; sha256: string }>;
  /** Temporary output directory (renamed into the cache on success). */
  outDir: string;
  scratchDir: string;
  seed: number;
  /** CPU threads the stage may use (not part of its key: outputs must not depend on it). */
  threads: number;
}

/** Several stage attempts in one worker process (stages of one group key, `Stage.group`). */
export interface GroupJob {
  /** The members' jobs, in the order the group runs them. */
  group: Job[];
}

/**
 * Messages from a worker to the runner, one JSON per stdout line after `MESSAGE_MARK`. In a
 * group attempt, `member` is the index of the job a message is about; without it, a message is
 * about every member.
 */
export type WorkerMessage =
  & (
    | { t: "log"; msg: string }
    | { t: "progress"; p: Progress }
    | { t: "done"; durationMs: number }
    | { t: "error"; msg: string }
  )
  & { member?: number };

/** Marks a protocol line; any other stdout text goes to the stage's log as it is. */
export const MESSAGE_MARK = "\u001e";

/**
 * A log line that starts with this is a warning the user should see even without `--verbose`
 * (e.g. a damaged checkpoint set aside): stages have only `ctx.log`, so the mark says it.
 */
export const WARNING_MARK = "! ";
