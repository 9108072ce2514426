import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/ml/backend.ts";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { readKerasWeights } from "./keras_h5.ts";
import {
  authorsConfig,
  authorsLayerShapes,
  authorsWeightsFromKeras,
  createAuthorsModel,
  validConvSize,
  validConvTransposeSize,
} from "./model.ts";
import { AUTHORS_FILE } from "./_test_file.ts";

await initBackend("cpu");

Deno.test("authorsLayerShapes(): 63 → 31 → 15 → 7 → 3 → 1 → 3 → 7 → 15 → 31 → 63, Keras layouts", () => {
  const shapes = authorsLayerShapes();
  assert.deepEqual(shapes.map((s) => s.outSize), [31, 15, 7, 3, 1, 3, 7, 15, 31, 63]);
  assert.deepEqual(shapes.map((s) => s.kernel), [
    [3, 3, 1, 8],
    [3, 3, 8, 4],
    [3, 3, 4, 3],
    [3, 3, 3, 2],
    [3, 3, 2, 1],
    [3, 3, 2, 1],
    [3, 3, 3, 2],
    [3, 3, 4, 3],
    [3, 3, 8, 4],
    [3, 3, 1, 8],
  ]);
  assert.equal(validConvSize(63), 31);
  assert.equal(validConvTransposeSize(31), 63);
});

Deno.test("tfjs's conv2dTranspose takes the Keras kernel [kh, kw, out, in]: a one-hot input gives the kernel", () => {
  // A 1×1 input with a one in input channel j, 'valid', stride 2: output channel i is
  // kernel[:, :, i, j], unflipped, at the output's top-left 3×3.
  const kh = 3, kw = 3, cout = 2, cin = 3;
  const kernel = Float32Array.from({ length: kh * kw * cout * cin }, (_, i) => i + 1);
  const k = tf.tensor4d(kernel, [kh, kw, cout, cin]);
  for (let j = 0; j < cin; j++) {
    const x = tf.oneHot([j], cin).reshape([1, 1, 1, cin]).toFloat() as tf.Tensor4D;
    const y = tf.conv2dTranspose(x, k, [1, 3, 3, cout], [2, 2], "valid");
    const got = y.arraySync()[0];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        for (let i = 0; i < cout; i++) {
          assert.equal(
            got[a][b][i],
            kernel[((a * kw + b) * cout + i) * cin + j],
            `${a},${b},${i},${j}`,
          );
        }
      }
    }
    tf.dispose([x, y]);
  }
  // Two input pixels 2 apart land 2 apart: the kernels overlap on one column.
  const x2 = tf.tensor4d([1, 0, 0, 1, 0, 0], [1, 1, 2, cin]);
  assert.deepEqual(tf.conv2dTranspose(x2, k, [1, 3, 5, cout], [2, 2], "valid").shape, [1, 3, 5, 2]);
  tf.dispose([k, x2]);
});

Deno.test("conv2d 'valid', stride 2, on our cpu kernels: y[i, j, o] = Σ x[2i + a, 2j + b, c]·w[a, b, c, o]", () => {
  const n = 7, cin = 2, cout = 3, m = validConvSize(n);
  const x = Float32Array.from({ length: n * n * cin }, (_, i) => Math.sin(i + 1));
  const w = Float32Array.from({ length: 9 * cin * cout }, (_, i) => Math.cos(i));
  const xt = tf.tensor4d(x, [1, n, n, cin]), wt = tf.tensor4d(w, [3, 3, cin, cout]);
  const y = tf.conv2d(xt, wt, [2, 2], "valid");
  assert.deepEqual(y.shape, [1, m, m, cout]);
  const got = y.dataSync();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      for (let o = 0; o < cout; o++) {
        let want = 0;
        for (let a = 0; a < 3; a++) {
          for (let b = 0; b < 3; b++) {
            for (let c = 0; c < cin; c++) {
              want += x[((2 * i + a) * n + 2 * j + b) * cin + c] *
                w[((a * 3 + b) * cin + c) * cout + o];
            }
          }
        }
        assert.ok(Math.abs(got[(i * m + j) * cout + o] - want) < 1e-5, `${i},${j},${o}`);
      }
    }
  }
  tf.dispose([xt, wt, y]);
});

Deno.test("createAuthorsModel(): 63×63 images to one number and back to 63×63", () => {
  const model = createAuthorsModel();
  try {
    assert.equal(model.latentSize, 1);
    const x = tf.zeros([2, 63, 63, 1]);
    const z = model.encode(x);
    assert.deepEqual(z.shape, [2, 1]);
    const y = model.decode(z);
    assert.deepEqual(y.shape, [2, 63, 63, 1]);
    assert.deepEqual(model.reconstruct(tf.zeros([3, 63 * 63])).shape, [3, 63, 63, 1]);
    tf.dispose([x, z, y]);
  } finally {
    model.dispose();
  }
});

Deno.test("createAuthorsModel(): leaky ReLU with α = 0.05 after the code layer", () => {
  const model = createAuthorsModel();
  try {
    // Zero kernels, a code bias of −1: the code is the bias through the activation.
    const values = Object.fromEntries(
      model.variables.map((v) => [v.name, new Float32Array(v.variable.size)]),
    );
    values["encoder_4_bias"][0] = -1;
    model.writeWeights(values);
    const z = model.encode(tf.zeros([1, 63, 63, 1]));
    assert.ok(Math.abs(z.dataSync()[0] - -0.05) < 1e-7);
    z.dispose();
  } finally {
    model.dispose();
  }
});

Deno.test("authorsWeightsFromKeras() refuses another architecture, naming the layer", () => {
  const layer = (name: string, k: number[], b: number[]) => ({
    name,
    weights: [
      { name: "kernel:0", shape: k, data: new Float32Array(k.reduce((a, c) => a * c, 1)) },
      { name: "bias:0", shape: b, data: new Float32Array(b[0]) },
    ],
  });
  const good = authorsLayerShapes().map((s, i) =>
    layer(i < 5 ? `conv2d_${i + 1}` : `conv2d_transpose_${i - 4}`, s.kernel, s.bias)
  );
  const values = authorsWeightsFromKeras({ attributes: {}, layers: good });
  assert.equal(Object.keys(values).length, 20);
  const bad = [...good];
  bad[1] = layer("conv2d_2", [3, 3, 8, 5], [5]);
  assert.throws(
    () => authorsWeightsFromKeras({ attributes: {}, layers: bad }),
    /layer "conv2d_2" kernel has shape \[3,3,8,5\], expected \[3,3,8,4\]/,
  );
  assert.throws(
    () => authorsWeightsFromKeras({ attributes: {}, layers: good.slice(1) }),
    /4 conv and 5 transposed conv layers/,
  );
});

Deno.test({
  name: "the authors' model reconstructs a disk of radius 15 (centre on pixel 31)",
  ignore: AUTHORS_FILE === null,
  async fn() {
    const model = createAuthorsModel();
    try {
      model.writeWeights(authorsWeightsFromKeras(await readKerasWeights(AUTHORS_FILE!)));
      const disk = new ExactDiskRenderer({ size: 63, centre: [31, 31], sigma: 0.5 }).render(15);
      const y = model.reconstruct(tf.tensor4d(disk, [1, 63, 63, 1]));
      const out = y.dataSync();
      y.dispose();
      // Centre inside, corner outside: the code carries the size.
      assert.ok(out[31 * 63 + 31] > 0.5, `centre ${out[31 * 63 + 31]}`);
      assert.ok(out[0] < 0.5, `corner ${out[0]}`);
      assert.equal(authorsConfig().alpha, 0.05);
    } finally {
      model.dispose();
    }
  },
});
