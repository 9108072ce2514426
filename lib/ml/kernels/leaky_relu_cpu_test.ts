import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../../pipeline/rng.ts";
import { installFastKernels } from "./install.ts";
import {
  LEAKY_RELU_GRAD,
  leakyReluGrad,
  leakyReluGradAndBiasGradValues,
  leakyReluGradAndSumRange,
  leakyReluGradAndSumRangeWasm,
  leakyReluGradValues,
} from "./leaky_relu_cpu.ts";
import { wasmSimdSupported } from "./conv_wasm.ts";
import { sumChunkValues } from "./cpu_threads.ts";
import { withStockKernels } from "./_test_utils.ts";

await tf.setBackend("cpu");

/** Random values with the edge cases mixed in: zeros of both signs, NaN, infinities, denormals. */
function values(seed: number, n: number): Float32Array {
  const rng = createRng(seed);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rng.next() - 0.5) * 10 ** (rng.next() * 8 - 4);
  v.set([0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3], 0);
  return v;
}

/** The float32 bytes of a tensor, for bit-for-bit comparison (NaN included). */
function bytes(t: tf.Tensor): Uint8Array {
  return new Uint8Array((t.dataSync() as Float32Array).slice().buffer);
}

Deno.test("leakyReluGrad() equals the four-op composite bit for bit", () => {
  installFastKernels("cpu");
  const x = tf.tensor(values(1, 4000), [40, 10, 10, 1]);
  const dy = tf.tensor(values(2, 4000), [40, 10, 10, 1]);
  for (const alpha of [0.2, 0.3, 0.01]) {
    const a = tf.scalar(alpha), oneMinusA = tf.scalar(1 - alpha);
    const composite = () => tf.mul(dy, tf.add(a, tf.mul(oneMinusA, tf.step(x))));
    assert.ok(tf.getKernel(LEAKY_RELU_GRAD, "cpu") !== undefined);
    const fused = leakyReluGrad(dy, x, alpha, () => assert.fail("the fused kernel should run"));
    const reference = withStockKernels("cpu", () => {
      assert.equal(tf.getKernel(LEAKY_RELU_GRAD, "cpu"), undefined);
      return leakyReluGrad(dy, x, alpha, composite);
    });
    assert.deepEqual(bytes(fused), bytes(reference), `alpha ${alpha}`);
    tf.dispose([a, oneMinusA, fused, reference]);
  }
  tf.dispose([x, dy]);
});

Deno.test("leakyReluGradValues() passes dy above zero, α·dy at or below, NaN for NaN", () => {
  const x = new Float32Array([2, 0, -0, -3, NaN]);
  const dy = new Float32Array([5, 5, 5, 5, 5]);
  assert.deepEqual(Array.from(leakyReluGradValues(dy, x, 0.5)), [5, 2.5, 2.5, 2.5, NaN]);
});

Deno.test("makeLeakyReluCpu() equals the stock LeakyRelu bit for bit", () => {
  installFastKernels("cpu");
  const x = tf.tensor(values(3, 5000), [5000]);
  for (const alpha of [0.2, 0.3]) {
    const run = () => {
      const out = tf.leakyRelu(x, alpha);
      const b = bytes(out);
      out.dispose();
      return b;
    };
    assert.deepEqual(run(), withStockKernels("cpu", run), `alpha ${alpha}`);
  }
  x.dispose();
});

Deno.test("leakyReluGradValues() takes the exact path for finite inputs and the plain one otherwise", () => {
  // Finite inputs of both signs (the branch-free loop), then the same with one NaN or one
  // infinity (the plain loop): the values must not depend on which loop ran.
  const x = new Float32Array([3, -2, 0, -0, 1e-40, -1e-40, 5]);
  const dy = new Float32Array([1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
  const a = Math.fround(0.2) * 1.5;
  const expected = [1.5, a, a, a, 1.5, a, 1.5].map(Math.fround);
  assert.deepEqual(Array.from(leakyReluGradValues(dy, x, 0.2)), expected);
  for (const odd of [NaN, Infinity, -Infinity]) {
    const withOdd = Float32Array.from([...x, odd]);
    const out = Array.from(leakyReluGradValues(Float32Array.from([...dy, 1.5]), withOdd, 0.2));
    assert.deepEqual(out.slice(0, 7), expected, `with ${odd}`);
    assert.deepEqual(out[7], odd > 0 ? 1.5 : odd < 0 ? expected[1] : NaN, `with ${odd}`);
  }
});

Deno.test("leakyReluGradAndBiasGradValues() sums each chunk in order, then the chunks in order", () => {
  // x > 0 makes dz = dy (the slope above zero is exactly 1). One sum in order over the whole
  // array loses every 1 against 2^53 and ends at 0; chunk by chunk, the first chunk's 2^53 and
  // the second's 65,535 − 2^53 are exact, and so is their sum, 65,535.
  const chunk = sumChunkValues(1);
  const n = 2 * chunk;
  const x = new Float32Array(n).fill(1), dy = new Float32Array(n);
  dy[0] = 2 ** 53;
  dy.fill(1, chunk, n - 1);
  dy[n - 1] = -(2 ** 53);
  const { dz, bias } = leakyReluGradAndBiasGradValues(dy, x, 0.2, 1);
  assert.deepEqual(dz, dy);
  assert.deepEqual(Array.from(bias), [chunk - 1]);
  // Several channels: each channel's sums in float64, chunk after chunk, against a reference.
  const rng = createRng(77);
  for (const K of [1, 3, 4, 8]) {
    const m = K * 70_001;
    const xs = Float32Array.from({ length: m }, () => rng.next() - 0.5);
    const dys = Float32Array.from({ length: m }, () => (rng.next() - 0.5) * 10 ** (rng.next() * 6));
    const r = leakyReluGradAndBiasGradValues(dys, xs, 0.2, K);
    assert.deepEqual(r.dz, leakyReluGradValues(dys, xs, 0.2), `dz, K ${K}`);
    const ref = new Float64Array(K), cv = sumChunkValues(K);
    for (let lo = 0; lo < m; lo += cv) {
      const part = new Float64Array(K);
      for (let i = lo; i < Math.min(m, lo + cv); i++) part[i % K] += r.dz[i];
      for (let k = 0; k < K; k++) ref[k] += part[k];
    }
    assert.deepEqual(r.bias, Float32Array.from(ref), `bias, K ${K}`);
  }
});

Deno.test("the WebAssembly gradient-and-sum kernel gives the JavaScript one's bytes", {
  ignore: !wasmSimdSupported(),
}, () => {
  // Channel counts with each of its paths (vectors along channels, along pixels, one value at a
  // time), ranges that are not whole blocks, slopes exact or not (0.3: a + (s − a) ≠ s in
  // double), and x with NaN, infinities, zeros of both signs and denormals (values()).
  const rng = createRng(91);
  for (const K of [1, 2, 3, 4, 5, 8, 12]) {
    for (const pixels of [1, 3, 2049, 9001]) {
      const n = K * pixels;
      for (const alpha of [0.2, 0, 0.3]) {
        for (const poisoned of [false, true]) {
          const x = Float32Array.from({ length: n }, () => rng.next() - 0.5);
          if (poisoned) {
            // The edge cases of values() spread over the range read.
            const edges = values(K * 10 + pixels, 8).subarray(0, 8);
            const lo = K * Math.floor(pixels / 3);
            edges.forEach((v, j) => x[lo + (j * 7919) % (n - lo)] = v);
          }
          const dy = Float32Array.from(
            { length: n },
            () => (rng.next() - 0.5) * 10 ** (rng.next() * 6),
          );
          const lo = K * Math.floor(pixels / 3), hi = n;
          const js = { dz: new Float32Array(n), sums: new Float64Array(K) };
          const wasm = { dz: new Float32Array(n), sums: new Float64Array(K) };
          leakyReluGradAndSumRange(dy, x, js.dz, alpha, lo, hi, js.sums);
          leakyReluGradAndSumRangeWasm(dy, x, wasm.dz, alpha, lo, hi, wasm.sums);
          const what = `K ${K}, ${pixels} pixels, alpha ${alpha}${poisoned ? ", edge cases" : ""}`;
          assert.deepEqual(
            new Uint8Array(wasm.dz.buffer),
            new Uint8Array(js.dz.buffer),
            `dz, ${what}`,
          );
          assert.deepEqual(
            new Uint8Array(wasm.sums.buffer),
            new Uint8Array(js.sums.buffer),
            `sums, ${what}`,
          );
        }
      }
    }
  }
});
