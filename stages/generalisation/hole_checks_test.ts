import assert from "node:assert/strict";
import type { Evaluation } from "./evaluate.ts";
import { holeChecks } from "./hole_checks.ts";
import { holeErrors, monotonicity } from "./metrics.ts";

const HOLE = [11, 18] as const;
const RADII = Array.from({ length: 300 }, (_, i) => (32 * i) / 299);
const inHole = (r: number) => r >= HOLE[0] && r <= HOLE[1];

/**
 * A synthetic run on the 300-radius test grid: error 0.001 outside the hole and `factor` times
 * that inside, z = r², and outputs that fail (IoU 0.2, r̂ = 0) inside the hole when `broken`.
 */
function run(factor: number, broken = factor >= 3): Evaluation {
  const errors = RADII.map((r) => (inHole(r) ? 0.001 * factor : 0.001));
  const z = RADII.map((r) => r * r);
  return {
    radii: RADII,
    z,
    errors,
    iou: RADII.map((r) => (broken && inHole(r) ? 0.2 : 0.95)),
    radiusHat: RADII.map((r) => (broken && inHole(r) ? 0 : r)),
    hole: holeErrors(errors, RADII, HOLE),
    acrossHole: monotonicity(z, RADII, [10, 19]),
    overall: monotonicity(z, RADII, [2, 30]),
    roughness: 1.75,
    meanIou: 0.9,
    collapsed: false,
  };
}

Deno.test("holeChecks() decides on a strict majority of seeds failing like P-Fig 6", () => {
  const pass = holeChecks([run(1), run(5), run(4), run(2), run(10)], HOLE);
  assert.equal(pass[0].measured, 3);
  assert.equal(pass[0].bar, 3);
  assert.equal(pass[0].pass, true);
  assert.deepEqual(pass[0].details?.perSeedFails, [false, true, true, false, true]);
  assert.match(pass[0].check, /unable to recreate the input disks/);
  const fail = holeChecks([run(5), run(1), run(2), run(2.9), run(10)], HOLE);
  assert.equal(fail[0].measured, 2);
  assert.equal(fail[0].pass, false);
  // Every other row is reported, the former deciding row (seed 1 alone) among them.
  assert.ok(fail.slice(1).every((c) => c.op === "report" && c.pass === null));
  const former = fail.find((c) => c.check.startsWith("former deciding row"))!;
  assert.ok(Math.abs(Number(former.measured) - 5) < 1e-9);
  assert.equal(former.details?.formerBar, 3);
});

Deno.test("holeChecks() reports the failing share, the inner hole and the hole's share of z", () => {
  const checks = holeChecks([run(5), run(1)], HOLE);
  assert.equal(checks[0].bar, 2);
  const row = (start: string) => checks.find((c) => c.check.startsWith(start))!;
  // Seed 1 fails at every hole radius, seed 2 at none: median 0.5.
  assert.equal(row("share of the test radii").measured, 0.5);
  assert.deepEqual(row("share of the test radii").details?.perSeed, [1, 0]);
  // Inner hole 5× (seed 1) and 1× (seed 2) its neighbours: median 3.
  assert.ok(Math.abs(Number(row("inner hole [12,17]").measured) - 3) < 1e-9);
  // z = r²: the hole takes about its share of the area range, 203/896, up to the grid.
  const share = row("the hole's share");
  assert.ok(Math.abs(Number(share.measured) - 203 / 896) < 0.01, `${share.measured}`);
  assert.equal(share.details?.areaShare, 203 / 896);
  assert.equal(row("seeds whose z(r) is monotone").measured, 2);
});
