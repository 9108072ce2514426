import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Adam, KERAS_ADAM } from "./adam.ts";
import { hostCosts, runBench } from "../../bench/bench.ts";
import { installFastKernels, restoreStockKernels } from "./kernels/mod.ts";
import { perStep, recordWebgpuCalls, topCalls } from "./webgpu_calls.ts";

/** A WebGPU adapter if this machine has one (a software one counts: calls are counted). */
const adapter = await navigator.gpu?.requestAdapter().catch(() => null) ?? null;
const webgpuTest = { ignore: adapter === null, sanitizeOps: false, sanitizeResources: false };

Deno.test("perStep() and topCalls() average a table and rank it by host time", () => {
  const table = {
    "GPUQueue.submit": { calls: 4, ms: 8, bytes: 0 },
    "GPUQueue.writeBuffer": { calls: 40, ms: 2, bytes: 640 },
    "GPUBuffer.unmap": { calls: 2, ms: 2, bytes: 0 },
  };
  const per = perStep(table, 2);
  assert.deepEqual(per["GPUQueue.writeBuffer"], { calls: 20, ms: 1, bytes: 320 });
  assert.deepEqual(topCalls(per, 2).map((r) => r.name), [
    "GPUQueue.submit",
    "GPUQueue.writeBuffer", // ties on time go to the more frequent call
  ]);
});

Deno.test("hostCosts() reads dispatches, uploads and writes, zero where absent", () => {
  const h = hostCosts({
    "GPUComputePassEncoder.dispatchWorkgroups": { calls: 10, ms: 1, bytes: 0 },
    "GPUQueue.writeBuffer": { calls: 10, ms: 2, bytes: 160 },
  }, 5);
  assert.equal(h.dispatches, 10);
  assert.equal(h.uploads, 0);
  assert.equal(h.uploadBytes, 0);
  assert.equal(h.writes, 10);
  assert.equal(h.ms, 3);
  assert.equal(h.top.length, 2);
});

Deno.test({
  name: "recordWebgpuCalls() counts the dispatches and uploads of ops, and stop() unwraps",
  ...webgpuTest,
  async fn() {
    await import("@tensorflow/tfjs-backend-webgpu");
    assert.ok(await tf.setBackend("webgpu"));
    const original = GPUDevice.prototype.createBindGroup;
    const rec = recordWebgpuCalls();
    try {
      assert.throws(() => recordWebgpuCalls(), /a recorder is already running/);
      // 1,200 values: above the size under which tfjs would run the ops on the CPU.
      const a = tf.tensor1d(new Float32Array(1200).fill(1)); // uploaded at first use
      const b = tf.add(a, a);
      const c = tf.mul(b, b);
      await c.data();
      const t = rec.snapshot();
      assert.equal(t["GPUComputePassEncoder.dispatchWorkgroups"].calls, 2);
      assert.equal(t["GPUDevice.createBuffer(mappedAtCreation)"].calls, 1);
      assert.equal(t["GPUDevice.createBuffer(mappedAtCreation)"].bytes, 4800);
      rec.reset();
      assert.deepEqual(rec.snapshot(), {});
      tf.dispose([a, b, c]);
    } finally {
      rec.stop();
      await tf.setBackend("cpu");
    }
    assert.equal(GPUDevice.prototype.createBindGroup, original);
  },
});

Deno.test({
  name: "Adam.apply() on webgpu is 2 + 3 dispatches per variable and uploads nothing",
  ...webgpuTest,
  async fn() {
    await import("@tensorflow/tfjs-backend-webgpu");
    assert.ok(await tf.setBackend("webgpu"));
    installFastKernels("webgpu");
    const vars = [tf.variable(tf.ones([3, 3, 1, 8])), tf.variable(tf.zeros([8]))];
    const adam = new Adam(vars.map((v, i) => ({ name: `v${i}`, variable: v })), KERAS_ADAM);
    const grads = Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)]));
    try {
      adam.apply(grads); // first use uploads the constants and the gradients
      await vars[0].data();
      const rec = recordWebgpuCalls();
      try {
        adam.apply(grads);
        await vars[0].data();
      } finally {
        rec.stop();
      }
      const t = rec.snapshot();
      assert.equal(t["GPUComputePassEncoder.dispatchWorkgroups"].calls, 2 + 3 * 2);
      assert.equal(t["GPUDevice.createBuffer(mappedAtCreation)"], undefined);
    } finally {
      adam.dispose();
      tf.dispose([...vars, ...Object.values(grads)]);
      restoreStockKernels("webgpu");
      await tf.setBackend("cpu");
    }
  },
});

Deno.test({
  name: "runBench() on webgpu reports the host side of a training step: no uploads",
  ...webgpuTest,
  async fn() {
    const r = await runBench({
      backend: "webgpu",
      stock: false,
      threads: 1,
      batch: 2,
      repeats: 2,
      block: 2,
      warmup: 1,
      top: 5,
      seed: 1,
      compareLoss: false,
      compareKernels: false,
      model: "disk",
      profile: "paper",
      compareSteps: 1,
      compareBatch: 1,
    });
    try {
      assert.equal(r.backend, "webgpu");
      assert.equal(r.block, 2);
      assert.ok(r.host !== undefined);
      assert.equal(r.host.uploads, 0);
      // 437 with tfjs's own Adam and leaky-ReLU gradient; 186 with the fused kernels.
      assert.ok(r.host.dispatches > 100 && r.host.dispatches < 200, `${r.host.dispatches}`);
      assert.equal(r.host.top.length, 5);
      assert.ok(Number.isFinite(r.lastLoss));
    } finally {
      restoreStockKernels("webgpu");
      await tf.setBackend("cpu");
    }
  },
});
