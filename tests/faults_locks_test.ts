/**
 * Fault injection into the locks of a toy project: a lock naming a live but unrelated process
 * (a reused pid) is stale; a lock of another host is waited for with the command that clears
 * it, and `gc` leaves it alone unless told.
 */
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { processStartTime } from "../pipeline/lock.ts";
import { entries, TASK_PERMISSIONS, toy, waitFor } from "./cli_util.ts";
import { built, Q } from "./faults_util.ts";

const SLOW = ["slow", "--set", "slow.ms=100", ...Q];

/** A project where `slow` was built and its entry then removed, and the path of its key's
 * lock (none there yet). */
async function withLockPath(): Promise<{ dir: string; lock: string }> {
  const dir = await built(...SLOW);
  const [key] = entries(dir, "slow");
  Deno.removeSync(join(dir, "data", "cache", "slow", key), { recursive: true });
  Deno.mkdirSync(join(dir, "data", "locks"), { recursive: true });
  return { dir, lock: join(dir, "data", "locks", `slow-${key.slice(0, 32)}.lock`) };
}

function writeLock(path: string, info: Record<string, unknown>): void {
  Deno.writeTextFileSync(path, JSON.stringify({ started: "2026-01-01T00:00:00.000Z", ...info }));
}

Deno.test("a lock whose pid now belongs to another process is stale: no 'running now', no wait", async () => {
  const { dir, lock } = await withLockPath();
  // This test's process is alive, but it did not start when the lock says its owner did.
  const own = processStartTime(Deno.pid);
  assert.ok(own, "/proc/<pid>/stat is readable here");
  writeLock(lock, { pid: Deno.pid, host: hostname(), pidStart: own });
  const live = await toy(dir, ["status", ...SLOW], {}, TASK_PERMISSIONS);
  assert.match(live.out, new RegExp(`running now \\(pid ${Deno.pid} on `), "its true owner runs");
  writeLock(lock, { pid: Deno.pid, host: hostname(), pidStart: String(Number(own) + 1) });
  const st = await toy(dir, ["status", ...SLOW], {}, TASK_PERMISSIONS);
  assert.equal(st.code, 0, st.err);
  assert.doesNotMatch(st.out, /running now|locked by/);
  const r = await toy(dir, ["reproduce", ...SLOW], {}, TASK_PERMISSIONS);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /waiting for/);
  assert.match(r.err, /1 ran/);
});

Deno.test("a lock of another host: named with the command that clears it; gc keeps it unless told", async () => {
  const { dir, lock } = await withLockPath();
  writeLock(lock, { pid: 4242, host: "elsewhere.example", pidStart: "77" });
  const st = await toy(dir, ["status", ...SLOW]);
  assert.match(
    st.out,
    /locked by pid 4242 on elsewhere\.example .*another host .*`deno task gc --foreign-locks`/,
  );
  // reproduce waits for it, saying how to clear it.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./fixtures/toy_main.ts", import.meta.url).href,
      "reproduce",
      ...SLOW,
    ],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) err += dec.decode(chunk);
  })();
  await waitFor(() => /gc --foreign-locks/.test(err));
  child.kill("SIGKILL");
  await child.status;
  await reading;
  assert.match(
    err,
    /slow: waiting for pid 4242 on elsewhere\.example .*another host.*`deno task gc --foreign-locks`/,
  );
  const gc = await toy(dir, ["gc", ...Q], {}, TASK_PERMISSIONS);
  assert.equal(gc.code, 0, gc.err);
  assert.match(
    gc.out,
    /0 stale locks.*kept 1 locks of other hosts \(--foreign-locks removes them\)/,
  );
  assert.ok(Deno.statSync(lock).isFile);
  const gcf = await toy(dir, ["gc", "--foreign-locks", ...Q], {}, TASK_PERMISSIONS);
  assert.match(gcf.out, /1 stale locks/);
  assert.throws(() => Deno.statSync(lock), Deno.errors.NotFound);
  const r = await toy(dir, ["reproduce", ...SLOW]);
  assert.equal(r.code, 0, r.err);
});
