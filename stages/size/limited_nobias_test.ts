import { strict as assert } from "node:assert";
import { tailShare } from "./limited_nobias.ts";

Deno.test("tailShare() is max |f| beyond the cut over max |f|, on both sides", () => {
  const t = [-3, -2, -1, 0, 1, 2, 3];
  const f = [0.1, 0.5, 1, 2, 1, 0.2, -0.3];
  assert.ok(Math.abs(tailShare(t, f, 2) - 0.15) < 1e-12);
  assert.equal(tailShare(t, f, 5), 0);
  assert.ok(Number.isNaN(tailShare(t, new Array(7).fill(0), 1)));
});
