import { strict as assert } from "node:assert";
import { linearFit } from "./linear_fit.ts";

Deno.test("linearFit() recovers an exact line with R² = 1", () => {
  const x = [0, 1, 2, 3, 4], y = x.map((v) => 3 * v - 2);
  const f = linearFit(x, y);
  assert.ok(Math.abs(f.slope - 3) < 1e-12 && Math.abs(f.intercept + 2) < 1e-12);
  assert.ok(Math.abs(f.r2 - 1) < 1e-12 && f.rmse < 1e-12);
});

Deno.test("linearFit() of z = r² on r² beats the fit on r", () => {
  const r = Array.from({ length: 29 }, (_, i) => 2 + i);
  const z = r.map((v) => 0.02 * v * v + 1);
  const onArea = linearFit(r.map((v) => v * v), z), onRadius = linearFit(r, z);
  assert.ok(Math.abs(onArea.r2 - 1) < 1e-12);
  assert.ok(onRadius.r2 < onArea.r2 && onRadius.r2 > 0.9);
});

Deno.test("linearFit() gives the textbook R² on a small case", () => {
  // y = [1, 3, 2] on x = [0, 1, 2]: slope 0.5, intercept 1.5, SSE = 1.5, SST = 2, R² = 0.25.
  const f = linearFit([0, 1, 2], [1, 3, 2]);
  assert.ok(Math.abs(f.slope - 0.5) < 1e-12 && Math.abs(f.intercept - 1.5) < 1e-12);
  assert.ok(Math.abs(f.r2 - 0.25) < 1e-12);
});

Deno.test("linearFit() rejects constant or mismatched samples", () => {
  assert.throws(() => linearFit([1, 1], [1, 2]), /constant x/);
  assert.throws(() => linearFit([1, 2], [1, 1]), /constant y/);
  assert.throws(() => linearFit([1, 2, 3], [1, 2]), /sizes/);
});
