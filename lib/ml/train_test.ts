import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.ts";
import { positionDecoderConfig, positionEncoderConfig } from "./model.ts";
import { HAND, HAND_WEIGHTS, TINY, tinyDisks } from "./test_fixtures.ts";
import { train, type TrainData, type TrainSettings } from "./train.ts";
import { useDirectSteps } from "./direct_step_cpu.ts";
import { setCpuThreads } from "./kernels/mod.ts";

await initBackend("cpu");

const DATA: TrainData = tinyDisks(3);

function settings(overrides: Partial<TrainSettings> = {}): TrainSettings {
  return {
    config: TINY,
    seed: 7,
    iterations: 10,
    batchSize: 8,
    loss: "sum",
    logEvery: 2,
    regularisers: {
      latentDistance: { lambda: 0.01, neighbours: 3 },
      denoising: { lambda: 0.5, sigma: 0.05 },
    },
    ...overrides,
  };
}

function bytes(w: Record<string, Float32Array>): Uint8Array[] {
  return Object.keys(w).sort().map((k) => new Uint8Array(w[k].buffer.slice(0)));
}

Deno.test("train() records each term exactly as its formula gives on a hand-computable case", async () => {
  // Two examples x_a = [1, 2], x_b = [0, 1] (keys 0, 1: each the other's only neighbour) and
  // the hand model D(E(x)) = [x0 + x1, x0 + x1], ∂z/∂x = [1, 1]:
  // data (sum) = ((1−3)² + (2−3)² + (0−1)² + (1−1)²)/2 = 3; ψ1: image distance 2, code
  // distance (3 − 1)² = 4 → (2 − 4)² = 4; ψ2 = 1+1+1+1 = 4; ψ3 = 2; denoising with σ = 0
  // equals the data term, 3; contractive = 2.
  const lambdas = { ld: 0.5, wd: 0.25, ewd: 2, den: 3, con: 0.125 };
  const r = await train({ count: 2, images: new Float32Array([1, 2, 0, 1]), keys: [0, 1] }, {
    config: HAND,
    seed: 1,
    iterations: 1,
    batchSize: 2,
    loss: "sum",
    logEvery: 1,
    initialWeights: HAND_WEIGHTS,
    regularisers: {
      latentDistance: { lambda: lambdas.ld, neighbours: 1 },
      weightDecay: { lambda: lambdas.wd },
      encoderWeightDecay: { lambda: lambdas.ewd },
      denoising: { lambda: lambdas.den, sigma: 0 },
      contractive: { lambda: lambdas.con },
    },
  });
  try {
    const rec = r.lossCurve[0];
    assert.deepEqual(rec.terms, {
      data: 3,
      latent_distance: 4,
      weight_decay: 4,
      encoder_weight_decay: 2,
      denoising: 3,
      contractive: 2,
    });
    assert.equal(
      rec.loss,
      3 + lambdas.ld * 4 + lambdas.wd * 4 + lambdas.ewd * 2 + lambdas.den * 3 + lambdas.con * 2,
    );
  } finally {
    r.model.dispose();
  }
});

Deno.test("train() with the mean reduction divides the data term by the pixels too", async () => {
  const r = await train({ count: 2, images: new Float32Array([1, 2, 0, 1]) }, {
    config: HAND,
    seed: 1,
    iterations: 1,
    batchSize: 2,
    loss: "mean",
    logEvery: 1,
    initialWeights: HAND_WEIGHTS,
  });
  assert.deepEqual(r.lossCurve[0], { step: 1, loss: 1.5, terms: { data: 1.5 } });
  r.model.dispose();
});

Deno.test("train() gives bit-identical weights for the same seed and different ones for another", async () => {
  const a = await train(DATA, settings());
  const b = await train(DATA, settings());
  const c = await train(DATA, settings({ seed: 8 }));
  try {
    assert.deepEqual(bytes(await a.model.readWeights()), bytes(await b.model.readWeights()));
    assert.deepEqual(a.lossCurve, b.lossCurve);
    assert.notDeepEqual(bytes(await a.model.readWeights()), bytes(await c.model.readWeights()));
  } finally {
    for (const r of [a, b, c]) r.model.dispose();
  }
});

Deno.test("train() resumes after an interruption and reaches the same weights bit-for-bit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const straight = await train(DATA, settings());
    const controller = new AbortController();
    await assert.rejects(
      train(
        DATA,
        settings({
          checkpointDir: dir,
          checkpointEvery: 5,
          signal: controller.signal,
          onProgress: (step) => step === 7 && controller.abort(),
        }),
      ),
    );
    const logs: string[] = [];
    const resumed = await train(
      DATA,
      settings({ checkpointDir: dir, checkpointEvery: 5, onLog: (m) => logs.push(m) }),
    );
    try {
      assert.equal(resumed.resumedFrom, 5);
      assert.equal(resumed.stepsRun, 5);
      assert.ok(logs.some((m) => m.includes("resumed from checkpoint at step 5")));
      assert.deepEqual(
        bytes(await resumed.model.readWeights()),
        bytes(await straight.model.readWeights()),
      );
      assert.deepEqual(resumed.lossCurve, straight.lossCurve);
    } finally {
      resumed.model.dispose();
      straight.model.dispose();
    }
    // A checkpoint of other settings is never resumed.
    const other = await train(DATA, settings({ checkpointDir: dir, seed: 99 }));
    assert.equal(other.resumedFrom, null);
    other.model.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() holds a constant number of tensors per step and frees them all", async () => {
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const r = await train(
    DATA,
    settings({
      iterations: 12,
      logEvery: 3,
      regularisers: {
        latentDistance: { lambda: 0.01, neighbours: 3 },
        weightDecay: { lambda: 0.01 },
        encoderWeightDecay: { lambda: 0.01 },
        denoising: { lambda: 0.5, sigma: 0.05 },
        contractive: { lambda: 0.01 },
      },
      onProgress: () => counts.push(tf.memory().numTensors),
    }),
  );
  // Epoch tensors are replaced every 5 steps (40 examples / batch 8), never accumulated.
  assert.ok(counts.every((c) => c === counts[0]), `tensor counts per step: ${counts}`);
  r.model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("train() lowers the reconstruction loss on small disks", async () => {
  const r = await train(
    DATA,
    settings({ iterations: 60, logEvery: 10, regularisers: {}, batchSize: 10 }),
  );
  try {
    const first = r.lossCurve[0].loss, last = r.lossCurve[r.lossCurve.length - 1].loss;
    assert.ok(last < 0.7 * first, `loss ${first} → ${last}`);
    assert.deepEqual(r.lossCurve.map((x) => x.step), [1, 10, 20, 30, 40, 50, 60]);
  } finally {
    r.model.dispose();
  }
});

Deno.test("train() trains an encoder alone against codes and a decoder alone from codes", async () => {
  // Diracs at integer positions of a 16-sample signal, code = position / 16.
  const n = 16, count = 16;
  const images = new Float32Array(count * n), codes = new Float32Array(count);
  for (let a = 0; a < count; a++) {
    images[a * n + a] = 1;
    codes[a] = a / 16;
  }
  const enc = await train({ count, images, codes }, {
    config: positionEncoderConfig({ inputShape: [1, n, 1], encoderDepths: [1, 1, 1, 1, 1] }),
    seed: 1,
    iterations: 40,
    batchSize: 16,
    loss: "sum",
    mode: "encoder",
    logEvery: 10,
  });
  const dec = await train({ count, images, codes }, {
    config: positionDecoderConfig({ inputShape: [1, n, 1], decoderDepths: [1, 2, 4, 4, 1] }),
    seed: 1,
    iterations: 40,
    batchSize: 16,
    loss: "sum",
    mode: "decoder",
    logEvery: 10,
  });
  try {
    for (const r of [enc, dec]) assert.ok(r.lossCurve.at(-1)!.loss < r.lossCurve[0].loss);
    await assert.rejects(
      train({ count, images }, {
        config: positionEncoderConfig({ inputShape: [1, n, 1], encoderDepths: [1, 1, 1, 1, 1] }),
        seed: 1,
        iterations: 1,
        batchSize: 4,
        loss: "sum",
        mode: "encoder",
      }),
      /needs codes/,
    );
  } finally {
    enc.model.dispose();
    dec.model.dispose();
  }
});

Deno.test("train() uploads nothing per update besides each epoch's batch order (no regulariser, ψ1, ψ2, ψ3)", async () => {
  // tfjs creates every tensor made from JS data through engine.makeTensor: count those calls.
  // deno-lint-ignore no-explicit-any
  const engine = tf.engine() as any;
  const original = engine.makeTensor;
  const made: number[] = [];
  let count = 0;
  engine.makeTensor = (...args: unknown[]) => {
    count++;
    return original.apply(engine, args);
  };
  try {
    for (
      const regularisers of [{}, {
        latentDistance: { lambda: 0.01, neighbours: 3 },
        weightDecay: { lambda: 0.01 },
        encoderWeightDecay: { lambda: 0.01 },
      }]
    ) {
      made.length = 0;
      let last = 0;
      const r = await train(
        DATA,
        settings({
          iterations: 9,
          logEvery: 100,
          regularisers,
          onProgress: () => {
            made.push(count - last);
            last = count;
          },
        }),
      );
      r.model.dispose();
      // Update 1 includes set-up; update 6 starts epoch 1 (40 examples / batch 8): one order
      // array, plus one neighbour array with ψ1.
      const epochUploads = "latentDistance" in regularisers ? 2 : 1;
      assert.deepEqual(made.slice(1), [0, 0, 0, 0, epochUploads, 0, 0, 0]);
    }
  } finally {
    engine.makeTensor = original;
  }
});

Deno.test("train() without a regulariser calls the cpu kernels straight, with the ops' bytes, on one thread and two", async () => {
  // deno-lint-ignore no-explicit-any
  const engine = tf.engine() as any;
  const runKernel = engine.runKernel;
  let kernels = 0;
  engine.runKernel = (...args: unknown[]) => {
    kernels++;
    return runKernel.apply(engine, args);
  };
  const run = async (direct: boolean, over: Partial<TrainSettings>) => {
    const was = useDirectSteps(direct);
    kernels = 0;
    const r = await train(DATA, settings({ regularisers: {}, iterations: 12, ...over }));
    useDirectSteps(was);
    const out = { weights: bytes(await r.model.readWeights()), curve: r.lossCurve, kernels };
    r.model.dispose();
    return out;
  };
  try {
    for (const threads of [1, 2]) {
      await setCpuThreads(threads);
      // keepBest ends with weights read out at an earlier update: they must keep their values.
      for (const over of [{}, { loss: "mean" as const }, { keepBest: 3 }]) {
        const ops = await run(false, over), direct = await run(true, over);
        assert.deepEqual(
          direct.weights,
          ops.weights,
          `${threads} threads, ${JSON.stringify(over)}`,
        );
        assert.deepEqual(direct.curve, ops.curve);
        // The ops path runs tens of kernels an update, the direct one none (both set up alike).
        assert.ok(
          ops.kernels - direct.kernels >= 12 * 20,
          `${direct.kernels} against ${ops.kernels}`,
        );
      }
    }
  } finally {
    engine.runKernel = runKernel;
    await setCpuThreads(1);
  }
});
