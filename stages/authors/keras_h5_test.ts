import assert from "node:assert/strict";
import h5wasm from "h5wasm";
import { readKerasWeights } from "./keras_h5.ts";
import { AUTHORS_FILE } from "./_test_file.ts";

/** Writes a small Keras-like weights file with h5wasm and returns its bytes. */
async function kerasLikeFile(): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const name = "/written_by_test.h5";
  const f = new h5wasm.File(name, "w");
  f.create_attribute("layer_names", ["input_1", "dense_1"]);
  f.create_attribute("keras_version", "2.2.4");
  f.create_group("input_1");
  const g = f.create_group("dense_1");
  g.create_attribute("weight_names", ["dense_1/kernel:0", "dense_1/bias:0"]);
  g.create_group("dense_1");
  g.create_dataset({
    name: "dense_1/kernel:0",
    data: new Float32Array([1, 2, 3, 4, 5, 6]),
    shape: [2, 3],
  });
  g.create_dataset({ name: "dense_1/bias:0", data: new Float32Array([0.5, -0.5, 0.25]) });
  f.close();
  const bytes = FS!.readFile(name);
  FS!.unlink(name);
  return bytes;
}

Deno.test("readKerasWeights() reads layers, weight names, shapes and values in file order", async () => {
  const path = await Deno.makeTempFile({ suffix: ".h5" });
  try {
    await Deno.writeFile(path, await kerasLikeFile());
    const file = await readKerasWeights(path);
    assert.equal(file.attributes.keras_version, "2.2.4");
    assert.deepEqual(file.layers.map((l) => l.name), ["input_1", "dense_1"]);
    assert.deepEqual(file.layers[0].weights, []);
    const [kernel, bias] = file.layers[1].weights;
    assert.equal(kernel.name, "kernel:0");
    assert.deepEqual(kernel.shape, [2, 3]);
    assert.deepEqual(Array.from(kernel.data), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(bias.data), [0.5, -0.5, 0.25]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readKerasWeights() refuses a file that is not HDF5", async () => {
  const path = await Deno.makeTempFile({ suffix: ".h5" });
  try {
    await Deno.writeTextFile(path, "not hdf5");
    await assert.rejects(() => readKerasWeights(path), /no HDF5 signature/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test({
  name:
    "readKerasWeights() reads the authors' released file: 10 layers with weights, Keras layouts",
  ignore: AUTHORS_FILE === null,
  async fn() {
    const file = await readKerasWeights(AUTHORS_FILE!);
    assert.equal(file.attributes.keras_version, "2.2.4");
    const shapes = Object.fromEntries(
      file.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, w.shape])),
    );
    assert.equal(Object.keys(shapes).length, 20);
    assert.deepEqual(shapes["conv2d_1/kernel:0"], [3, 3, 1, 8]);
    assert.deepEqual(shapes["conv2d_5/kernel:0"], [3, 3, 2, 1]);
    // Conv2DTranspose keeps [kh, kw, out, in]: the first decoder layer takes 1 channel to 2.
    assert.deepEqual(shapes["conv2d_transpose_1/kernel:0"], [3, 3, 2, 1]);
    assert.deepEqual(shapes["conv2d_transpose_5/kernel:0"], [3, 3, 1, 8]);
    // One value as the file stores it (float32): the bias of the code layer.
    const bias = file.layers.find((l) => l.name === "conv2d_5")!.weights[1];
    assert.equal(bias.name, "bias:0");
    assert.equal(bias.data[0], Math.fround(0.049048468470573425));
  },
});
