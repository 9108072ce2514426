import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  copyIntoKernel,
  copyOutOfKernel,
  newTensorMemoryValues,
  TENSOR_MEMORY_MIN_VALUES,
  tensorMemoryOf,
} from "./tensor_memory.ts";
import { setCpuThreads, stopCpuThreads } from "./cpu_threads.ts";
import { installFastKernels } from "./install.ts";
import { cpuValues } from "./cpu_data.ts";

Deno.test("a tensor memory's array is zeroed, its own buffer, and known by that buffer", () => {
  const v = newTensorMemoryValues(70_000);
  assert.equal(v.length, 70_000);
  assert.equal(v.byteOffset, 0);
  assert.ok(v.buffer instanceof SharedArrayBuffer);
  assert.ok(v.every((x) => x === 0));
  const memory = tensorMemoryOf(v.buffer);
  assert.ok(memory instanceof WebAssembly.Memory);
  assert.equal(memory.buffer, v.buffer);
  assert.notEqual(tensorMemoryOf(newTensorMemoryValues(5).buffer), memory);
  assert.equal(tensorMemoryOf(new Float32Array(4).buffer), undefined);
  assert.equal(tensorMemoryOf(new SharedArrayBuffer(16)), undefined);
});

Deno.test("copies into and out of a kernel memory move the same values, views and offsets kept", () => {
  const kernel = new WebAssembly.Memory({ initial: 1 });
  const src = newTensorMemoryValues(1000);
  src.forEach((_, i) => src[i] = i + 0.5);
  // A view from value 100: 50 values to byte 64 of the kernel memory.
  assert.ok(copyIntoKernel(kernel, 64, src.subarray(100, 150)));
  const inKernel = new Float32Array(kernel.buffer, 64, 50);
  assert.deepEqual([...inKernel.slice(0, 3)], [100.5, 101.5, 102.5]);
  assert.equal(inKernel[49], 149.5);
  // Back out to a view from value 500, at its index 10: values 510..559.
  const dst = newTensorMemoryValues(1000);
  const view = dst.subarray(500);
  assert.ok(copyOutOfKernel(kernel, 64, 50, view, 10));
  assert.equal(dst[509], 0);
  assert.equal(dst[510], 100.5);
  assert.equal(dst[559], 149.5);
  assert.equal(dst[560], 0);
  // Arrays outside tensor memories are the caller's to copy.
  assert.equal(copyIntoKernel(kernel, 0, new Float32Array(4)), false);
  assert.equal(copyOutOfKernel(kernel, 0, 4, new Float32Array(4), 0), false);
  // Past the end of the view (which the memory itself would not catch) or of the kernel memory.
  assert.throws(() => copyOutOfKernel(kernel, 64, 50, view, 460), RangeError);
  assert.throws(
    () => copyIntoKernel(kernel, 65_536 - 8, src.subarray(0, 4)),
    WebAssembly.RuntimeError,
  );
});

Deno.test("pooled kernel outputs on two threads live in tensor memories, with one thread's bytes", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const backend = tf.backend() as tf.MathBackendCPU;
  // Three passes, each disposing its outputs: the later ones reuse the pool's arrays.
  const run = () => {
    const outs: Float32Array[] = [];
    let inMemory = 0;
    for (let pass = 0; pass < 3; pass++) {
      tf.tidy(() => {
        const x = tf.randomUniform([40, 32, 32, 1], 0, 1, "float32", 3);
        const w = tf.randomNormal([3, 3, 1, 8], 0, 0.3, "float32", 4);
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same");
        const g = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, a as tf.Tensor4D, 1, "same")))
        )(w);
        const yv = cpuValues(backend, y);
        if (yv.length >= TENSOR_MEMORY_MIN_VALUES && tensorMemoryOf(yv.buffer) !== undefined) {
          inMemory++;
        }
        outs.push(yv.slice(), (g.dataSync() as Float32Array).slice());
      });
    }
    return { outs, inMemory };
  };
  try {
    await setCpuThreads(1);
    const one = run();
    assert.equal(one.inMemory, 0);
    await setCpuThreads(2);
    const two = run();
    assert.equal(two.inMemory, 3);
    two.outs.forEach((v, i) => assert.deepEqual(v, one.outs[i], `output ${i}`));
  } finally {
    stopCpuThreads();
  }
});
