import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { decodeBatched, encodeBatched, loadAutoencoder, reconstructBatched } from "./analysis.ts";
import { initBackend } from "./backend.ts";
import { createAutoencoder } from "./model.ts";
import { createRng } from "./random.ts";
import { TINY } from "./test_fixtures.ts";
import { readWeights, saveWeights } from "./weights_io.ts";

await initBackend("cpu");

const rng = createRng(2);
const X = Float32Array.from({ length: 7 * 256 }, () => rng.next());

Deno.test("encodeBatched(), decodeBatched() and reconstructBatched() equal one big call for any batch size", async () => {
  const m = createAutoencoder(TINY, 5);
  try {
    const [z, y] = tf.tidy(() => {
      const x = tf.tensor(X, [7, 16, 16, 1]);
      return [m.encode(x).dataSync(), m.reconstruct(x).dataSync()];
    });
    for (const batchSize of [1, 3, 500]) {
      assert.deepEqual(await encodeBatched(m, X, { batchSize }), z);
      assert.deepEqual(await reconstructBatched(m, X, { batchSize }), y);
      assert.deepEqual(await decodeBatched(m, await encodeBatched(m, X), { batchSize }), y);
    }
    await assert.rejects(encodeBatched(m, new Float32Array(100)), /whole number/);
  } finally {
    m.dispose();
  }
});

Deno.test("loadAutoencoder() restores a saved model bit-for-bit from its directory or .json", async () => {
  const dir = await Deno.makeTempDir();
  const m = createAutoencoder(TINY, 6);
  try {
    await saveWeights(m, `${dir}/weights.json`, `${dir}/weights.bin`, { note: "test" });
    const header = JSON.parse(await Deno.readTextFile(`${dir}/weights.json`));
    assert.equal(header.format, "autoencoder-weights/1");
    assert.equal(header.note, "test");
    assert.deepEqual(header.config, TINY);
    assert.equal(header.tensors[0].name, "encoder_0_kernel");
    assert.equal((await Deno.stat(`${dir}/weights.bin`)).size, header.byteLength);
    for (
      const source of [dir, `${dir}/weights.json`, {
        json: `${dir}/weights.json`,
        bin: `${dir}/weights.bin`,
      }]
    ) {
      const back = await loadAutoencoder(source);
      try {
        assert.deepEqual(await back.readWeights(), await m.readWeights());
        assert.deepEqual(await reconstructBatched(back, X), await reconstructBatched(m, X));
      } finally {
        back.dispose();
      }
    }
    const w = await readWeights(`${dir}/weights.json`, `${dir}/weights.bin`);
    assert.deepEqual(Object.keys(w.values), m.variables.map((v) => v.name));
    await assert.rejects(loadAutoencoder(`${dir}/nothing`), /Cannot load weights/);
  } finally {
    m.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
