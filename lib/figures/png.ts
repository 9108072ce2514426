/**
 * A small PNG encoder (8-bit grey, RGB and RGBA, no interlacing) so that image figures are
 * written without any native image library. Compression is `node:zlib`'s deflate; CRC-32 is
 * computed here.
 *
 * @module
 */

import { deflateSync } from "node:zlib";

/** An 8-bit raster: `channels` bytes per pixel, rows top to bottom, no padding. */
export interface Raster {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  /** `width * height * channels` bytes. */
  data: Uint8Array;
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) lookup table. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes` as PNG chunks use it (unsigned 32-bit). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
const COLOR_TYPE: Record<1 | 3 | 4, number> = { 1: 0, 3: 2, 4: 6 };

/** One chunk: length, type, data, CRC of type+data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Filters every row, choosing among None, Sub and Up the one with the smallest sum of
 * absolute (signed-byte) residuals: the usual heuristic, cheap and deterministic.
 */
function filterRows(r: Raster): Uint8Array {
  const stride = r.width * r.channels, bpp = r.channels;
  const out = new Uint8Array((stride + 1) * r.height);
  const cand = [new Uint8Array(stride), new Uint8Array(stride), new Uint8Array(stride)];
  for (let y = 0; y < r.height; y++) {
    const row = r.data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? r.data.subarray((y - 1) * stride, y * stride) : null;
    let best = 0, bestCost = Infinity;
    for (let f = 0; f < 3; f++) {
      const c = cand[f];
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const pred = f === 1 ? (i >= bpp ? row[i - bpp] : 0) : f === 2 ? (prev ? prev[i] : 0) : 0;
        const v = (row[i] - pred) & 0xff;
        c[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) best = f, bestCost = cost;
    }
    // Filter type bytes: 0 None, 1 Sub, 2 Up (same numbering as our candidates).
    out[y * (stride + 1)] = best;
    out.set(cand[best], y * (stride + 1) + 1);
  }
  return out;
}

/** Encodes a raster as PNG bytes. Throws when the data length does not match. */
export function encodePng(r: Raster): Uint8Array {
  if (!Number.isInteger(r.width) || !Number.isInteger(r.height) || r.width < 1 || r.height < 1) {
    throw new Error(
      `Cannot encode PNG of size "${r.width}x${r.height}": sides must be positive integers; ` +
        `fix: pass integer dimensions`,
    );
  }
  if (r.data.length !== r.width * r.height * r.channels) {
    throw new Error(
      `Cannot encode PNG "${r.width}x${r.height}x${r.channels}": data has ${r.data.length} ` +
        `bytes, expected ${r.width * r.height * r.channels}; fix: pass width*height*channels bytes`,
    );
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, r.width);
  v.setUint32(4, r.height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[r.channels];
  // compression 0, filter method 0, interlace 0: already zero.
  const idat = new Uint8Array(deflateSync(filterRows(r), { level: 9 }));
  const parts = [
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), o += p.length;
  return out;
}

/** A `data:image/png;base64,...` URI of the raster (for embedding in SVG). */
export function pngDataUri(r: Raster): string {
  const bytes = encodePng(r);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return "data:image/png;base64," + btoa(bin);
}
