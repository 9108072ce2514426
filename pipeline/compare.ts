/**
 * Comparing a rerun's output file with the cached one: bit-identical, within tolerance
 * (arrays numerically, PNGs by pixels, JSON numbers by value), or divergent.
 *
 * @module
 */
import { extname } from "node:path";
import { inflateSync } from "node:zlib";

/** The verdict on one file. */
export type FileVerdict = "identical" | "within-tolerance" | "divergent";

/** Relative tolerance for arrays and JSON numbers; PNG channels may differ by `PNG_TOL`. */
export const REL_TOL = 1e-4;
/** Largest per-channel difference (of 255) for PNGs within tolerance. */
export const PNG_TOL = 2;

/** Compares two versions of a file; `detail` says by how much they differ. */
export function compareFiles(
  name: string,
  a: Uint8Array,
  b: Uint8Array,
): { verdict: FileVerdict; detail: string } {
  if (a.length === b.length && a.every((x, i) => x === b[i])) {
    return { verdict: "identical", detail: "" };
  }
  try {
    const ext = extname(name);
    if (ext === ".npy") return closeArrays(parseNpy(a), parseNpy(b));
    if (ext === ".png") {
      const pa = decodePng(a), pb = decodePng(b);
      if (pa.width !== pb.width || pa.height !== pb.height) {
        return {
          verdict: "divergent",
          detail: `size ${pa.width}×${pa.height} vs ${pb.width}×${pb.height}`,
        };
      }
      let max = 0;
      for (let i = 0; i < pa.pixels.length; i++) {
        max = Math.max(max, Math.abs(pa.pixels[i] - pb.pixels[i]));
      }
      return {
        verdict: max <= PNG_TOL ? "within-tolerance" : "divergent",
        detail: `max pixel difference ${max}`,
      };
    }
    if (ext === ".json") {
      const na: number[] = [], nb: number[] = [];
      const sa = flatten(JSON.parse(new TextDecoder().decode(a)), na);
      const sb = flatten(JSON.parse(new TextDecoder().decode(b)), nb);
      if (sa !== sb || na.length !== nb.length) {
        return { verdict: "divergent", detail: "structure or text differs" };
      }
      return closeArrays({ shape: [na.length], data: na }, { shape: [nb.length], data: nb });
    }
  } catch (e) {
    return { verdict: "divergent", detail: `cannot compare: ${(e as Error).message}` };
  }
  return { verdict: "divergent", detail: "content differs" };
}

function closeArrays(
  a: { shape: number[]; data: ArrayLike<number> },
  b: { shape: number[]; data: ArrayLike<number> },
): { verdict: FileVerdict; detail: string } {
  if (a.shape.join() !== b.shape.join()) {
    return { verdict: "divergent", detail: `shape ${a.shape} vs ${b.shape}` };
  }
  let maxDiff = 0, scale = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i], y = b.data[i];
    if (Number.isNaN(x) !== Number.isNaN(y)) {
      return { verdict: "divergent", detail: "NaN in one only" };
    }
    if (Number.isNaN(x)) continue;
    maxDiff = Math.max(maxDiff, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(x), Math.abs(y));
  }
  const rel = scale ? maxDiff / scale : maxDiff;
  return {
    verdict: rel <= REL_TOL ? "within-tolerance" : "divergent",
    detail: `max difference ${maxDiff.toExponential(2)} (relative ${rel.toExponential(2)})`,
  };
}

/** Replaces every number by a placeholder, collecting the numbers in order. */
function flatten(v: unknown, nums: number[]): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "number") {
      nums.push(x);
      return "#";
    }
    return x;
  });
}

/** Parses a `.npy` file of float32/float64/int32 (little-endian, C order). */
export function parseNpy(bytes: Uint8Array): { shape: number[]; data: ArrayLike<number> } {
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== "NUMPY") {
    throw new Error("not a .npy file");
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "").split(",").map((s) => s.trim())
    .filter(Boolean).map(Number);
  const body = bytes.slice(start + hlen);
  const data = descr === "<f4"
    ? new Float32Array(body.buffer)
    : descr === "<f8"
    ? new Float64Array(body.buffer)
    : descr === "<i4"
    ? new Int32Array(body.buffer)
    : null;
  if (!data) throw new Error(`unsupported dtype ${descr}`);
  return { shape, data };
}

/** Decodes an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA) to its raw samples. */
export function decodePng(
  bytes: Uint8Array,
): { width: number; height: number; channels: number; pixels: Uint8Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8, width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  while (off < bytes.length) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const data = bytes.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = dv.getUint32(off + 8);
      height = dv.getUint32(off + 12);
      const depth = data[8], color = data[9], interlace = data[12];
      if (depth !== 8 || interlace !== 0) throw new Error("only 8-bit non-interlaced PNGs");
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[color] ?? 0;
      if (!channels) throw new Error(`unsupported PNG colour type ${color}`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  const raw = new Uint8Array(inflateSync(concat(idat)));
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      let p = line[x];
      if (f === 1) p += a;
      else if (f === 2) p += b;
      else if (f === 3) p += (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = p & 255;
    }
  }
  return { width, height, channels, pixels: out };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
