import { strict as assert } from "node:assert";
import { diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { diagramLayers, layerTable, PAPER_DEPTHS, settingsTable } from "./arch.ts";

Deno.test("layerTable() counts the disk autoencoder's parameters from its configuration", () => {
  const t = layerTable(diskAutoencoderConfig());
  assert.equal(t.rows.length, 13);
  // Encoder: 9·(1·8 + 8·4 + 4·4 + 4·3 + 3·2 + 2·1) + (8+4+4+3+2+1) = 9·76 + 22 = 706; the
  // decoder mirrors the kernels and has biases 2+3+4+4+8+1 = 22: 706 again.
  assert.equal(t.rows.at(-1)!.at(-1), 1412);
  const noBias = layerTable(diskAutoencoderConfig({ encoderBias: false, decoderBias: false }));
  assert.equal(noBias.rows.at(-1)!.at(-1), 1368);
});

Deno.test("diagramLayers() draws the input and one box per layer, code z in the middle", () => {
  const layers = diagramLayers(diskAutoencoderConfig());
  assert.equal(layers.length, 13);
  assert.equal(layers[6].name, "code z");
  assert.deepEqual(layers[6].shape, [1, 1, 1]);
  assert.deepEqual(layers.map((l) => (l.shape as number[])[2]).slice(0, 7), [...PAPER_DEPTHS]);
});

Deno.test("settingsTable() shows the training facts it is given", () => {
  const t = settingsTable(diskAutoencoderConfig(), {
    params: { learningRate: 0.001, batchSize: 300 },
    count: 3000,
  });
  const value = (name: string) => t.rows.find((r) => r[0] === name)?.[1];
  assert.equal(value("learning rate"), 0.001);
  assert.equal(value("batch size"), 300);
  assert.equal(value("spatial filter size"), "3×3");
});
