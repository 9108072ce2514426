import assert from "node:assert/strict";
import { figureJson, shortestFloat32 } from "./figure_json.ts";

Deno.test("shortestFloat32() writes the fewest digits that give back the float32", () => {
  assert.equal(shortestFloat32(Math.fround(0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(1 / 3)), 0.33333334);
  for (const v of [Math.PI, 1e-7, 123456.789, -2.5e10]) {
    const f = Math.fround(v);
    assert.equal(Math.fround(shortestFloat32(f)), f);
  }
});

Deno.test("figureJson() converts typed arrays and non-finite numbers", () => {
  const text = figureJson({
    a: Float32Array.from([0.1, 0.2]),
    b: Uint8Array.from([1, 2]),
    c: [Number.NaN, 1],
    d: { e: "x" },
  });
  assert.deepEqual(JSON.parse(text), { a: [0.1, 0.2], b: [1, 2], c: [null, 1], d: { e: "x" } });
  assert.match(text, /"a": \[0\.1,0\.2\]/, "numeric arrays stay on one line");
});
