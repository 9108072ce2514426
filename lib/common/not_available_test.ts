import assert from "node:assert/strict";
import { check } from "./checks.ts";
import { isNotAvailable, notAvailableCheck } from "./not_available.ts";

Deno.test("notAvailableCheck() is report-only, without a value, and recognised after a JSON trip", () => {
  const c = notAvailableCheck("authors-model", "the authors' model", "no file at x.h5");
  assert.equal(c.pass, null);
  assert.equal(c.measured, null);
  assert.equal(isNotAvailable(JSON.parse(JSON.stringify(c))), true);
  assert.equal(isNotAvailable(check("latent", "R²", 0.99, ">=", 0.99)), false);
  assert.equal(isNotAvailable(check("x", "a reported value", null, "report", null)), false);
});
