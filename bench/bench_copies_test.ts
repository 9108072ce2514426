import assert from "node:assert/strict";
import { parseBenchArgs } from "./bench.ts";
import { copyTimes, formatCopyTimes } from "./bench_copies.ts";

Deno.test("copyTimes() times the three ways of copying, each checked", () => {
  const t = copyTimes(1, 1);
  assert.equal(t.bytes, 300 * 32 * 32 * 8 * 4);
  for (const ms of [t.plainMs, t.sharedMs, t.wasmMs]) assert.ok(Number.isFinite(ms) && ms > 0);
  assert.match(
    formatCopyTimes(t),
    /^copies of a 9\.8 MB activation .*plain [\d.]+, shared [\d.]+ \([\d.]+× plain\); memory\.copy with tensor memories [\d.]+ \([\d.]+× plain\)$/,
  );
});

Deno.test("parseBenchArgs() reads --copies", () => {
  assert.equal(parseBenchArgs(["--copies"])!.copies, true);
  assert.equal(parseBenchArgs([])!.copies, undefined);
});
