import assert from "node:assert/strict";
import { linspace, meanSquaredError, projectOntoGenerator } from "./projection.ts";

/** A toy generator: G(z) = [z, z², sin z] (P = 3), smooth and injective on [−1, 1]. */
const toy = (z: Float32Array): Promise<Float32Array> => {
  const out = new Float32Array(z.length * 3);
  z.forEach((v, i) => out.set([v, v * v, Math.sin(v)], 3 * i));
  return Promise.resolve(out);
};

Deno.test("linspace() includes both ends", () => {
  assert.deepEqual(Array.from(linspace(-1, 1, 5)), [-1, -0.5, 0, 0.5, 1]);
});

Deno.test("meanSquaredError() is the per-value mean", () => {
  assert.equal(meanSquaredError([1, 2, 3, 9, 9], 0, [9, 0, 0, 5], 1, 3), (1 + 4 + 4) / 3);
});

Deno.test("projectOntoGenerator() recovers the code of images in the range", async () => {
  const truth = [-0.93, -0.2718, 0.0, 0.31416, 0.777];
  const targets = await toy(Float32Array.from(truth));
  const grid = await projectOntoGenerator(targets, truth.length, toy, {
    lo: -1,
    hi: 1,
    gridPoints: 41,
    refineSteps: 0,
  });
  const refined = await projectOntoGenerator(targets, truth.length, toy, {
    lo: -1,
    hi: 1,
    gridPoints: 41,
    refineSteps: 30,
  });
  truth.forEach((z, i) => {
    assert.ok(
      Math.abs(grid.z[i] - z) <= 0.025 + 1e-12,
      `grid finds the nearest grid point for ${z}`,
    );
    assert.ok(
      Math.abs(refined.z[i] - z) < 1e-5,
      `refinement converges for ${z}: got ${refined.z[i]}`,
    );
    assert.ok(refined.error[i] <= grid.gridError[i], "refinement never makes it worse");
    assert.ok(refined.error[i] < 1e-10);
  });
});

Deno.test("projectOntoGenerator() finds the global minimum of a two-branch range", async () => {
  // G has two far-apart codes giving images near the target; the grid must pick the better.
  const g = (z: Float32Array) =>
    Promise.resolve(Float32Array.from(z, (v) => Math.cos(6 * v) + 0.1 * v));
  const target = Float32Array.of(1.05); // reached best near z = 0.5·(2π/6)·k… only the global one wins
  const p = await projectOntoGenerator(target, 1, g, {
    lo: -1,
    hi: 1,
    gridPoints: 2001,
    refineSteps: 20,
  });
  const fine = linspace(-1, 1, 200001);
  let best = Infinity;
  for (const z of fine) best = Math.min(best, (Math.cos(6 * z) + 0.1 * z - 1.05) ** 2);
  assert.ok(p.error[0] <= best + 1e-9, `found ${p.error[0]}, brute force ${best}`);
});

Deno.test("projectOntoGenerator() clamps the bracket at the interval's ends", async () => {
  const targets = await toy(Float32Array.of(1, -1));
  const far = Float32Array.from(targets, (v, i) => (i % 3 === 0 ? v * 1.5 : v)); // beyond the range
  const p = await projectOntoGenerator(far, 2, toy, {
    lo: -1,
    hi: 1,
    gridPoints: 11,
    refineSteps: 10,
  });
  assert.ok(p.z[0] <= 1 && p.z[1] >= -1);
  assert.ok(Math.abs(p.z[0] - 1) < 0.01 && Math.abs(p.z[1] + 1) < 0.01);
});

Deno.test("projectOntoGenerator() rejects malformed input", async () => {
  await assert.rejects(
    () =>
      projectOntoGenerator(new Float32Array(5), 2, toy, {
        lo: -1,
        hi: 1,
        gridPoints: 5,
        refineSteps: 0,
      }),
    /Cannot project/,
  );
  await assert.rejects(
    () =>
      projectOntoGenerator(new Float32Array(6), 2, toy, {
        lo: 1,
        hi: -1,
        gridPoints: 5,
        refineSteps: 0,
      }),
    /Cannot project/,
  );
});

Deno.test("projectOntoGenerator() returns the images of the codes it reports", async () => {
  const targets = await toy(Float32Array.of(0.123, -0.5));
  const p = await projectOntoGenerator(targets, 2, toy, {
    lo: -1,
    hi: 1,
    gridPoints: 21,
    refineSteps: 5,
  });
  assert.deepEqual(Array.from(p.images), Array.from(await toy(Float32Array.from(p.z))));
});
