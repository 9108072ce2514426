/**
 * `deno task bench --model pca|dcgan`: the training step of the PCA-like autoencoder (its first
 * step, on 64×64 images) and of the DCGAN, each through the training function its stage runs,
 * with that stage's parameters in the chosen profile.
 *
 * A training function also does work once per call (building the model, the batch-norm
 * statistics of the DCGAN at the end): the time per update is taken as the difference between a
 * run of `warmup + repeats` updates and one of `warmup` updates, divided by `repeats`, so that
 * this fixed part cancels. Both are timed after one untimed run of `warmup` updates: the first
 * call of a process also compiles the kernels and the training code, which made the short run as
 * long as the long one (`--model pca --repeats 3` printed 0.0 ms per update, runs of 2.9 and 2.9
 * s). Where the long run still takes no longer than the short one the result says so (NaN, and a
 * line asking for more updates) instead of a time. The images are random (their values do not
 * change the work).
 *
 * @module
 */

import { resolveParams } from "../pipeline/params.ts";
import type { Profile } from "../pipeline/params.ts";
import { trainDcgan } from "../stages/dcgan/train.ts";
import { trainConfig, trainDcganStage } from "../stages/dcgan/train_stage.ts";
import { trainStep } from "../stages/pca/latent_train.ts";
import { stepDecoderConfig, stepEncoderConfig } from "../stages/pca/train_stages.ts";
import { stages } from "../stages/mod.ts";
import { initBackend } from "../lib/ml/backend.ts";
import { createRng } from "../pipeline/rng.ts";

/** The models `--model` times besides the disk autoencoder. */
export type BenchModel = "pca" | "dcgan";

/** What {@linkcode benchModel} measured. */
export interface ModelBenchResult {
  model: BenchModel;
  profile: Profile;
  threads: number;
  batch: number;
  /** Updates timed (beyond the warm-up). */
  repeats: number;
  /**
   * Milliseconds per update: (t(warmup + repeats) − t(warmup)) / repeats; NaN when that is not
   * above zero (the updates timed are lost in the runs' noise).
   */
  msPerStep: number;
  /** The two runs' wall seconds. */
  seconds: [number, number];
}

/** Random images in [0, 1), `count` of `side`×`side`. */
function randomImages(count: number, side: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const v = new Float32Array(count * side * side);
  for (let i = 0; i < v.length; i++) v[i] = rng.next();
  return v;
}

/** Seconds `run(iterations)` takes. */
async function timed(run: (iterations: number) => Promise<unknown>, n: number): Promise<number> {
  const t0 = performance.now();
  await run(n);
  return (performance.now() - t0) / 1000;
}

/** Times the training step of `model` with its stage's `profile` parameters (see the module). */
export async function benchModel(
  model: BenchModel,
  profile: Profile,
  threads: number,
  warmup: number,
  repeats: number,
): Promise<ModelBenchResult> {
  await initBackend("cpu", { cpuThreads: threads });
  let batch: number;
  let run: (iterations: number) => Promise<unknown>;
  if (model === "dcgan") {
    const p = resolveParams(trainDcganStage, profile, []) as Record<string, never>;
    const config = trainConfig(p as unknown as Parameters<typeof trainConfig>[0]);
    batch = p["batchSize"];
    const count = Math.max(2 * batch, 64);
    const images = randomImages(count, config.imageSize, 1);
    run = (iterations) =>
      trainDcgan(images, count, {
        config,
        seed: 1,
        iterations,
        batchSize: batch,
        adam: { learningRate: p["learningRate"], beta1: p["beta1"], beta2: 0.999, epsilon: 1e-8 },
        statisticsPoints: p["statisticsPoints"],
      });
  } else {
    const stage = stages.find((s) => s.id === "train-pcaae-ellipses-1");
    if (stage === undefined) {
      throw new Error(
        `Cannot bench the PCA-like autoencoder: stage "train-pcaae-ellipses-1" is gone`,
      );
    }
    const p = resolveParams(stage, profile, []) as Record<string, never>;
    batch = p["batchSize"];
    const loss = p["loss"] as Parameters<typeof stepDecoderConfig>[2];
    const count = Math.max(2 * batch, 64);
    const images = randomImages(count, 64, 2);
    run = (iterations) =>
      trainStep({ count, images }, {
        encoder: stepEncoderConfig(p["encoderDepths"], 1),
        decoder: stepDecoderConfig(1, p["decoderDepths"], loss),
        frozenDims: 0,
        seed: 1,
        iterations,
        batchSize: batch,
        adam: {
          learningRate: p["learningRate"],
          beta1: p["beta1"],
          beta2: p["beta2"],
          epsilon: 1e-8,
        },
        loss,
        covLambda: p["covLambda"],
        bnEpsilon: p["bnEpsilon"],
      });
  }
  await run(warmup);
  const short = await timed(run, warmup);
  const long = await timed(run, warmup + repeats);
  return {
    model,
    profile,
    threads,
    batch,
    repeats,
    msPerStep: long > short ? (1000 * (long - short)) / repeats : NaN,
    seconds: [short, long],
  };
}

/** One line for a result. */
export function formatModelBench(r: ModelBenchResult): string {
  const runs = `runs of ${r.seconds[0].toFixed(1)} and ${r.seconds[1].toFixed(1)} s`;
  const head = `${r.model} (${r.profile} profile), cpu, ${r.threads} thread${
    r.threads === 1 ? "" : "s"
  }, batch ${r.batch}: `;
  if (!Number.isFinite(r.msPerStep)) {
    return `${head}no time per update: the run with ${r.repeats} more updates was not longer (${runs}); raise --repeats`;
  }
  return `${head}${
    r.msPerStep.toFixed(1)
  } ms per update (${r.repeats} updates timed beyond the warm-up; ${runs})`;
}
