/**
 * Runs the toy project's command line in a fresh directory, for the engine's tests.
 *
 * @module
 */
import { join } from "node:path";

/** The toy entry module. */
export const TOY_MAIN = new URL("./fixtures/toy_main.ts", import.meta.url).href;

/** Result of one command. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

/** The repository root (the toy's code lives in it, its data in a temporary directory). */
const REPO = new URL("..", import.meta.url).pathname;

/**
 * The permissions of the project's deno tasks (`deno.json`): read the project and /proc, write
 * `data/` and `figures/` only. The toy's code lives in the repository, hence the extra read.
 */
export const TASK_PERMISSIONS = [
  `--allow-read=.,/proc,${REPO}`,
  "--allow-write=data,figures",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
  "--allow-run",
];

/**
 * Runs `toy_main.ts <args>` in `dir` (the project root there), with every permission or, given
 * `permissions`, with those.
 */
export async function toy(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  permissions: string[] = ["-A"],
): Promise<Run> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, TOY_MAIN, ...args],
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  return {
    code: r.code,
    out: new TextDecoder().decode(r.stdout),
    err: new TextDecoder().decode(r.stderr),
  };
}

/** Starts `toy_main.ts <args>` in `dir` without waiting. */
export function spawnToy(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOY_MAIN, ...args],
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Lines of `data/runs.log`: one per stage execution. */
export function runs(dir: string): string[] {
  try {
    return Deno.readTextFileSync(join(dir, "data", "runs.log")).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** Cache entry directories of a stage (`latest.json` excluded). */
export function entries(dir: string, stage: string): string[] {
  try {
    return [...Deno.readDirSync(join(dir, "data", "cache", stage))].filter((e) => e.isDirectory)
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Waits until `pred()` holds (polling), failing after `ms`. */
export async function waitFor(pred: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a run started with {@linkcode spawnToy} with SIGINT; its exit code. */
export async function interrupt(child: Deno.ChildProcess): Promise<number> {
  child.kill("SIGINT");
  const status = await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  return status.code;
}

/** The lock files left in a toy project. */
export function locks(dir: string): string[] {
  return [...Deno.readDirSync(join(dir, "data", "locks"))].map((e) => e.name);
}
