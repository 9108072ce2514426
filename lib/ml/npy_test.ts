import assert from "node:assert/strict";
import {
  decodeNpy,
  encodeNpy,
  npyHeader,
  readNpy,
  sidecarPath,
  writeNpy,
  writeNpySidecar,
} from "./npy.ts";

// Expected bytes below were produced by numpy.save (NumPy 2.4) for the same arrays.

Deno.test("npyHeader() matches NumPy's header: dict, spare room, padding to 64 bytes", () => {
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 64, 64), }";
  assert.equal(npyHeader("<f4", [3, 64, 64]), dict + " ".repeat(53) + "\n");
  const scalar = "{'descr': '<i4', 'fortran_order': False, 'shape': (), }";
  assert.equal(npyHeader("<i4", []), scalar + " ".repeat(62) + "\n");
  for (const shape of [[7], [1, 2, 3], [123456, 5], []]) {
    assert.equal((10 + npyHeader("<f8", shape).length) % 64, 0);
  }
});

Deno.test("encodeNpy() writes the exact bytes numpy.save writes", () => {
  const bytes = encodeNpy({ data: new Float32Array([1, -2.5]), shape: [2] });
  const hex =
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d" +
    "20".repeat(60) + "0a" + "0000803f" + "000020c0";
  assert.equal(Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""), hex);
});

Deno.test("decodeNpy() round-trips float32, float64 and int32 arrays", () => {
  const f4 = { data: Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1), shape: [2, 3, 4] };
  const f8 = { data: Float64Array.from([Math.PI, -1e300, 5e-324]), shape: [3] };
  const i4 = { data: Int32Array.from([-(2 ** 31), 0, 2 ** 31 - 1, 7]), shape: [2, 2] };
  for (const a of [f4, f8, i4]) {
    const b = decodeNpy(encodeNpy(a));
    assert.deepEqual(b.shape, a.shape);
    assert.equal(b.data.constructor, a.data.constructor);
    assert.deepEqual([...b.data], [...a.data]);
  }
});

Deno.test("decodeNpy() rejects Fortran order and bad magic", () => {
  const fortran = encodeNpy({ data: new Float32Array(4), shape: [2, 2] });
  const at = new TextDecoder("latin1").decode(fortran).indexOf("False");
  fortran.set(new TextEncoder().encode("True "), at);
  assert.throws(() => decodeNpy(fortran), /Fortran/);
  assert.throws(() => decodeNpy(new Uint8Array(20)), /magic/);
});

Deno.test("encodeNpy() refuses a shape that does not match the data", () => {
  assert.throws(() => encodeNpy({ data: new Float32Array(5), shape: [2, 2] }), /shape/);
});

Deno.test("writeNpy() and writeNpySidecar() write files beside each other", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/images.npy`;
    await writeNpy(path, { data: new Float32Array([1, 2, 3]), shape: [3] });
    const side = await writeNpySidecar(path, { b: 2, a: [1, { d: 1, c: 0 }] });
    assert.equal(side, `${dir}/images.json`);
    assert.equal(sidecarPath("x/y.npy"), "x/y.json");
    assert.equal(
      await Deno.readTextFile(side),
      '{\n  "a": [\n    1,\n    {\n      "c": 0,\n      "d": 1\n    }\n  ],\n  "b": 2\n}\n',
    );
    assert.deepEqual([...(await readNpy(path)).data], [1, 2, 3]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
