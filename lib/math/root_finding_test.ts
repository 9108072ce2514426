import assert from "node:assert/strict";
import { brent, firstRoot } from "./root_finding.ts";

Deno.test("brent() finds roots of smooth functions to the tolerance", () => {
  assert.ok(Math.abs(brent(Math.cos, 1, 2, 1e-15) - Math.PI / 2) < 1e-14);
  assert.ok(Math.abs(brent((x) => x * x * x - 2, 0, 2, 1e-15) - Math.cbrt(2)) < 1e-14);
  // A root at an end of the bracket is returned as is.
  assert.equal(brent((x) => x - 1, 1, 3), 1);
});

Deno.test("brent() works on a function with a flat neighbourhood", () => {
  // (x − 1)^5 is very flat near its root: the safeguard must still converge.
  const r = brent((x) => (x - 1) ** 5, 0, 3, 1e-12);
  assert.ok(Math.abs(r - 1) < 1e-2);
});

Deno.test("brent() rejects a bracket without a sign change", () => {
  assert.throws(() => brent((x) => x * x + 1, -1, 1), RangeError);
});

Deno.test("firstRoot() returns the first of several roots, or undefined", () => {
  const r = firstRoot(Math.sin, 0.5, 10, 100);
  assert.ok(r !== undefined && Math.abs(r - Math.PI) < 1e-13);
  assert.equal(firstRoot((x) => x * x + 1, 0, 1, 10), undefined);
});
