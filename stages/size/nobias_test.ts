import { strict as assert } from "node:assert";
import { decodeBatched } from "../../lib/ml/analysis.ts";
import { initBackend } from "../../lib/ml/backend.ts";
import { createAutoencoder, diskAutoencoderConfig } from "../../lib/ml/model.ts";
import { homogeneityError, signCounts } from "./nobias.ts";

Deno.test("signCounts() counts positive, negative and zero values", () => {
  assert.deepEqual(signCounts([1, -2, 0, 3, -0]), { positive: 2, negative: 1, zero: 2 });
});

Deno.test("homogeneityError() is the largest per-image deviation relative to max |λD(z)|", () => {
  // Two images of 2 pixels; λ = 2. Image 0 exact; image 1 off by 0.1 where max |λD| = 4.
  const base = Float32Array.from([1, -1, 2, 0]);
  const scaled = Float32Array.from([2, -2, 4.1, 0]);
  const e = homogeneityError(scaled, base, 2, 2);
  assert.ok(Math.abs(e.maxRelative - 0.1 / 4) < 1e-6);
  assert.equal(e.compared, 2);
  // A pair of all-zero images is skipped; a zero base with a non-zero scaled output is infinite.
  assert.equal(homogeneityError(new Float32Array(2), new Float32Array(2), 3, 2).compared, 0);
  assert.equal(
    homogeneityError(Float32Array.from([1, 0]), new Float32Array(2), 3, 2).maxRelative,
    Infinity,
  );
});

Deno.test("homogeneityError() separates a decoder without biases from one with biases", async () => {
  await initBackend("cpu");
  const z = Float32Array.from([0.7, -1.3, 2.1]);
  for (const [bias, small] of [[false, true], [true, false]] as const) {
    const model = createAutoencoder(
      diskAutoencoderConfig({ encoderBias: bias, decoderBias: bias }),
      5,
    );
    try {
      // Non-zero biases: the freshly built model has zero ones.
      if (bias) {
        const w = await model.readWeights();
        for (const name of Object.keys(w)) {
          if (name.endsWith("_bias")) w[name] = w[name].map(() => 0.1);
        }
        model.writeWeights(w);
      }
      const base = await decodeBatched(model, z);
      const scaled = await decodeBatched(model, z.map((v) => v * 3.1));
      const e = homogeneityError(scaled, base, 3.1, 64 * 64).maxRelative;
      assert.equal(e <= 1e-5, small, `bias ${bias}: relative error ${e}`);
    } finally {
      model.dispose();
    }
  }
});
