import { strict as assert } from "node:assert";
import { createRng } from "../../lib/ml/random.ts";
import { chiSquareUniform, kolmogorovQ, ksCriticalValue, ksUniform } from "./uniformity.ts";

Deno.test("kolmogorovQ() matches tabulated values of Kolmogorov's distribution", () => {
  assert.ok(Math.abs(kolmogorovQ(1.3581) - 0.05) < 2e-4);
  assert.ok(Math.abs(kolmogorovQ(1.6276) - 0.01) < 1e-4);
  assert.equal(kolmogorovQ(0.1), 1);
});

Deno.test("ksCriticalValue() is c(α)/√n", () => {
  assert.ok(Math.abs(ksCriticalValue(100, 0.05) - 0.13581) < 1e-4);
  assert.ok(Math.abs(ksCriticalValue(3000, 0.01) * Math.sqrt(3000) - 1.62762) < 1e-4);
});

Deno.test("ksUniform() of the midpoints of n cells is 1/(2n)", () => {
  const n = 50, x = Array.from({ length: n }, (_, i) => (32 * (i + 0.5)) / n);
  assert.ok(Math.abs(ksUniform(x, 0, 32).statistic - 1 / (2 * n)) < 1e-12);
});

Deno.test("ksUniform() accepts uniform draws and rejects squared ones", () => {
  const rng = createRng(7);
  const u = Array.from({ length: 2000 }, () => 32 * rng.next());
  const ok = ksUniform(u, 0, 32);
  assert.ok(ok.statistic < ksCriticalValue(2000, 0.01) && ok.pValue > 0.01);
  const skewed = u.map((v) => (v * v) / 32);
  assert.ok(ksUniform(skewed, 0, 32).pValue < 1e-6);
});

Deno.test("chiSquareUniform() of perfectly even counts is 0", () => {
  const x = Array.from({ length: 40 }, (_, i) => i + 0.5);
  const c = chiSquareUniform(x, 0, 40, 8);
  assert.equal(c.statistic, 0);
  assert.equal(c.dof, 7);
  assert.deepEqual(c.counts, [5, 5, 5, 5, 5, 5, 5, 5]);
});
