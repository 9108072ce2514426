import assert from "node:assert/strict";
import { initBackend } from "../../lib/ml/backend.ts";
import { diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { areaModel } from "../../lib/ml/test_fixtures.ts";
import { evaluateModel, renderDisks } from "./evaluate.ts";
import { type DiskSet } from "../../lib/ml/disk_set.ts";

await initBackend("cpu");

const M = 64;

/** The stand-in whose code is the area, failing (drawing nothing) for radii in `broken`. */
const failingModel = (broken: readonly [number, number]) =>
  areaModel({ config: diskAutoencoderConfig(), broken });

function testSet(): DiskSet {
  const radii = Array.from({ length: 57 }, (_, i) => 2 + i * 0.5);
  return {
    images: renderDisks(radii, M),
    radii: Float64Array.from(radii),
    count: radii.length,
    size: M,
  };
}

Deno.test("evaluateModel() measures the hole it is given, not a built-in one", async () => {
  const model = failingModel([10.8, 18.2]);
  try {
    const test = testSet();
    const right = await evaluateModel(model, test, [11, 18]);
    assert.ok(right.hole.ratio > 100, `ratio ${right.hole.ratio}`);
    // r̂ follows r outside the broken range and is 0 inside it.
    right.radii.forEach((r, i) => {
      if (r >= 11 && r <= 18) assert.equal(right.radiusHat[i], 0, `r = ${r}`);
      else assert.ok(Math.abs(right.radiusHat[i] - r) < 0.5, `r = ${r}: ${right.radiusHat[i]}`);
    });
    // The same model measured with another hole: the failure now counts as "outside".
    const moved = await evaluateModel(model, test, [20, 25]);
    assert.ok(moved.hole.ratio < 0.1, `ratio ${moved.hole.ratio}`);
    assert.equal(moved.acrossHole.steps, right.radii.filter((r) => r >= 19 && r <= 26).length - 1);
  } finally {
    model.dispose();
  }
});
