import assert from "node:assert/strict";
import type { Evaluation } from "./evaluate.ts";
import { parseHole } from "./hole_interval.ts";
import { lambdaChecks } from "./lambda.ts";
import { regChecks } from "./reg.ts";
import { regulariser } from "./trainings.ts";

/** A synthetic evaluation with the fields the checks read. */
function evaluation(
  o: { hole: number; monotone?: boolean; roughness?: number | null; iou?: number },
): Evaluation {
  const iou = o.iou ?? 0.95;
  return {
    radii: [],
    z: [],
    errors: [],
    iou: [],
    radiusHat: [],
    hole: { hole: o.hole, outside: 0.001, ratio: o.hole / 0.001 },
    acrossHole: {
      monotone: o.monotone ?? true,
      direction: 1,
      violations: o.monotone === false ? 2 : 0,
      steps: 80,
    },
    overall: { monotone: true, direction: 1, violations: 0, steps: 260 },
    roughness: o.roughness === undefined ? 2 : o.roughness,
    meanIou: iou,
    collapsed: iou < 0.5,
  };
}

Deno.test("regChecks() passes ψ3 when every seed is monotone and below half the best unregularised hole error", () => {
  const checks = regChecks([
    {
      regulariser: regulariser("none"),
      runs: [evaluation({ hole: 0.02, monotone: false }), evaluation({ hole: 0.03 })],
    },
    {
      regulariser: regulariser("psi3"),
      runs: [evaluation({ hole: 0.004 }), evaluation({ hole: 0.009 })],
    },
    { regulariser: regulariser("psi1"), runs: [evaluation({ hole: 0.05 })] },
  ], [11, 18]);
  assert.equal(checks.length, 5);
  assert.equal(checks[0].measured, 2);
  assert.equal(checks[0].pass, true);
  assert.equal(checks[1].measured, 0.009 / 0.02);
  assert.equal(checks[1].pass, true);
  assert.deepEqual(checks.slice(2).map((c) => [c.op, c.measured]), [["report", 0.025], [
    "report",
    0.0065,
  ], ["report", 0.05]]);
});

Deno.test("regChecks() fails ψ3 on one non-monotone seed or one seed too close to the unregularised runs", () => {
  const checks = regChecks([
    {
      regulariser: regulariser("none"),
      runs: [evaluation({ hole: 0.02 }), evaluation({ hole: 0.03 })],
    },
    {
      regulariser: regulariser("psi3"),
      runs: [evaluation({ hole: 0.004, monotone: false }), evaluation({ hole: 0.011 })],
    },
  ], [11, 18]);
  assert.equal(checks[0].measured, 1);
  assert.equal(checks[0].pass, false);
  assert.equal(checks[1].pass, false);
});

Deno.test("lambdaChecks() correlates λ with smoothness over the runs that did not collapse", () => {
  const run = (lambda: number, roughness: number | null, iou = 0.9) => ({
    lambda,
    evaluation: evaluation({ hole: 0.01, roughness, iou }),
  });
  const good = lambdaChecks([
    run(1, 3),
    run(0.1, 5),
    run(10, 2),
    run(50, 1.8),
    run(100, null, 0.1),
  ]);
  assert.equal(good[0].measured, 1);
  assert.equal(good[0].pass, true);
  assert.deepEqual(good[0].details?.lambdas, [0.1, 1, 10, 50]);
  assert.equal(good[1].measured, 0.1);
  assert.equal(good[1].pass, true);
  assert.equal(good.length, 2 + 5);
  // Smoothness falling with λ, and nothing collapsing: both fail.
  const bad = lambdaChecks([run(0.1, 1), run(1, 2), run(10, 3), run(50, 4), run(100, 5)]);
  assert.equal(bad[0].measured, -1);
  assert.equal(bad[0].pass, false);
  assert.equal(bad[1].pass, false);
  // Too few survivors: no correlation, a failing check with the reason.
  const few = lambdaChecks([run(0.1, 1), run(1, 2), run(10, null, 0.2), run(100, null, 0.1)]);
  assert.equal(few[0].measured, null);
  assert.equal(few[0].pass, false);
});

Deno.test("parseHole() reads the hole of a hole dataset and refuses other samplers", () => {
  assert.deepEqual(
    parseHole(
      JSON.stringify({ sampler: { kind: "hole", min: 0, max: 32, holeMin: 11, holeMax: 18 } }),
    ),
    [11, 18],
  );
  assert.throws(
    () => parseHole(JSON.stringify({ sampler: { kind: "uniform", min: 0, max: 32 } })),
    /Cannot read the hole/,
  );
});
