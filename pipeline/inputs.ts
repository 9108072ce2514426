/**
 * Checks of the command line's inputs that are not parameters: which options each command
 * takes, how many paths or targets, `--jobs`, `--root` and the archive paths of `export` and
 * `import`. Each bad input is a usage error (exit code 2, one line naming the thing and the
 * fix), found before anything under `data/` is touched.
 *
 * @module
 */
import { dirname, relative, resolve } from "node:path";
import { UsageError } from "./errors.ts";
import type { Layout } from "./layout.ts";

/** The options each command takes (`--help` is taken by all). */
export const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  reproduce: [
    "profile",
    "backend",
    "set",
    "jobs",
    "group-size",
    "force",
    "keep-going",
    "dry-run",
    "partial",
    "verbose",
    "shard",
    "out",
    "root",
  ],
  status: ["profile", "backend", "set", "root"],
  dag: ["mermaid", "root"],
  verify: ["profile", "backend", "set", "verbose", "root"],
  gc: ["profile", "backend", "set", "dry-run", "foreign-locks", "root"],
  export: ["profile", "backend", "set", "no-inputs", "checkpoints", "shard", "root"],
  import: ["root"],
  "publish-run": ["profile", "backend", "set", "partial", "out", "root"],
  "check-run": ["root"],
};

/** Refuses an option the command does not take, naming the commands that do. */
export function checkOptions(cmd: string, given: readonly string[]): void {
  const allowed = COMMAND_OPTIONS[cmd] ?? [];
  for (const name of given) {
    if (name === "help" || allowed.includes(name)) continue;
    const users = Object.keys(COMMAND_OPTIONS).filter((c) => COMMAND_OPTIONS[c].includes(name));
    throw new UsageError(
      `Cannot use --${name} with ${cmd}: it applies to ${
        users.length === 1 ? `${users[0]} only` : users.join(", ")
      }`,
    );
  }
}

/** Largest `--jobs`: more processes than this only queue for the same cores or GPU. */
export const MAX_JOBS = 64;

/** Largest `--group-size`: more trainings than this in one process are not measured. */
export const MAX_GROUP_SIZE = 64;

/** Parses `--group-size`: `auto` or a plain decimal integer from 1 to {@link MAX_GROUP_SIZE}. */
export function parseGroupSize(raw: string): number | "auto" {
  if (raw === "auto") return "auto";
  const n = /^[1-9][0-9]{0,2}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_GROUP_SIZE)) {
    const shown = /^\S+$/.test(raw) ? raw : JSON.stringify(raw);
    throw new UsageError(
      `Cannot use --group-size ${shown}: expected auto or an integer from 1 to ${MAX_GROUP_SIZE} (1: every training in its own process)`,
    );
  }
  return n;
}

/** Parses `--jobs`: `auto` or a plain decimal integer from 1 to {@link MAX_JOBS}. */
export function parseJobs(raw: string): number | "auto" {
  if (raw === "auto") return "auto";
  // Plain digits only: "0x10", "1e1", " 4" or "4.0" are typos more often than intents.
  const n = /^[1-9][0-9]{0,2}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_JOBS)) {
    const shown = /^\S+$/.test(raw) ? raw : JSON.stringify(raw);
    throw new UsageError(
      `Cannot use --jobs ${shown}: expected auto or an integer from 1 to ${MAX_JOBS}`,
    );
  }
  return n;
}

/** What is at `path`: a file, a directory, something else, nothing, or a place this process
 * may not look at (the deno tasks read only the project). */
function kindOf(path: string): "file" | "dir" | "other" | "none" | "denied" {
  try {
    const st = Deno.statSync(path);
    return st.isFile ? "file" : st.isDirectory ? "dir" : "other";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return "none";
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return "denied";
    }
    return "other";
  }
}

/** The words for a path that is not what was asked for. */
const SAYS = {
  none: "no such file",
  dir: "it is a directory",
  other: "not a file",
  denied: "no permission to read it (the deno tasks read only the project; put it under data/)",
  file: "a file",
};

/** Checks `--root`: an existing directory. */
export function checkRoot(root: string): void {
  if (root.trim() === "") {
    throw new UsageError(`Cannot use --root "": give the project directory, e.g. --root .`);
  }
  const kind = kindOf(root);
  if (kind !== "dir") {
    throw new UsageError(
      `Cannot use --root "${root}": ${
        kind === "none" ? "no such directory" : kind === "denied" ? SAYS.denied : "not a directory"
      }; give the project directory`,
    );
  }
}

/** Directories of `data/` the engine owns: an archive written there would be taken for data. */
function ownedDirs(layout: Layout): string[] {
  return [layout.cache, layout.tmp, layout.locks, layout.scratch, layout.quarantine];
}

/** Checks the archive path of `export` before anything is packed. */
export function checkExportPath(layout: Layout, file: string): void {
  const example = "give a file path such as data/results.tar.gz";
  if (file.trim() === "") throw new UsageError(`Cannot export to "": ${example}`);
  const abs = resolve(file);
  const kind = kindOf(abs);
  if (kind === "dir") {
    throw new UsageError(`Cannot export to "${file}": it is a directory; ${example}`);
  }
  if (kind === "other") throw new UsageError(`Cannot export to "${file}": not a file; ${example}`);
  for (const dir of ownedDirs(layout)) {
    const rel = relative(dir, abs);
    if (rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"))) {
      throw new UsageError(
        `Cannot export to "${file}": ${
          relative(layout.root, dir)
        }/ belongs to the cache; ${example}`,
      );
    }
  }
  // A place the tasks may not look at is left to the write, which names the place to use.
  const parent = dirname(abs);
  const pk = kindOf(parent);
  if (pk !== "dir" && pk !== "denied") {
    throw new UsageError(
      `Cannot export to "${file}": "${relative(Deno.cwd(), parent) || "."}" ${
        pk === "none" ? "does not exist; create it first, or" : "is not a directory;"
      } ${example}`,
    );
  }
}

/** Checks the archive path of `import`: an existing file. */
export function checkImportPath(file: string): void {
  const hint = "give the path of an archive made by `export`";
  if (file.trim() === "") throw new UsageError(`Cannot import "": ${hint}`);
  const kind = kindOf(file);
  if (kind !== "file") throw new UsageError(`Cannot import "${file}": ${SAYS[kind]}; ${hint}`);
}
