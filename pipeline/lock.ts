/**
 * A lock per cache key, so two `reproduce` processes never run the same key at once. The
 * lock is a file created exclusively; it names its owner: pid, the kernel's start time of that
 * pid (so a pid reused by an unrelated process is not taken for the owner) and host. A lock
 * whose owner is dead (same host; no such process, or one that started at another time) is
 * stale and is taken over: it is renamed away first, so of two processes that both see it stale
 * only one wins. A lock of another host cannot be checked from here: it is waited for, with the
 * command that clears it, and `gc` leaves it alone unless told (`--foreign-locks`).
 *
 * @module
 */
import { hostname } from "node:os";
import { dirname } from "node:path";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  /** The owner's start time (field 22 of `/proc/<pid>/stat`); absent in older locks. */
  pidStart?: string | null;
}

/** The command that clears locks of other hosts, for messages. */
export const CLEAR_FOREIGN_LOCKS = "deno task gc --foreign-locks";

/** Whether an error is Deno refusing an operation for want of a permission flag. */
function permissionRefused(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
}

/**
 * Whether a process with this pid exists on this machine.
 *
 * Deno reads `/proc/<pid>` only with every permission (`-A`). The deno tasks have fewer, so the
 * fallback asks the kernel by sending SIGCONT, which does nothing to a running process: "no such
 * process" means dead, success or "not permitted" (another user's) means alive. Without
 * `--allow-run` either, it throws: no lock could ever be found stale, and a lock left by a killed
 * run would be waited for forever.
 */
export function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      try {
        Deno.statSync("/proc/self");
        return false; // /proc works, and this pid is not in it
      } catch {
        // No /proc: ask the kernel below.
      }
    } else if (!permissionRefused(e)) {
      return true;
    }
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    if (e instanceof Deno.errors.NotCapable) {
      throw new Error(
        `Cannot tell whether pid ${pid}, which holds a lock, is alive: no permission to read /proc or to signal processes; run with --allow-run (the deno tasks have it)`,
      );
    }
    return true;
  }
}

/** `/proc/<pid>/stat`, or null when there is no such process or no way to read it. */
function readStat(pid: number): string | null {
  const path = `/proc/${pid}/stat`;
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (!permissionRefused(e)) return null;
  }
  // Deno reads /proc only with every permission; the deno tasks may run `cat`, which may.
  try {
    const out = new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

/**
 * When the process `pid` started, in the kernel's clock ticks since boot (field 22 of
 * `/proc/<pid>/stat`): with the pid it names one process, however pids are reused. Null where
 * it cannot be read (no /proc, or neither read nor run permission).
 */
export function processStartTime(pid: number): string | null {
  const stat = readStat(pid);
  if (stat === null) return null;
  // Field 2, the command name, may hold spaces and parentheses: count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ");
  return fields[22 - 3] ?? null;
}

let ownStart: string | null | undefined;

/** This process's start time, read once. */
function ownStartTime(): string | null {
  if (ownStart === undefined) ownStart = processStartTime(Deno.pid);
  return ownStart;
}

/**
 * Whether the owner of a lock runs: `alive`, `dead` (on this host: no such process, or its pid
 * now belongs to a process that started at another time) or `foreign` (another host: unknown).
 */
export function ownerState(info: LockInfo): "alive" | "dead" | "foreign" {
  if (info.host !== hostname()) return "foreign";
  if (!Number.isInteger(info.pid) || info.pid <= 0 || !processAlive(info.pid)) return "dead";
  if (typeof info.pidStart === "string") {
    const now = processStartTime(info.pid);
    if (now !== null && now !== info.pidStart) return "dead";
  }
  return "alive";
}

/** Reads a lock; null when absent or unreadable (a half-written lock counts as absent only
 * once it is older than a few seconds, which the caller handles by retrying). */
export function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(Deno.readTextFileSync(path));
    return typeof info?.pid === "number" && typeof info?.host === "string" ? info : null;
  } catch {
    return null;
  }
}

/** Who holds a lock, for messages; `foreign` when it is another host's. */
export interface LockOwner {
  owner: string;
  foreign: boolean;
  /** The owner's pid (on its host); absent while the lock is being taken. */
  pid?: number;
}

/**
 * Who holds the lock at `path` now (`pid N on HOST since ISO-TIME`), or null when nobody does
 * (no lock, an unreadable one, or one whose owner on this host is dead). Reads only.
 */
export function lockOwner(path: string): LockOwner | null {
  const cur = readLock(path);
  if (cur === null) return null;
  const state = ownerState(cur);
  if (state === "dead") return null;
  return {
    owner: `pid ${cur.pid} on ${cur.host} since ${cur.started}`,
    foreign: state === "foreign",
    pid: cur.pid,
  };
}

/** A held lock; release it exactly once. */
export interface HeldLock {
  path: string;
  release(): void;
}

/** Tries to take the lock once: the held lock, or who holds it. */
export function tryLock(path: string): HeldLock | LockOwner {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const info: LockInfo = {
    pid: Deno.pid,
    host: hostname(),
    started: new Date().toISOString(),
    pidStart: ownStartTime(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const f = Deno.openSync(path, { write: true, createNew: true });
      f.writeSync(new TextEncoder().encode(JSON.stringify(info)));
      f.close();
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            const cur = readLock(path);
            if (cur && cur.pid === info.pid && cur.host === info.host) Deno.removeSync(path);
          } catch { /* already gone */ }
        },
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    const cur = readLock(path);
    if (cur === null) {
      // Unreadable: either being written right now, or left half-written by a killed process.
      let age = 0;
      try {
        age = Date.now() - (Deno.statSync(path).mtime?.getTime() ?? Date.now());
      } catch {
        continue; // vanished: try again
      }
      if (age < 5000) return { owner: "a process that is starting", foreign: false };
    } else {
      const owner = lockOwner(path);
      if (owner) return owner;
    }
    // Stale: move it aside atomically; only one contender's rename succeeds.
    try {
      Deno.renameSync(path, `${path}.stale-${Deno.pid}`);
      Deno.removeSync(`${path}.stale-${Deno.pid}`);
    } catch { /* someone else took it over first; retry */ }
  }
  return { owner: "another process (contended)", foreign: false };
}
