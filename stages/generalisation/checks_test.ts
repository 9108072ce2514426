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

Deno.test("regChecks() passes ψ3 when every seed is monotone and its median roughness is below the unregularised one", () => {
  const checks = regChecks([
    {
      regulariser: regulariser("none"),
      runs: [
        evaluation({ hole: 0.02, monotone: false, roughness: 5 }),
        evaluation({ hole: 0.03, roughness: 8 }),
      ],
    },
    {
      regulariser: regulariser("psi3"),
      runs: [
        evaluation({ hole: 0.004, roughness: 2 }),
        evaluation({ hole: 0.009, roughness: 2.5 }),
      ],
    },
    { regulariser: regulariser("psi1"), runs: [evaluation({ hole: 0.05 })] },
  ], [11, 18]);
  assert.equal(checks.length, 5 + 3);
  assert.deepEqual(checks.map((c) => c.op), [">=", "<", ...Array(6).fill("report")]);
  assert.equal(checks[0].measured, 2);
  assert.equal(checks[0].pass, true);
  assert.match(checks[0].check, /works particularly well/);
  // Medians 2.25 and 6.5.
  assert.equal(checks[1].measured, 2.25 / 6.5);
  assert.equal(checks[1].pass, true);
  assert.match(checks[1].check, /consistently smoother than the unregularised version/);
  // Hole error relative to the unregularised median: 0.0065 / 0.025.
  assert.ok(Math.abs(Number(checks[2].measured) - 0.26) < 1e-12);
  // Both unregularised seeds fail (20× and 30× the outside error): "well below" is testable.
  assert.equal(checks[3].measured, true);
  assert.match(checks[3].check, /testable: 2 of 2/);
  // The former deciding row, reported: 0.009 / 0.02.
  assert.equal(checks[4].measured, 0.009 / 0.02);
  assert.equal(checks[4].details?.formerBar, 0.5);
  assert.deepEqual(checks.slice(5).map((c) => c.measured), [0.025, 0.0065, 0.05]);
  assert.equal(checks[7].details?.relativeToUnregularisedMedian, 0.05 / 0.025);
});

Deno.test("regChecks() fails ψ3 on one non-monotone seed, or when it is not smoother", () => {
  const checks = regChecks([
    {
      regulariser: regulariser("none"),
      runs: [evaluation({ hole: 0.02, roughness: 3 }), evaluation({ hole: 0.03, roughness: 3 })],
    },
    {
      regulariser: regulariser("psi3"),
      runs: [
        evaluation({ hole: 0.004, monotone: false, roughness: 2 }),
        evaluation({ hole: 0.011, roughness: 4 }),
      ],
    },
  ], [11, 18]);
  assert.equal(checks[0].measured, 1);
  assert.equal(checks[0].pass, false);
  assert.equal(checks[1].measured, 1);
  assert.equal(checks[1].pass, false);
  // A constant ψ3 code counts as infinitely rough; a constant unregularised one as well.
  const constant = (psi3: number | null, none: number | null) =>
    regChecks([
      { regulariser: regulariser("none"), runs: [evaluation({ hole: 0.02, roughness: none })] },
      { regulariser: regulariser("psi3"), runs: [evaluation({ hole: 0.01, roughness: psi3 })] },
    ], [11, 18])[1];
  assert.equal(constant(null, 3).pass, false);
  assert.equal(constant(2, null).pass, true);
});

Deno.test("regChecks() reports “well below” as not testable when most unregularised runs do not fail", () => {
  const checks = regChecks([
    {
      regulariser: regulariser("none"),
      runs: [
        evaluation({ hole: 0.002 }),
        evaluation({ hole: 0.004 }),
        evaluation({ hole: 0.0025 }),
      ],
    },
    { regulariser: regulariser("psi3"), runs: [evaluation({ hole: 0.001 })] },
  ], [11, 18]);
  const wellBelow = checks.find((c) => c.check.includes("well below"))!;
  assert.equal(wellBelow.measured, null);
  assert.equal(wellBelow.pass, null);
  assert.match(wellBelow.check, /not testable, 1 of 3 unregularised seeds fail like P-Fig 6/);
});

Deno.test("regChecks() writes rows only for the reported regularisers, relative to the unregularised median", () => {
  const checks = regChecks(
    [
      { regulariser: regulariser("none"), runs: [evaluation({ hole: 0.02 })] },
      { regulariser: regulariser("psi3"), runs: [evaluation({ hole: 0.01 })] },
      { regulariser: regulariser("denoising"), runs: [evaluation({ hole: 0.005 })] },
    ],
    [11, 18],
    ["denoising"],
  );
  assert.equal(checks.length, 1);
  assert.equal(checks[0].op, "report");
  assert.equal(checks[0].details?.relativeToUnregularisedMedian, 0.25);
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
