import assert from "node:assert/strict";
import { failsLikeFig6, majority } from "./hole_failure.ts";

Deno.test("majority() is a strict majority: 3 of 5, 2 of 2 or 3, 1 of 1", () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(majority), [1, 2, 2, 3, 3]);
  assert.throws(() => majority(0), /Cannot take a majority/);
});

Deno.test("failsLikeFig6() needs the hole error at least 3 times the error outside", () => {
  assert.equal(failsLikeFig6({ hole: 0.03, outside: 0.01, ratio: 3 }), true);
  assert.equal(failsLikeFig6({ hole: 0.029, outside: 0.01, ratio: 2.9 }), false);
  assert.equal(failsLikeFig6({ hole: NaN, outside: 0.01, ratio: NaN }), false);
});
