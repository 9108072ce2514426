/**
 * Where things live under the project root. Every path the engine writes is built here from
 * checked ids (see `ID_RE`), so nothing can be written outside `data/` and `figures/`.
 *
 * @module
 */
import { join, resolve } from "node:path";

/** The directories of one project. */
export class Layout {
  /** Absolute project root. */
  readonly root: string;
  /** Content-addressed entries: `data/cache/<stage>/<key>/`. */
  readonly cache: string;
  /** In-progress outputs, renamed into `cache` only on success. */
  readonly tmp: string;
  /** Per-key locks. */
  readonly locks: string;
  /** Checkpoints kept across interrupted attempts of one key. */
  readonly scratch: string;
  /** Logs of the latest attempt of each stage. */
  readonly logs: string;
  /** Damaged cache entries set aside (never deleted silently; `gc` lists and clears them). */
  readonly quarantine: string;
  /** Published figures (copies of figure stages' outputs). */
  readonly figures: string;

  /** Creates the layout of the project at `root`. */
  constructor(root: string) {
    this.root = resolve(root);
    this.cache = join(this.root, "data", "cache");
    this.tmp = join(this.root, "data", "tmp");
    this.locks = join(this.root, "data", "locks");
    this.scratch = join(this.root, "data", "scratch");
    this.logs = join(this.root, "data", "logs");
    this.quarantine = join(this.root, "data", "quarantine");
    this.figures = join(this.root, "figures");
  }

  /** Directory of one cache entry. */
  entry(stage: string, key: string): string {
    return join(this.cache, stage, key);
  }

  /** Record of the last key built for a stage (explains staleness). */
  latest(stage: string): string {
    return join(this.cache, stage, "latest.json");
  }

  /** Lock file of one key. */
  lock(stage: string, key: string): string {
    return join(this.locks, `${stage}-${key.slice(0, 32)}.lock`);
  }

  /** Scratch directory of one key. */
  scratchDir(stage: string, key: string): string {
    return join(this.scratch, stage, key.slice(0, 32));
  }

  /** Log of the latest attempt of one stage. */
  log(stage: string): string {
    return join(this.logs, `${stage}.log`);
  }
}

/** Whether `path` is a directory with something in it (a scratch directory worth resuming). */
export function nonEmptyDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory && [...Deno.readDirSync(path)].length > 0;
  } catch {
    return false;
  }
}
