import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { ownerState, processAlive, processStartTime, tryLock } from "./lock.ts";

Deno.test("tryLock() excludes a second holder and frees on release", () => {
  const path = join(Deno.makeTempDirSync(), "k.lock");
  const a = tryLock(path);
  assert.ok("release" in a);
  const b = tryLock(path);
  assert.ok("owner" in b && b.owner.includes(`pid ${Deno.pid}`));
  a.release();
  const c = tryLock(path);
  assert.ok("release" in c);
  c.release();
});

Deno.test("tryLock() takes over a lock left by a dead process", () => {
  const path = join(Deno.makeTempDirSync(), "k.lock");
  // A pid far above the kernel's maximum cannot be alive.
  const dead = 2 ** 22 + 12345;
  assert.equal(processAlive(dead), false);
  Deno.writeTextFileSync(path, JSON.stringify({ pid: dead, host: hostname(), started: "then" }));
  const got = tryLock(path);
  assert.ok("release" in got);
  assert.equal(JSON.parse(Deno.readTextFileSync(path)).pid, Deno.pid);
  got.release();
});

Deno.test("ownerState() knows a reused pid by its start time, and another host's lock", () => {
  const own = processStartTime(Deno.pid);
  assert.ok(own !== null && /^\d+$/.test(own));
  const me = { pid: Deno.pid, host: hostname(), started: "now" };
  assert.equal(ownerState({ ...me, pidStart: own }), "alive");
  assert.equal(ownerState({ ...me, pidStart: `${own}0` }), "dead");
  // Locks written before start times were recorded: the pid alone decides.
  assert.equal(ownerState(me), "alive");
  assert.equal(ownerState({ ...me, host: "elsewhere.example" }), "foreign");
  assert.equal(ownerState({ ...me, pid: 2 ** 22 + 1 }), "dead");
});
