import assert from "node:assert/strict";
import { initBackend } from "../../lib/ml/backend.ts";
import { areaModel as areaModelOf } from "../../lib/ml/test_fixtures.ts";
import { authorsConfig } from "./model.ts";
import { evaluateDiskModel } from "./evaluate.ts";
import { AUTHORS_CENTRE, AUTHORS_SIZE, authorsTestDisks } from "./test_disks.ts";

await initBackend("cpu");

/** The stand-in whose code is the area, on the authors' geometry (63 × 63, centre on a pixel). */
const areaModel = () => areaModelOf({ config: authorsConfig(), centre: AUTHORS_CENTRE });

Deno.test("evaluateDiskModel(): a model whose code is the area passes ae-d1 and latent, and z follows r²", async () => {
  const model = areaModel();
  try {
    const set = authorsTestDisks(40, 0, 31.5);
    const ms = await evaluateDiskModel(model, set, {
      range: [2, 30],
      threshold: 0.5,
      interpolateFrom: 4,
      interpolateTo: 28,
      interpolateSteps: 5,
    });
    assert.equal(ms.inRange.length, set.radii.filter((r) => r >= 2 && r <= 30).length);
    assert.ok(ms.meanIoU > 0.9, `mean IoU ${ms.meanIoU}`);
    assert.equal(ms.mono.violations, 0);
    assert.equal(ms.mono.direction, 1);
    assert.ok(ms.onArea.r2 > 0.999, `R² on r² ${ms.onArea.r2}`);
    assert.ok(ms.onArea.r2 > ms.onRadius.r2);
    assert.equal(ms.zPath.length, 5);
    assert.equal(ms.decoded.length, 5 * AUTHORS_SIZE * AUTHORS_SIZE);
    assert.ok(Math.abs(ms.rHat[0] - set.radii[ms.from]) < 1, `r̂ ${ms.rHat[0]}`);
    assert.equal(ms.pathMono.violations, 0);
  } finally {
    model.dispose();
  }
});

Deno.test("evaluateDiskModel() refuses a range with fewer than two test radii", async () => {
  const model = areaModel();
  try {
    const set = authorsTestDisks(4, 0, 30);
    await assert.rejects(
      () =>
        evaluateDiskModel(model, set, {
          range: [5, 15],
          threshold: 0.5,
          interpolateFrom: 0,
          interpolateTo: 30,
          interpolateSteps: 2,
        }),
      /1 test radius in range/,
    );
  } finally {
    model.dispose();
  }
});
