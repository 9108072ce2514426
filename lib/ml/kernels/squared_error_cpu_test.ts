import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { setCpuThreads, sumChunkValues } from "./cpu_threads.ts";
import { installFastKernels } from "./install.ts";
import {
  squaredError,
  squaredErrorGradRange,
  squaredErrorGradRangeWasm,
  squaredErrorSumRange,
  squaredErrorSumRangeWasm,
} from "./squared_error_cpu.ts";
import { wasmSimdSupported } from "./conv_wasm.ts";
import { randomValues, sameBytes } from "./_test_utils.ts";

/** The value and both gradients of 3·loss(y, t) (an upstream gradient other than 1). */
function run(loss: (y: tf.Tensor, t: tf.Tensor) => tf.Scalar, y: tf.Tensor, t: tf.Tensor) {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((y, t) => tf.mul(loss(y, t), 3) as tf.Scalar)([y, t]);
    return [value, ...grads].map((g) => g.dataSync() as Float32Array);
  });
}

Deno.test("the squared-error kernel gives the bytes of Sub, Square, Sum (chunk by chunk), Mul and their gradients", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const rng = createRng(31);
  // 300 000 values: shared out over two threads (above the elementwise threshold).
  for (
    const [shape, threads, poison] of [[[7, 5, 3], 1, false], [[30, 100, 100], 2, false], [
      [4, 6],
      1,
      true,
    ]] as const
  ) {
    await setCpuThreads(threads);
    const n = shape.reduce((a, b) => a * b, 1);
    const yv = randomValues(rng, n), tv = randomValues(rng, n);
    if (poison) yv[3] = NaN;
    const y = tf.tensor(yv, [...shape]), t = tf.tensor(tv, [...shape]);
    for (const s of [1 / 7, 1 / (300 * 4096)]) {
      const scaleT = tf.scalar(s), twoScaleT = tf.scalar(2 * s);
      const ops = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [y, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
        const diff = tf.sub(y, t);
        save([diff]);
        return {
          value: tf.mul(tf.sum(tf.square(diff)), scaleT) as tf.Scalar,
          gradFunc: (dy: tf.Tensor, [d]: tf.Tensor[]) => {
            const g = tf.mul(d, tf.mul(dy, twoScaleT));
            return [g, tf.neg(g)];
          },
        };
      }) as (y: tf.Tensor, t: tf.Tensor) => tf.Scalar;
      const fused = run((y, t) => squaredError(y, t, s)!, y, t);
      const plain = run(ops, y, t);
      // The gradients are the ops' bytes; the value is the ops' up to the order of its sum,
      // which goes chunk by chunk (see squaredErrorSum): the bytes of that order here.
      ["dy", "dt"].forEach((what, i) =>
        assert.ok(
          sameBytes(fused[i + 1], plain[i + 1]),
          `${what} differs (shape ${shape}, scale ${s})`,
        )
      );
      const cv = sumChunkValues(1);
      let sum = 0;
      for (let lo = 0; lo < n; lo += cv) {
        let part = 0;
        for (let i = lo; i < Math.min(n, lo + cv); i++) {
          const d = Math.fround(yv[i] - tv[i]);
          part += Math.fround(d * d);
        }
        sum += part;
      }
      const value = Math.fround(Math.fround(Math.fround(sum) * Math.fround(s)) * 3);
      assert.ok(
        sameBytes(fused[0], Float32Array.of(value)),
        `value differs (shape ${shape}, scale ${s})`,
      );
      if (n <= cv) {
        assert.ok(sameBytes(fused[0], plain[0]), `value differs from the ops' (${shape})`);
      }
      tf.dispose([scaleT, twoScaleT]);
    }
    tf.dispose([y, t]);
  }
  await setCpuThreads(1);
});

Deno.test("squaredError() is null for shapes that differ, and the kernel names a bad input", async () => {
  await tf.setBackend("cpu");
  installFastKernels("cpu");
  const a = tf.zeros([2, 3]), b = tf.zeros([3, 2]);
  assert.equal(squaredError(a, b, 1), null);
  assert.throws(
    () => tf.engine().runKernel("SquaredErrorOfModel", { y: a, t: b }, { scale: 1 }),
    /y and t must be float32 of one shape/,
  );
  tf.dispose([a, b]);
});

Deno.test("the WebAssembly squared-error kernels give the JavaScript ones' bytes", {
  ignore: !wasmSimdSupported(),
}, () => {
  const rng = createRng(57);
  for (const n of [1, 7, 8192, 8195, 70_001]) {
    const y = randomValues(rng, n), t = randomValues(rng, n);
    y.set([0, -0, 1e-40, Infinity, -3e38].slice(0, n), 0);
    t.set([-0, 0, -1e-40, 1, 3e38].slice(0, n), 0);
    const lo = Math.floor(n / 5);
    const js = new Float64Array(1), wasm = new Float64Array(1);
    squaredErrorSumRange(y, t, y, 0, lo, n, js);
    squaredErrorSumRangeWasm(y, t, y, 0, lo, n, wasm);
    assert.ok(Object.is(wasm[0], js[0]), `sum of ${n} values: ${wasm[0]} against ${js[0]}`);
    for (const c of [Math.fround(2 / 7), Math.fround(-3e-9)]) {
      const gJs = new Float32Array(n), gWasm = new Float32Array(n);
      squaredErrorGradRange(y, t, gJs, c, lo, n);
      squaredErrorGradRangeWasm(y, t, gWasm, c, lo, n);
      assert.ok(sameBytes(gWasm, gJs), `gradient of ${n} values, c ${c}`);
    }
  }
});
