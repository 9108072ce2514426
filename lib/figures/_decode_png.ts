/**
 * A minimal PNG decoder for tests only (8-bit grey, RGB, RGBA; no interlacing; every filter
 * type), written independently of the encoder so that each checks the other. It verifies the
 * CRC of every chunk.
 *
 * @module
 */

import { inflateSync } from "node:zlib";
import { crc32 } from "./png.ts";

/** A decoded PNG. */
export interface DecodedPng {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bytes per pixel (1, 3 or 4). */
  channels: number;
  /** Pixel bytes, row-major. */
  data: Uint8Array;
  /** Chunk types in file order. */
  chunks: string[];
}

/** Decodes PNG bytes; throws on a bad signature, CRC, or an unsupported format. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error("bad PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 8, width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [], chunks: string[] = [];
  while (o < bytes.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const body = bytes.subarray(o + 8, o + 8 + len);
    const crc = view.getUint32(o + 8 + len);
    if (crc !== crc32(bytes.subarray(o + 4, o + 8 + len))) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === "IHDR") {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      const depth = body[8], colorType = body[9], interlace = body[12];
      if (depth !== 8 || interlace !== 0) throw new Error("unsupported PNG format");
      channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colorType] ?? 0;
      if (!channels) throw new Error(`unsupported colour type ${colorType}`);
    } else if (type === "IDAT") idat.push(body);
    o += 12 + len;
  }
  const all = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let k = 0;
  for (const c of idat) all.set(c, k), k += c.length;
  const raw = new Uint8Array(inflateSync(all));
  const stride = width * channels, bpp = channels;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? data[y * stride + i - bpp] : 0;
      const b = y > 0 ? data[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? data[(y - 1) * stride + i - bpp] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`bad filter ${f}`);
      data[y * stride + i] = (src[i] + pred) & 0xff;
    }
  }
  return { width, height, channels, data, chunks };
}

/** The pixel at (x, y) as an array of channel bytes. */
export function pixelAt(png: DecodedPng, x: number, y: number): number[] {
  const o = (y * png.width + x) * png.channels;
  return Array.from(png.data.subarray(o, o + png.channels));
}
