import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend.ts";
import { installFastKernels } from "../kernels/install.ts";
import { onWebgpu, webgpuTest } from "../kernels/_on_webgpu.ts";
import { createRng } from "../random.ts";
import { TINY, tinyDisks } from "../test_fixtures.ts";
import type { TrainData, TrainSettings } from "../train.ts";
import { groupBiasAdd, groupConv2d, groupConv2dTranspose } from "./group_ops.ts";
import { GROUP_CPU_KERNELS, registerKernelsOnce } from "./group_kernels_cpu.ts";
import { GROUP_WEBGPU_KERNELS } from "./group_kernels_webgpu.ts";
import { trainGroup } from "./group_train.ts";

await initBackend("cpu");
registerKernelsOnce(GROUP_CPU_KERNELS);

const DATA: TrainData = tinyDisks(5);

function member(seed: number, overrides: Partial<TrainSettings> = {}): TrainSettings {
  return {
    config: TINY,
    seed,
    iterations: 4,
    batchSize: 8,
    loss: "sum",
    logEvery: 2,
    ...overrides,
  };
}

function random(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng.next() - 1);
}

/** Values and gradients of a grouped layer (conv + bias, then a transposed conv + bias). */
async function layerValues(): Promise<Float32Array[]> {
  // B = 20: 5,120 terms per filter value, so the filter gradient is split and gathered too.
  const K = 2, B = 20;
  const outs = tf.tidy(() => {
    const x = tf.tensor(random([K, B, 32, 32, 4], 1), [K, B, 32, 32, 4]);
    const w = tf.tensor(random([K, 3, 3, 4, 8], 2), [K, 3, 3, 4, 8]);
    const b = tf.tensor(random([K, 8], 3), [K, 8]);
    const wt = tf.tensor(random([K, 3, 3, 4, 8], 4), [K, 3, 3, 4, 8]);
    const bt = tf.tensor(random([K, 4], 5), [K, 4]);
    const r = tf.tensor(random([K, B, 32, 32, 4], 6), [K, B, 32, 32, 4]);
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor, wwt: tf.Tensor, bbt: tf.Tensor) => {
      const h = groupBiasAdd(groupConv2d(xx, ww, [2, 2], "same"), bb);
      const y = groupBiasAdd(groupConv2dTranspose(h, wwt, [K, B, 32, 32, 4], [2, 2], "same"), bbt);
      return tf.sum(tf.mul(y, r));
    };
    const { value, grads } = tf.valueAndGrads(f)([x, w, b, wt, bt]);
    return [value, ...grads];
  });
  // Read asynchronously: the webgpu backend cannot read synchronously under Deno.
  const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return values;
}

function relativeError(a: Float32Array, e: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < e.length; i++) {
    num += (a[i] - e[i]) ** 2;
    den += e[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

const bytesOf = (w: Record<string, Float32Array>) =>
  Object.keys(w).sort().map((k) => Array.from(new Uint8Array(w[k].slice().buffer)));

Deno.test({
  name: "grouped webgpu kernels agree with the cpu ones (values and gradients, float32 rounding)",
  ...webgpuTest,
  async fn() {
    const cpu = await layerValues();
    await onWebgpu(async () => {
      registerKernelsOnce(GROUP_WEBGPU_KERNELS);
      const gpu = await layerValues();
      gpu.forEach((g, i) => {
        const err = relativeError(g, cpu[i]);
        assert.ok(err < 1e-5, `output ${i}: relative error ${err}`);
      });
    });
  },
});

Deno.test({
  name: "on webgpu a model trained in a group of three has the bytes it has in a group of one",
  ...webgpuTest,
  async fn() {
    const members = [
      member(7),
      member(8, { regularisers: { encoderWeightDecay: { lambda: 0.5 } } }),
      member(9, { regularisers: { latentDistance: { lambda: 0.01, neighbours: 3 } } }),
    ];
    const onCpu = await trainGroup(DATA, members);
    await onWebgpu(async () => {
      installFastKernels("webgpu");
      const together = await trainGroup(DATA, members);
      for (const [k, s] of members.entries()) {
        const alone = await trainGroup(DATA, [s]);
        assert.deepEqual(bytesOf(together.members[k].weights), bytesOf(alone.members[0].weights));
        assert.deepEqual(together.members[k].lossCurve, alone.members[0].lossCurve);
        // And the same training as on the cpu, up to float32 rounding.
        const last = (r: typeof alone) => r.members[0].lossCurve.at(-1)!.loss;
        const cpuLoss = onCpu.members[k].lossCurve.at(-1)!.loss;
        assert.ok(Math.abs(last(alone) - cpuLoss) <= 1e-4 * Math.abs(cpuLoss), `member ${k}`);
      }
    });
  },
});
