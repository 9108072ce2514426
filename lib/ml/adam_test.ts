import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Adam, type AdamSettings, KERAS_ADAM } from "./adam.ts";
import { ADAM_STEP, ADAM_STEPS, installFastKernels, restoreStockKernels } from "./kernels/mod.ts";
import { randomValues } from "./kernels/_test_utils.ts";
import { createRng } from "../../pipeline/rng.ts";
import { initBackend } from "./backend.ts";
import { ownVariable } from "./model.ts";

await initBackend("cpu");

Deno.test("Adam.apply() follows Keras' update for three steps", () => {
  const theta = ownVariable(tf.tensor([1, -2]));
  const adam = new Adam([{ name: "theta", variable: theta }]);
  try {
    // Reference in double precision: loss Σ θ², gradient 2θ.
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = KERAS_ADAM;
    let th = [1, -2], m = [0, 0], v = [0, 0];
    for (let t = 1; t <= 3; t++) {
      const g = th.map((x) => 2 * x);
      tf.tidy(() => adam.apply({ [theta.name]: tf.mul(theta, 2) }));
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      m = m.map((mi, i) => mi + (g[i] - mi) * (1 - b1));
      v = v.map((vi, i) => vi + (g[i] ** 2 - vi) * (1 - b2));
      th = th.map((x, i) => x - (lrT * m[i]) / (Math.sqrt(v[i]) + eps));
      const got = theta.dataSync();
      th.forEach((x, i) => assert.ok(Math.abs(got[i] - x) < 1e-6, `step ${t}: ${got[i]} vs ${x}`));
    }
    // First Adam steps move each coordinate by about lr.
    assert.ok(Math.abs(theta.dataSync()[0] - (1 - 3 * lr)) < 1e-5);
  } finally {
    adam.dispose();
    theta.dispose();
  }
});

Deno.test("Adam.readState() and writeState() continue a run bit-for-bit", async () => {
  const run = async (split: boolean) => {
    const theta = ownVariable(tf.tensor([0.3, -0.7, 1.1]));
    let adam = new Adam([{ name: "theta", variable: theta }]);
    const step = () => tf.tidy(() => adam.apply({ [theta.name]: tf.sin(tf.mul(theta, 3)) }));
    for (let i = 0; i < 5; i++) step();
    if (split) {
      const state = await adam.readState();
      adam.dispose();
      adam = new Adam([{ name: "theta", variable: theta }]);
      adam.writeState(state);
    }
    for (let i = 0; i < 5; i++) step();
    const out = Float32Array.from(theta.dataSync());
    adam.dispose();
    theta.dispose();
    return out;
  };
  assert.deepEqual(await run(true), await run(false));
});

Deno.test("Adam leaves no tensor behind", () => {
  const before = tf.memory().numTensors;
  const theta = ownVariable(tf.tensor([1]));
  const adam = new Adam([{ name: "theta", variable: theta }]);
  for (let i = 0; i < 3; i++) tf.tidy(() => adam.apply({ [theta.name]: tf.onesLike(theta) }));
  adam.dispose();
  theta.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("the cpu Adam kernel gives the bytes of the tfjs ops, with and without a factor and decay", async () => {
  installFastKernels("cpu");
  const rng = createRng(41);
  const start = randomValues(rng, 1000);
  start.set([0, -0, 1e-30, 3e38], 0);
  const settings: AdamSettings[] = [KERAS_ADAM, { ...KERAS_ADAM, weightDecay: 1e-3 }];
  for (const s of settings) {
    for (const withFactor of [false, true]) {
      const run = async () => {
        const theta = ownVariable(tf.tensor(start));
        const adam = new Adam([{ name: "theta", variable: theta }], s);
        const factor = tf.scalar(0.37);
        for (let i = 0; i < 5; i++) {
          tf.tidy(() => {
            const g = tf.sin(tf.mul(theta, 3 + i));
            adam.apply({ [theta.name]: g }, withFactor ? factor : undefined);
          });
        }
        const out = [theta.dataSync(), ...Object.values(await adam.readState())].map((a) =>
          new Uint8Array(new Float32Array(a).buffer)
        );
        adam.dispose();
        theta.dispose();
        factor.dispose();
        return out;
      };
      assert.ok(tf.getKernel(ADAM_STEP, "cpu") !== undefined);
      const fused = await run();
      restoreStockKernels("cpu");
      let ops: Uint8Array[];
      try {
        assert.equal(tf.getKernel(ADAM_STEP, "cpu"), undefined);
        ops = await run();
      } finally {
        installFastKernels("cpu");
      }
      fused.forEach((b, i) =>
        assert.deepEqual(
          b,
          ops[i],
          `output ${i}, decay ${s.weightDecay ?? 0}, factor ${withFactor}`,
        )
      );
    }
  }
});

Deno.test("the cpu's one Adam kernel for all variables gives the bytes of one kernel per variable", async () => {
  installFastKernels("cpu");
  const rng = createRng(43);
  const shapes = [[3, 3, 1, 8], [8], [2, 5]];
  const starts = shapes.map((s) => randomValues(rng, s.reduce((a, b) => a * b)));
  const run = async () => {
    const targets = shapes.map((s, i) => ({
      name: `w${i}`,
      variable: ownVariable(tf.tensor(starts[i], s)),
    }));
    const adam = new Adam(targets, { ...KERAS_ADAM, weightDecay: 1e-3 });
    const factor = tf.scalar(0.5);
    const kernels: string[] = [];
    for (let step = 0; step < 4; step++) {
      const profile = await tf.profile(() =>
        tf.tidy(() => {
          adam.apply(
            Object.fromEntries(targets.map((t, i) => [
              t.variable.name,
              tf.cos(tf.mul(t.variable, 2 + i + step)),
            ])),
            factor,
          );
        })
      );
      kernels.push(...profile.kernels.map((k) => k.name));
    }
    const out = [
      ...targets.map((t) => t.variable.dataSync()),
      ...Object.values(await adam.readState()),
    ]
      .map((a) => new Uint8Array(new Float32Array(a).buffer));
    adam.dispose();
    factor.dispose();
    for (const t of targets) t.variable.dispose();
    return { out, kernels };
  };
  const all = await run();
  assert.equal(all.kernels.filter((k) => k === ADAM_STEPS).length, 4, "one call per update");
  assert.equal(all.kernels.filter((k) => k === ADAM_STEP).length, 0);
  const config = tf.getKernel(ADAM_STEPS, "cpu")!;
  tf.unregisterKernel(ADAM_STEPS, "cpu");
  let each: Awaited<ReturnType<typeof run>>;
  try {
    each = await run();
  } finally {
    tf.registerKernel(config);
  }
  assert.equal(each.kernels.filter((k) => k === ADAM_STEP).length, 12, "one call per variable");
  all.out.forEach((b, i) => assert.deepEqual(b, each.out[i], `output ${i}`));
});

Deno.test("Adam.applyOnCpu() gives apply()'s bytes, and declines while a clone shares a variable", () => {
  const rng = createRng(31);
  const shapes = [[3, 3, 1, 4], [4], [7]];
  const start = shapes.map((s) => randomValues(rng, s.reduce((a, b) => a * b, 1)));
  const grads = [0, 1, 2].map(() => start.map((w) => randomValues(rng, w.length)));
  const run = (inPlace: boolean) => {
    const vars = start.map((w, i) => ownVariable(tf.tensor(w, shapes[i]), true));
    const adam = new Adam(vars.map((variable, i) => ({ name: `w${i}`, variable })));
    try {
      for (const g of grads) {
        if (inPlace) {
          assert.ok(adam.appliesOnCpu());
          adam.applyOnCpu((v) => g[vars.indexOf(v as tf.Variable)]);
        } else {
          tf.tidy(() =>
            adam.apply(Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(g[i], shapes[i])])))
          );
        }
      }
      // A clone shares the values of its tensor: changing them under it would change the clone.
      const clone = vars[0].clone();
      assert.equal(adam.appliesOnCpu(), false);
      assert.throws(() => adam.applyOnCpu((v) => g0(v)), /shares a variable's values/);
      clone.dispose();
      return vars.map((v) => Array.from(v.dataSync()));
    } finally {
      adam.dispose();
      for (const v of vars) v.dispose();
    }
  };
  const g0 = (_: tf.Variable) => new Float32Array(0);
  assert.deepEqual(run(true), run(false));
});

Deno.test("Adam.applyOnCpu(): values read out before an update keep their values", () => {
  const v = ownVariable(tf.tensor([1, 2, 3]), true);
  const adam = new Adam([{ name: "v", variable: v }]);
  try {
    const before = v.dataSync();
    const copy = before.slice();
    adam.applyOnCpu(() => Float32Array.of(1, 1, 1));
    assert.deepEqual(before, copy);
    assert.notDeepEqual(v.dataSync(), copy);
  } finally {
    adam.dispose();
    v.dispose();
  }
});
