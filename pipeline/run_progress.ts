/**
 * The progress of a running stage, on disk, so that `status` run from another shell (say while
 * a `setsid nohup deno task reproduce … &` trains in the background) can say how far each
 * running stage is and when it should end.
 *
 * The runner that holds the stage's lock writes `data/logs/<stage>.progress.json` at most once a
 * second and removes it when the attempt ends. `status` believes the file only while the lock's
 * owner is alive and is the file's writer for the same key: a file left by a killed run names a
 * dead pid or another key, and is ignored.
 *
 * @module
 */
import { formatDuration } from "./progress.ts";
import type { Progress } from "./stage.ts";

/** The progress file beside a stage's log: `data/logs/<stage>.log` → `<stage>.progress.json`. */
export function progressPathOf(logPath: string): string {
  return `${logPath.replace(/\.log$/, "")}.progress.json`;
}

/** What the file holds. */
export interface ProgressRecord {
  /** The key being built. */
  key: string;
  /** The process holding the lock (the runner). */
  pid: number;
  /** The latest progress reported. */
  step: number;
  total?: number;
  phase?: string;
  values?: Record<string, number>;
  /** When it was reported (ISO time). */
  at: string;
  /** The first progress of this attempt (a resumed training starts past 0): the ETA's base. */
  first: { step: number; at: string };
}

/** Writes a stage's progress file, at most once per `everyMs`; `close` removes it. */
export class ProgressFile {
  readonly #path: string;
  readonly #key: string;
  readonly #everyMs: number;
  #first: { step: number; at: string } | null = null;
  #lastWrite = -Infinity;

  /** `path`: the file (`Layout.progress`); `key`: the key the attempt builds. */
  constructor(path: string, key: string, everyMs = 1000) {
    this.#path = path;
    this.#key = key;
    this.#everyMs = everyMs;
  }

  /** Records `p`, reported at `now`; writes when the last write is old enough or it is the end. */
  update(p: Progress, now = new Date()): void {
    const at = now.toISOString();
    this.#first ??= { step: p.step, at };
    const t = now.getTime();
    const last = p.total !== undefined && p.step >= p.total;
    if (t - this.#lastWrite < this.#everyMs && !last) return;
    this.#lastWrite = t;
    const record: ProgressRecord = {
      key: this.#key,
      pid: Deno.pid,
      step: p.step,
      ...(p.total !== undefined ? { total: p.total } : {}),
      ...(p.phase !== undefined ? { phase: p.phase } : {}),
      ...(p.values !== undefined ? { values: p.values } : {}),
      at,
      first: this.#first,
    };
    // Written beside and renamed over: a reader never sees half a file.
    const tmp = `${this.#path}.${Deno.pid}.tmp`;
    try {
      Deno.writeTextFileSync(tmp, JSON.stringify(record));
      Deno.renameSync(tmp, this.#path);
    } catch {
      // Progress is a courtesy to `status`: a full disk or a removed data/logs must not fail
      // the stage.
    }
  }

  /** Removes the file (the attempt ended, however). */
  close(): void {
    for (const p of [this.#path, `${this.#path}.${Deno.pid}.tmp`]) {
      try {
        Deno.removeSync(p);
      } catch { /* never written */ }
    }
  }
}

/** The progress file at `path` when it was written for `key` by process `pid`; else null. */
export function readProgress(path: string, key: string, pid: number): ProgressRecord | null {
  try {
    const r = JSON.parse(Deno.readTextFileSync(path)) as ProgressRecord;
    if (r?.key !== key || r.pid !== pid || typeof r.step !== "number") return null;
    if (typeof r.at !== "string" || typeof r.first?.at !== "string") return null;
    return r;
  } catch {
    return null;
  }
}

/**
 * One phrase for `status`: `step 3,000 of 10,000 (30%), ETA 14m02s`, with the phase where the
 * stage has phases, and how long ago the last report came when that is over a minute (a stage
 * stuck in one step, or a runner that stopped reporting).
 */
export function describeProgress(r: ProgressRecord, now = new Date()): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const parts: string[] = [];
  let text = `step ${n(r.step)}`;
  if (r.total !== undefined && r.total > 0) {
    text += ` of ${n(r.total)} (${Math.floor((100 * r.step) / r.total)}%)`;
  }
  parts.push(r.phase ? `${r.phase}: ${text}` : text);
  const at = Date.parse(r.at), firstAt = Date.parse(r.first.at);
  const rate = (r.step - r.first.step) / ((at - firstAt) / 1000);
  if (r.total !== undefined && Number.isFinite(rate) && rate > 0) {
    // From the last report at this attempt's mean rate; a run that stopped reporting keeps
    // its ETA and says how old the report is instead.
    parts.push(`ETA ${formatDuration((r.total - r.step) / rate)}`);
  }
  const age = (now.getTime() - at) / 1000;
  if (age > 60) parts.push(`last report ${formatDuration(age)} ago`);
  return parts.join(", ");
}
