import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { compareFiles, decodePng, parseNpy } from "./compare.ts";

function npy(values: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${values.length},), }`;
  while ((10 + header.length + 1) % 64) header += " ";
  header += "\n";
  const out = new Uint8Array(10 + header.length + 4 * values.length);
  out.set([
    0x93,
    ...new TextEncoder().encode("NUMPY"),
    1,
    0,
    header.length & 255,
    header.length >> 8,
  ]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(new Float32Array(values).buffer), 10 + header.length);
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function greyPng(w: number, h: number, px: number[]): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = new Uint8Array(h * (w + 1));
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = y % 2 ? 2 : 1; // exercise the Up and Sub filters
    for (let x = 0; x < w; x++) {
      const v = px[y * w + x], left = x ? px[y * w + x - 1] : 0, up = y ? px[(y - 1) * w + x] : 0;
      raw[y * (w + 1) + 1 + x] = (v - (y % 2 ? up : left)) & 255;
    }
  }
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

Deno.test("compareFiles() tells identical, within tolerance and divergent arrays apart", () => {
  assert.deepEqual(Array.from(parseNpy(npy([1, 2, 3])).data), [1, 2, 3]);
  assert.equal(compareFiles("a.npy", npy([1, 2, 3]), npy([1, 2, 3])).verdict, "identical");
  assert.equal(
    compareFiles("a.npy", npy([1, 2, 3]), npy([1, 2, 3.00001])).verdict,
    "within-tolerance",
  );
  assert.equal(compareFiles("a.npy", npy([1, 2, 3]), npy([1, 2, 3.1])).verdict, "divergent");
  assert.equal(
    compareFiles(
      "a.json",
      new TextEncoder().encode('{"x":1}'),
      new TextEncoder().encode('{"x":1.00000001}'),
    ).verdict,
    "within-tolerance",
  );
  assert.equal(
    compareFiles("a.json", new TextEncoder().encode('{"x":1}'), new TextEncoder().encode('{"y":1}'))
      .verdict,
    "divergent",
  );
  assert.equal(
    compareFiles("a.svg", new TextEncoder().encode("<a/>"), new TextEncoder().encode("<b/>"))
      .verdict,
    "divergent",
  );
});

Deno.test("decodePng() undoes PNG filters; compareFiles() compares PNGs by pixels", () => {
  const px = Array.from({ length: 12 }, (_, i) => (i * 37) % 256);
  const d = decodePng(greyPng(4, 3, px));
  assert.deepEqual([d.width, d.height, d.channels], [4, 3, 1]);
  assert.deepEqual(Array.from(d.pixels), px);
  const near = px.map((v, i) => (i === 5 ? Math.min(255, v + 1) : v));
  assert.equal(
    compareFiles("f.png", greyPng(4, 3, px), greyPng(4, 3, near)).verdict,
    "within-tolerance",
  );
  const far = px.map((v, i) => (i === 5 ? (v + 100) % 256 : v));
  assert.equal(compareFiles("f.png", greyPng(4, 3, px), greyPng(4, 3, far)).verdict, "divergent");
});
