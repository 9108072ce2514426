import assert from "node:assert/strict";
import { createRng, seedFromLabel } from "./rng.ts";

Deno.test("createRng() is deterministic per seed and differs across seeds", () => {
  const a = createRng(42), b = createRng(42), c = createRng(43);
  const xa = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.next()));
  assert.equal(seedFromLabel("x"), seedFromLabel("x"));
  assert.deepEqual(createRng(1).fork("a").next(), createRng(1).fork("a").next());
  assert.notEqual(createRng(1).fork("a").next(), createRng(1).fork("b").next());
});

Deno.test("createRng() draws uniform and normal values with the right moments", () => {
  const r = createRng(7);
  const n = 200_000;
  let s = 0, s2 = 0, u = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
    const v = r.next();
    assert.ok(v >= 0 && v < 1);
    u += v;
  }
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.01);
  assert.ok(Math.abs(u / n - 0.5) < 0.005);
});
