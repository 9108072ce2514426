import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  detectHardwareGpu,
  initBackend,
  startCompute,
  throwIfDeviceFailed,
  watchDevice,
} from "./backend.ts";

Deno.test("initBackend('cpu') selects tfjs's cpu backend", async () => {
  const info = await initBackend("cpu");
  assert.deepEqual(info, { name: "cpu", adapter: null, hardwareGpu: false });
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(await initBackend("cpu"), info); // idempotent
});

Deno.test("detectHardwareGpu() does not count a software adapter as a GPU", async () => {
  const gpu = await detectHardwareGpu();
  if (gpu && /llvmpipe|lavapipe|swiftshader/i.test(gpu.description)) {
    assert.equal(gpu.hardware, false);
  }
  const auto = await initBackend("auto");
  assert.equal(auto.name, gpu?.hardware ? "webgpu" : "cpu");
  await initBackend("cpu");
});

Deno.test("initBackend('webgpu') runs on whatever adapter there is, then cpu comes back", async () => {
  const gpu = await detectHardwareGpu();
  if (!gpu) return; // no WebGPU here at all
  const info = await initBackend("webgpu");
  assert.equal(info.name, "webgpu");
  assert.equal(info.hardwareGpu, gpu.hardware);
  // 'same' padding puts the one pad sample after the end: taps per output 3·3, 3·2, 2·3, 2·2.
  const y = tf.tidy(() =>
    tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 2, "same")
  );
  assert.deepEqual([...await y.data()], [9, 6, 6, 4]); // synchronous reads fail on webgpu under Deno
  y.dispose();
  assert.equal((await initBackend("cpu")).name, "cpu");
});

Deno.test("initBackend('tensorflow') explains why it cannot be used here", async () => {
  await assert.rejects(initBackend("tensorflow"), /tfjs-node|cpu/);
  await assert.rejects(initBackend("nope"), /unknown/);
  await initBackend("cpu");
});

Deno.test({
  name: "throwIfDeviceFailed() names the first error a watched device reported",
  ignore: !(await navigator.gpu?.requestAdapter().catch(() => null)),
  async fn() {
    // A device of its own: the one tfjs uses must stay clean for the other tests.
    const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
    try {
      watchDevice(device);
      throwIfDeviceFailed(device); // nothing yet
      // A storage binding beyond the device's limit, as tfjs's AddN of 12 inputs makes.
      const entries = Array.from({ length: 13 }, (_, i) => ({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: "storage" as const },
      }));
      device.createBindGroupLayout({ entries });
      await device.queue.onSubmittedWorkDone();
      await new Promise((r) => setTimeout(r, 50)); // the event is dispatched as a task
      assert.throws(
        () => throwIfDeviceFailed(device),
        /^Error: Cannot trust this WebGPU run: the device reported ".*(storage|Storage).*", so some work was skipped/,
      );
    } finally {
      device.destroy();
    }
  },
});

Deno.test("startCompute() starts the cpu backend and names it for the manifest", async () => {
  assert.deepEqual(await startCompute("cpu", 1), {
    backend: "cpu",
    adapter: "cpu (tfjs-backend-cpu)",
    hardware_gpu: false,
  });
  assert.equal(tf.getBackend(), "cpu");
});
