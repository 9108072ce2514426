import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { encodeBatched } from "../../lib/ml/analysis.ts";
import { initBackend } from "../../lib/ml/backend.ts";
import { type AutoencoderConfig, diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { createRng } from "../../lib/ml/random.ts";
import { assembleLatentModel, loadLatentModel, saveLatentModel } from "./latent_model.ts";
import { encodeImages, reconstructionMse } from "./latent_eval.ts";
import { populationMoments, type StepSettings, trainStep } from "./latent_train.ts";
import { correlationMatrix } from "./latent_stats.ts";

await initBackend("cpu");

const encoder: AutoencoderConfig = diskAutoencoderConfig({
  inputShape: [16, 16, 1],
  encoderDepths: [1, 4, 4, 2, 1],
  decoderDepths: null,
  latentActivation: "linear",
});
const decoder = (d: number): AutoencoderConfig =>
  diskAutoencoderConfig({
    inputShape: [16, 16, 1],
    encoderDepths: null,
    decoderDepths: [d, 2, 4, 4, 1],
    outputActivation: "sigmoid",
  });

/** Centred squares of random half-width and grey level on 16×16. */
function squares(n: number, seed: number): Float32Array {
  const rng = createRng(seed), out = new Float32Array(n * 256);
  for (let k = 0; k < n; k++) {
    const w = 1 + Math.floor(rng.next() * 7), g = 0.3 + 0.7 * rng.next();
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        if (Math.abs(i - 7.5) < w && Math.abs(j - 7.5) < w) out[k * 256 + i * 16 + j] = g;
      }
    }
  }
  return out;
}

const base = (d: number, f: number, extra: Partial<StepSettings> = {}): StepSettings => ({
  encoder,
  decoder: decoder(d),
  frozenDims: f,
  seed: 3,
  iterations: 40,
  batchSize: 8,
  adam: { learningRate: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 },
  loss: "bce",
  covLambda: 1,
  bnEpsilon: 1e-5,
  logEvery: 10,
  ...extra,
});

Deno.test("trainStep() lowers the loss and is deterministic", async () => {
  const images = squares(64, 1);
  const a = await trainStep({ count: 64, images }, base(1, 0));
  const b = await trainStep({ count: 64, images }, base(1, 0));
  try {
    const first = a.lossCurve[0].loss, last = a.lossCurve[a.lossCurve.length - 1].loss;
    assert.ok(last < first, `loss ${first} → ${last}`);
    assert.deepEqual(await a.encoder.readWeights(), await b.encoder.readWeights());
    assert.deepEqual(await a.decoder.readWeights(), await b.decoder.readWeights());
    assert.deepEqual(a.lossCurve, b.lossCurve);
  } finally {
    for (const m of [a.encoder, a.decoder, b.encoder, b.decoder]) m.dispose();
  }
});

Deno.test("trainStep() with frozen codes records the covariance term and decorrelates", async () => {
  const images = squares(64, 2);
  // A frozen component: the normalised grey mass, which a new encoder would otherwise copy.
  const mass = Array.from(
    { length: 64 },
    (_, k) => images.subarray(k * 256, (k + 1) * 256).reduce((s, v) => s + v, 0),
  );
  const m = mass.reduce((s, v) => s + v) / 64,
    sd = Math.sqrt(mass.reduce((s, v) => s + (v - m) ** 2, 0) / 64);
  const frozenCodes = Float32Array.from(mass, (v) => (v - m) / sd);
  const r = await trainStep(
    { count: 64, images, frozenCodes },
    base(2, 1, { iterations: 60, covLambda: 10 }),
  );
  try {
    assert.ok(r.lossCurve.some((x) => x.covariance > 0));
    const moments = await populationMoments(r.encoder, images);
    const raw = await encodeBatched(r.encoder, images);
    const z = Float32Array.from(
      raw,
      (v) => (v - moments.mean[0]) / Math.sqrt(moments.variance[0] + 1e-5),
    );
    const both = new Float32Array(128);
    for (let k = 0; k < 64; k++) [both[2 * k], both[2 * k + 1]] = [frozenCodes[k], z[k]];
    const c = Math.abs(correlationMatrix(both, 2)[0][1]);
    assert.ok(c < 0.5, `|corr(frozen, new)| = ${c}`);
  } finally {
    r.encoder.dispose();
    r.decoder.dispose();
  }
});

Deno.test("trainStep() resumed from a checkpoint ends with the uninterrupted weights", async () => {
  const images = squares(32, 3);
  const dir = await Deno.makeTempDir({ prefix: "pca-ckpt-" });
  try {
    const full = await trainStep({ count: 32, images }, base(1, 0, { iterations: 20 }));
    // A first run stopped after 10 updates leaves a checkpoint at 10 …
    const part = await trainStep(
      { count: 32, images },
      base(1, 0, {
        iterations: 20,
        checkpointEvery: 10,
        checkpointDir: dir,
        onProgress: (s) => {
          if (s === 12) throw new Error("interrupted");
        },
      }),
    ).catch((e) => e);
    assert.ok(part instanceof Error);
    // … which the next run resumes.
    const resumed = await trainStep(
      { count: 32, images },
      base(1, 0, { iterations: 20, checkpointEvery: 10, checkpointDir: dir }),
    );
    try {
      assert.equal(resumed.resumedFrom, 10);
      assert.deepEqual(await resumed.encoder.readWeights(), await full.encoder.readWeights());
      assert.deepEqual(await resumed.decoder.readWeights(), await full.decoder.readWeights());
    } finally {
      for (const m of [full.encoder, full.decoder, resumed.encoder, resumed.decoder]) m.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a latent model normalises with population statistics and survives save/load", async () => {
  const images = squares(40, 4);
  const r = await trainStep({ count: 40, images }, base(1, 0, { iterations: 10 }));
  const moments = await populationMoments(r.encoder, images);
  const model = assembleLatentModel(
    { encoders: [encoder], decoder: decoder(1), bnEpsilon: 1e-5 },
    [r.encoder],
    r.decoder,
    moments.mean,
    moments.variance,
  );
  const dir = await Deno.makeTempDir({ prefix: "pca-model-" });
  try {
    const z = await encodeImages(model, images);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    assert.ok(Math.abs(mean) < 1e-4, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 1e-3, `variance ${variance}`);
    await saveLatentModel(model, `${dir}/m.json`, `${dir}/m.bin`, { note: "test" });
    const back = await loadLatentModel(`${dir}/m.json`, `${dir}/m.bin`);
    try {
      assert.deepEqual(await encodeImages(back, images), z);
      assert.equal(await reconstructionMse(back, images), await reconstructionMse(model, images));
    } finally {
      back.dispose();
    }
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(tf.memory().numTensors < 200, true);
});
