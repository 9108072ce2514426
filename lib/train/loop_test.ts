import assert from "node:assert/strict";
import { join } from "node:path";
import {
  epochOrder,
  type KeptValue,
  type LoopSettings,
  runTraining,
  type TrainingFamily,
} from "./loop.ts";

/** A host-side family: its "weight" is a running hash of the examples it saw, in order. */
function toyFamily(log: string[] = []) {
  let w = 0;
  const family: TrainingFamily<Int32Array, { step: number; w: number }> & { w(): number } = {
    w: () => w,
    epochData: (epoch, order) => (log.push(`epoch ${epoch}`), order),
    disposeEpochData: () => {},
    update({ step, position, data, logging }) {
      for (const i of data.subarray(position * 3, position * 3 + 3)) {
        w = (w * 31 + i + 1) % 1_000_003; // < 2²⁴: exact in float32
      }
      log.push(`update ${step}${logging ? " logged" : ""}`);
      return logging ? { w: { data: () => Promise.resolve([w]), dispose: () => {} } } : null;
    },
    record: (step, v) => ({ step, w: v.w }),
    progressValues: (r) => ({ w: r.w }),
    saveState: () =>
      Promise.resolve({
        weights: [{ name: "w", shape: [1], data: new Float32Array([w]) }],
        optimizer: [],
        weightsExtra: {},
      }),
    loadState: (weights) => {
      w = weights[0].data[0];
    },
    settle: () => Promise.resolve(),
  };
  return family;
}

const BASE: LoopSettings = { seed: 7, count: 10, batchSize: 3, iterations: 8, logEvery: 3 };

Deno.test("epochOrder: the first ⌊n/B⌋·B entries of a seeded permutation, different each epoch", () => {
  const a = epochOrder(7, 0, 10, 3), b = epochOrder(7, 1, 10, 3);
  assert.equal(a.length, 9);
  assert.equal(new Set(a).size, 9);
  for (const i of a) assert.ok(i >= 0 && i < 10);
  assert.notDeepEqual([...a], [...b]);
  assert.deepEqual([...epochOrder(7, 0, 10, 3)], [...a]);
});

Deno.test("runTraining: epochs change every ⌊n/B⌋ updates; values are read on the first, every logEvery-th and the last", async () => {
  const log: string[] = [];
  const run = await runTraining(toyFamily(log), BASE);
  assert.deepEqual(log, [
    "epoch 0",
    "update 0 logged",
    "update 1",
    "update 2 logged",
    "epoch 1",
    "update 3",
    "update 4",
    "update 5 logged",
    "epoch 2",
    "update 6",
    "update 7 logged",
  ]);
  assert.deepEqual(run.lossCurve.map((r) => r.step), [1, 3, 6, 8]);
  assert.equal(run.resumedFrom, null);
  assert.equal(run.stepsRun, 8);
});

Deno.test("runTraining: an interrupted run resumes from its checkpoint to the same weight and curve", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const whole = toyFamily();
    const uninterrupted = await runTraining(whole, BASE);
    const ckpt = { ...BASE, checkpointDir: join(dir, "c"), checkpointEvery: 2 };
    const fingerprint = () => Promise.resolve("f");
    const abort = new AbortController();
    const first = toyFamily();
    await assert.rejects(
      runTraining(first, {
        ...ckpt,
        fingerprint,
        signal: abort.signal,
        onProgress: (step) => step === 5 && abort.abort(),
      }),
    );
    const lines: string[] = [];
    const second = toyFamily();
    const resumed = await runTraining(second, {
      ...ckpt,
      fingerprint,
      onLog: (m) => lines.push(m),
    });
    assert.equal(resumed.resumedFrom, 4);
    assert.equal(resumed.stepsRun, 4);
    assert.ok(lines.includes("resumed from checkpoint at step 4"), lines.join("\n"));
    assert.equal(second.w(), whole.w());
    assert.deepEqual(resumed.lossCurve, uninterrupted.lossCurve);
    // Other settings (another fingerprint) never resume that checkpoint.
    const other: string[] = [];
    const fresh = await runTraining(toyFamily(), {
      ...ckpt,
      fingerprint: () => Promise.resolve("g"),
      onLog: (m) => other.push(m),
    });
    assert.equal(fresh.resumedFrom, null);
    assert.ok(other.includes("started from scratch"), other.join("\n"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("runTraining: bad settings are refused with the fix", async () => {
  await assert.rejects(
    runTraining(toyFamily(), { ...BASE, iterations: -1 }),
    /Cannot train: iterations must be a non-negative integer; fix the settings/,
  );
  await assert.rejects(
    runTraining(toyFamily(), { ...BASE, batchSize: 11 }),
    /Cannot train: the batch size must be an integer in \[1, 10\]/,
  );
});

/** The toy family with a batch loss: a hash of the batch's examples, modulo 97. */
function lossyFamily() {
  const base = toyFamily();
  const family: TrainingFamily<Int32Array, { step: number; w: number; loss: number }> & {
    w(): number;
  } = {
    ...base,
    update(slot) {
      const seen = slot.data.subarray(slot.position * 3, slot.position * 3 + 3);
      const loss = seen.reduce((a, i) => (a * 7 + i) % 97, 11);
      const out = base.update(slot) as Record<string, KeptValue> | null;
      return out && { ...out, loss: { data: () => Promise.resolve([loss]), dispose: () => {} } };
    },
    record: (step, v) => ({ step, w: v.w, loss: v.loss }),
  };
  return family;
}

Deno.test("epochOrder: subset draws B distinct examples per update, from the update's own permutation", () => {
  const a = epochOrder(7, 0, 10, 3, "subset"), b = epochOrder(7, 1, 10, 3, "subset");
  assert.equal(a.length, 3);
  assert.equal(new Set(a).size, 3);
  assert.deepEqual([...a], [...epochOrder(7, 0, 10, 3)].slice(0, 3));
  assert.notDeepEqual([...a], [...b]);
});

Deno.test("runTraining: batchDraw subset makes every update an epoch of its own", async () => {
  const log: string[] = [];
  await runTraining(toyFamily(log), { ...BASE, iterations: 3, batchDraw: "subset" });
  assert.deepEqual(log, [
    "epoch 0",
    "update 0 logged",
    "epoch 1",
    "update 1",
    "epoch 2",
    "update 2 logged",
  ]);
});

Deno.test("runTraining: keepBest ends with the weights after the candidate update of lowest loss, also when resumed", async () => {
  const settings: LoopSettings = {
    ...BASE,
    iterations: 40,
    logEvery: 100,
    keepBest: 4,
    batchDraw: "subset",
  };
  // Every update's loss and the weight after it, from a run that keeps the last weights.
  const probe = lossyFamily();
  const after: number[] = [];
  const all = await runTraining(probe, {
    ...settings,
    keepBest: 0,
    logEvery: 1,
    onProgress: () => after.push(probe.w()),
  });
  // The candidates are the 0-based updates 0, 4, ..., 36: the first of the lowest loss wins.
  const candidates = all.lossCurve.filter((r) => (r.step - 1) % 4 === 0);
  assert.equal(candidates.length, 10);
  const best = candidates.reduce((b, r) => (r.loss < b.loss ? r : b));
  assert.notEqual(best.step, 37, "the test needs a best update before the last candidate");

  const family = lossyFamily();
  const run = await runTraining(family, settings);
  assert.deepEqual(run.kept, { step: best.step, loss: best.loss });
  assert.equal(family.w(), after[best.step - 1]);
  assert.notEqual(family.w(), after[after.length - 1]);

  // Interrupted after update 23 with checkpoints every 10, resumed: the same kept weights.
  const dir = Deno.makeTempDirSync();
  try {
    const ckpt = {
      ...settings,
      checkpointDir: join(dir, "c"),
      checkpointEvery: 10,
      fingerprint: () => Promise.resolve("f"),
    };
    const abort = new AbortController();
    await assert.rejects(
      runTraining(lossyFamily(), {
        ...ckpt,
        signal: abort.signal,
        onProgress: (s) => s === 23 && abort.abort(),
      }),
    );
    const second = lossyFamily();
    const resumed = await runTraining(second, ckpt);
    assert.equal(resumed.resumedFrom, 20);
    assert.deepEqual(resumed.kept, run.kept);
    assert.equal(second.w(), family.w());
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
