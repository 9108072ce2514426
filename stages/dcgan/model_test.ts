import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/ml/backend.ts";
import {
  createDcgan,
  dcganConfig,
  dcganTensorSpecs,
  forwardMacs,
  parameterCounts,
  validateDcganConfig,
} from "./model.ts";

await initBackend("cpu");

/** A 16×16 DCGAN with two stride-2 layers per network. */
const TINY = dcganConfig(2, {
  imageSize: 16,
  generatorWidths: [4, 2],
  discriminatorWidths: [2, 4],
  kernelSize: 4,
});

Deno.test("createDcgan() builds the iGAN layout with the documented shapes", () => {
  const names = dcganTensorSpecs(TINY).map((s) => `${s.name}:${s.shape.join("x")}`);
  assert.deepEqual(names, [
    "g_dense_kernel:1x64", // z → 4×4×4 units
    "g_bn0_gain:64",
    "g_bn0_bias:64",
    "g_bn0_mean:64",
    "g_bn0_variance:64",
    "g_conv1_kernel:4x4x2x4",
    "g_bn1_gain:2",
    "g_bn1_bias:2",
    "g_bn1_mean:2",
    "g_bn1_variance:2",
    "g_out_kernel:4x4x1x2",
    "d_conv0_kernel:4x4x1x2",
    "d_conv1_kernel:4x4x2x4",
    "d_bn1_gain:4",
    "d_bn1_bias:4",
    "d_dense_kernel:64x1",
  ]);
  const m = createDcgan(TINY, 1);
  try {
    const z = tf.tensor2d([[-1], [0], [0.5]]);
    const x = m.generate(z, "batch");
    assert.deepEqual(x.shape, [3, 16, 16, 1]);
    const l = m.discriminate(x);
    assert.deepEqual(l.shape, [3, 1]);
    tf.dispose([z, x, l]);
  } finally {
    m.dispose();
  }
});

Deno.test("createDcgan() draws N(0, 0.02²) kernels and N(1, 0.02²) gains from the seed", async () => {
  const big = dcganConfig(8, {
    imageSize: 32,
    generatorWidths: [64, 32, 16],
    discriminatorWidths: [16, 32, 64],
  });
  const a = createDcgan(big, 7), b = createDcgan(big, 7), c = createDcgan(big, 8);
  try {
    const [wa, wb, wc] = await Promise.all([a.readWeights(), b.readWeights(), c.readWeights()]);
    for (const k of Object.keys(wa)) assert.deepEqual(wa[k], wb[k], `${k} is reproducible`);
    assert.notDeepEqual(wa.g_conv1_kernel, wc.g_conv1_kernel);
    const k = wa.g_conv1_kernel;
    const mean = k.reduce((s, v) => s + v, 0) / k.length;
    const sd = Math.sqrt(k.reduce((s, v) => s + (v - mean) ** 2, 0) / k.length);
    assert.ok(Math.abs(mean) < 0.002 && Math.abs(sd - 0.02) < 0.002, `mean ${mean}, sd ${sd}`);
    const g = wa.g_bn1_gain;
    assert.ok(Math.abs(g.reduce((s, v) => s + v, 0) / g.length - 1) < 0.01);
    assert.ok(wa.g_bn1_bias.every((v) => v === 0) && wa.g_bn1_variance.every((v) => v === 1));
  } finally {
    a.dispose(), b.dispose(), c.dispose();
  }
});

Deno.test("generate() in batch mode normalises each unit of the dense layer over the batch", async () => {
  // With d = 1, BN(z·w_j) ≈ sign(w_j)·(z − z̄)/σ_z: the image depends on the batch's z only
  // through z − z̄ and its spread.
  const m = createDcgan(TINY, 3);
  try {
    // Same spread, shifted: identical images (ε enters only through the variance, unchanged).
    const z1 = tf.tensor2d([[-1], [0], [1]]), z2 = tf.tensor2d([[-0.3], [0.7], [1.7]]);
    const [a, b] = [m.generate(z1, "batch"), m.generate(z2, "batch")];
    const [da, db] = [await a.data(), await b.data()];
    let diff = 0;
    for (let i = 0; i < da.length; i++) diff = Math.max(diff, Math.abs(da[i] - db[i]));
    assert.ok(diff < 1e-5, `max difference ${diff}`);
    tf.dispose([z1, z2, a, b]);
  } finally {
    m.dispose();
  }
});

Deno.test("estimatePopulationStatistics() makes population mode equal batch mode on that set", async () => {
  const m = createDcgan(TINY, 4);
  try {
    const z = tf.tensor2d([[-0.9], [-0.3], [0.1], [0.4], [0.8]]);
    const before = m.generate(z, "batch");
    m.estimatePopulationStatistics(z);
    const after = m.generate(z, "population");
    const [b, a] = [await before.data(), await after.data()];
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    assert.ok(diff < 1e-5, `max difference ${diff}`);
    // A single code now has a well-defined image (no batch statistics).
    const one = m.generate(tf.tensor2d([[0.1]]), "population");
    const oneData = await one.data();
    for (let p = 0; p < oneData.length; p++) {
      assert.ok(Math.abs(oneData[p] - a[2 * 256 + p]) < 1e-5);
    }
    tf.dispose([z, before, after, one]);
  } finally {
    m.dispose();
  }
});

Deno.test("generate() maps tanh outputs to [0, 1] and discriminate() back to [−1, 1]", async () => {
  const m = createDcgan({ ...TINY, outputActivation: "tanh" }, 5);
  try {
    const x = m.generate(tf.tensor2d([[-1], [1]]), "batch");
    const v = await x.data();
    assert.ok(v.every((u) => u >= 0 && u <= 1));
    x.dispose();
  } finally {
    m.dispose();
  }
});

Deno.test("writeWeights() round-trips and rejects wrong sizes", async () => {
  const a = createDcgan(TINY, 1), b = createDcgan(TINY, 2);
  try {
    const w = await a.readWeights();
    b.writeWeights(w);
    const wb = await b.readWeights();
    for (const k of Object.keys(w)) assert.deepEqual(wb[k], w[k]);
    assert.throws(
      () => b.writeWeights({ ...w, g_out_kernel: new Float32Array(3) }),
      /Cannot load DCGAN tensor "g_out_kernel"/,
    );
  } finally {
    a.dispose(), b.dispose();
  }
});

Deno.test("validateDcganConfig() rejects impossible architectures", () => {
  assert.throws(
    () => validateDcganConfig(dcganConfig(4, { discriminatorWidths: [4, 8] })),
    /differ in depth/,
  );
  assert.throws(() => validateDcganConfig(dcganConfig(4, { imageSize: 60 })), /not divisible/);
});

Deno.test("parameterCounts() and forwardMacs() follow the layer shapes", () => {
  const c = dcganConfig(4, { kernelSize: 4 });
  // G: dense 1·512 + BN 2·512; convT 16·32·16 + 2·16; 16·16·8 + 2·8; 16·8·4 + 2·4; out 16·4.
  assert.equal(parameterCounts(c).generator, 512 + 1024 + 8192 + 32 + 2048 + 16 + 512 + 8 + 64);
  // D: 16·1·4; 16·4·8 + 2·8; 16·8·16 + 2·16; 16·16·32 + 2·32; dense 4·4·32.
  assert.equal(parameterCounts(c).discriminator, 64 + 512 + 16 + 2048 + 32 + 8192 + 64 + 512);
  const macs = forwardMacs(c);
  assert.equal(
    macs.generator,
    512 + 16 * 32 * 16 * 16 + 64 * 16 * 8 * 16 + 256 * 8 * 4 * 16 + 1024 * 4 * 16,
  );
  assert.equal(
    macs.discriminator,
    1024 * 4 * 16 + 256 * 4 * 8 * 16 + 64 * 8 * 16 * 16 + 16 * 16 * 32 * 16 + 512,
  );
});
