import assert from "node:assert/strict";
import type { Check } from "../../lib/common/checks.ts";
import { prop3Rows, prop3Stage } from "./prop3.ts";
import { fakeContext } from "../../lib/common/_test_context.ts";

Deno.test("prop3Rows() finds 2^L − a in every case and 2^L − a + 1 in none", () => {
  const rows = prop3Rows(6);
  for (const r of rows) {
    assert.equal(r.cases, r.n);
    assert.equal(r.holdsZeroBased, r.n);
    assert.equal(r.holdsPlusOneZeroBased, 0);
    assert.equal(r.holdsScaled, r.n);
    assert.equal(r.oddPositionsGiveAPlusOne, r.n);
    assert.equal(r.nonNegativeIntegerLayers, r.n);
  }
  assert.deepEqual(rows[0].outputs, [2, 1]);
  assert.deepEqual(rows[2].outputs, [8, 7, 6, 5, 4, 3, 2, 1]);
});

Deno.test("prop3Stage.run() checks L = 1..10 exactly (2046 cases)", async () => {
  const ctx = await fakeContext("prop3", { maxLayers: 10 });
  try {
    await prop3Stage.run(ctx);
    const checks = JSON.parse(await Deno.readTextFile(ctx.outPath("checks.json"))) as Check[];
    const main = checks[0];
    assert.equal(main.measured, 2046);
    assert.equal(main.pass, true);
    assert.equal(checks[1].op, "report");
    assert.equal(checks[1].measured, 0);
    assert.ok(checks.filter((c) => c.op !== "report").every((c) => c.pass === true));
    const json = JSON.parse(await Deno.readTextFile(ctx.outPath("prop3.json")));
    assert.equal(json.totalCases, 2046);
    assert.equal(json.perLayer.length, 10);
  } finally {
    await Deno.remove(ctx.outDir, { recursive: true });
  }
});

Deno.test("prop3Stage declares its parameter with the spec's default", () => {
  assert.equal(prop3Stage.params.maxLayers.default, 10);
  assert.deepEqual(prop3Stage.outputs, ["prop3.json", "prop3.md", "checks.json"]);
});
