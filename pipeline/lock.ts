/**
 * A lock per cache key, so two `reproduce` processes never run the same key at once. The
 * lock is a file created exclusively; it names its owner's pid and host. A lock whose owner
 * is dead (same host, no such process) is stale and is taken over: it is renamed away first,
 * so of two processes that both see it stale only one wins.
 *
 * @module
 */
import { hostname } from "node:os";
import { dirname } from "node:path";

/** What a lock file holds. */
interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

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

/** Reads a lock; null when absent or unreadable (a half-written lock counts as absent only
 * once it is older than a few seconds, which the caller handles by retrying). */
function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as LockInfo;
  } catch {
    return null;
  }
}

/**
 * Who holds the lock at `path` now: `pid N on HOST since ISO-TIME`, or null when nobody does
 * (no lock, an unreadable one, or one whose owner on this host is dead). Reads only.
 */
export function lockOwner(path: string): string | null {
  const cur = readLock(path);
  if (cur === null || (cur.host === hostname() && !processAlive(cur.pid))) return null;
  return `pid ${cur.pid} on ${cur.host} since ${cur.started}`;
}

/** A held lock; release it exactly once. */
export interface HeldLock {
  path: string;
  release(): void;
}

/** Tries to take the lock once: the held lock, or the live owner's description. */
export function tryLock(path: string): HeldLock | { owner: string } {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const info: LockInfo = { pid: Deno.pid, host: hostname(), started: new Date().toISOString() };
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
      if (age < 5000) return { owner: "a process that is starting" };
    } else {
      const owner = lockOwner(path);
      if (owner) return { owner };
    }
    // Stale: move it aside atomically; only one contender's rename succeeds.
    try {
      Deno.renameSync(path, `${path}.stale-${Deno.pid}`);
      Deno.removeSync(`${path}.stale-${Deno.pid}`);
    } catch { /* someone else took it over first; retry */ }
  }
  return { owner: "another process (contended)" };
}
