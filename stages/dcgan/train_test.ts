import assert from "node:assert/strict";
import { initBackend } from "../../lib/ml/backend.ts";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { dcganConfig } from "./model.ts";
import { statisticsGrid, trainDcgan } from "./train.ts";

await initBackend("cpu");

/** 16×16 disks of radii 1..7, a tiny DCGAN: a test-sized problem. */
const SIDE = 16;
const CONFIG = dcganConfig(2, {
  imageSize: SIDE,
  generatorWidths: [4, 2],
  discriminatorWidths: [2, 4],
  kernelSize: 4,
});
function disks(n: number): Float32Array {
  const r = new ExactDiskRenderer({ size: SIDE, sigma: 0.5 });
  const out = new Float32Array(n * SIDE * SIDE);
  for (let i = 0; i < n; i++) {
    r.render(1 + (6 * i) / (n - 1), out.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
  }
  return out;
}
const settings = {
  config: CONFIG,
  seed: 11,
  iterations: 12,
  batchSize: 4,
  decayStart: 6,
  statisticsPoints: 16,
  logEvery: 4,
};

Deno.test("statisticsGrid() is the midpoint rule on [−1, 1]", () => {
  assert.deepEqual(Array.from(statisticsGrid(4)), [-0.75, -0.25, 0.25, 0.75]);
});

Deno.test("trainDcgan() is deterministic and logs both losses", async () => {
  const images = disks(20);
  const a = await trainDcgan(images, 20, settings);
  const b = await trainDcgan(images, 20, settings);
  try {
    const [wa, wb] = [await a.model.readWeights(), await b.model.readWeights()];
    for (const k of Object.keys(wa)) assert.deepEqual(wa[k], wb[k], `${k} identical`);
    assert.deepEqual(a.lossCurve.map((r) => r.step), [1, 4, 8, 12]);
    for (const r of a.lossCurve) {
      assert.ok(Number.isFinite(r.discriminator) && Number.isFinite(r.generator));
      assert.ok(r.realScore > 0 && r.realScore < 1 && r.fakeScore > 0 && r.fakeScore < 1);
    }
    // Training moved the weights, and the population statistics were set.
    assert.ok(wa.g_bn1_variance.some((v) => v !== 1));
  } finally {
    a.model.dispose();
    b.model.dispose();
  }
});

Deno.test("trainDcgan() resumes from a checkpoint to the same weights", async () => {
  const images = disks(20);
  const dir = await Deno.makeTempDir({ prefix: "dcgan-ckpt-" });
  try {
    const whole = await trainDcgan(images, 20, settings);
    const abort = new AbortController();
    await assert.rejects(() =>
      trainDcgan(images, 20, {
        ...settings,
        checkpointDir: dir,
        checkpointEvery: 5,
        signal: abort.signal,
        onProgress: (step) => step === 7 && abort.abort(),
      })
    );
    const resumed = await trainDcgan(images, 20, {
      ...settings,
      checkpointDir: dir,
      checkpointEvery: 5,
    });
    try {
      assert.equal(resumed.resumedFrom, 5);
      assert.equal(resumed.stepsRun, 7);
      const [w1, w2] = [await whole.model.readWeights(), await resumed.model.readWeights()];
      for (const k of Object.keys(w1)) {
        assert.deepEqual(w2[k], w1[k], `${k} identical after resuming`);
      }
      assert.deepEqual(resumed.lossCurve, whole.lossCurve);
    } finally {
      whole.model.dispose();
      resumed.model.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainDcgan() rejects malformed input", async () => {
  await assert.rejects(() => trainDcgan(new Float32Array(10), 2, settings), /Cannot train DCGAN/);
  await assert.rejects(() => trainDcgan(disks(4), 4, { ...settings, batchSize: 1 }), /batchSize/);
});
