/**
 * NumPy `.npy` files, format version 1.0, so that datasets and weights can be opened with
 * `numpy.load` elsewhere. Little-endian, C order; element types `<f4` (float32), `<f8`
 * (float64) and `<i4` (int32).
 *
 * Layout: the magic `\x93NUMPY`, the version bytes `1 0`, a little-endian uint16 header
 * length, then an ASCII Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 64, 64), }` padded with spaces and
 * ended by `\n` so that magic + length + header is a multiple of 64 bytes (NumPy's
 * alignment, with NumPy's spare room for the first axis), then the raw data. The bytes are
 * those `numpy.save` (2.x) writes for the same array.
 *
 * @module
 */

/** The element types this module reads and writes. */
export type NpyDtype = "<f4" | "<f8" | "<i4";

/** A typed array matching one of {@linkcode NpyDtype}. */
export type NpyData = Float32Array | Float64Array | Int32Array;

/** An array read from or written to a `.npy` file. */
export interface NpyArray<T extends NpyData = NpyData> {
  /** The values in C (row-major) order. */
  data: T;
  /** The shape; `[]` for a scalar. */
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  return "<i4";
}

function shapeLiteral(shape: readonly number[]): string {
  if (shape.length === 0) return "()";
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/** The header string (dict literal, padding and final newline) NumPy 1.0 files carry. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): string {
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  // NumPy (>= 1.24) leaves room for the first axis to grow to 21 digits in place.
  if (shape.length > 0) {
    dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  }
  // 10 bytes of preamble (magic 6, version 2, length 2), then the dict, spaces, newline.
  const unpadded = 10 + dict.length + 1;
  const pad = (ALIGN - (unpadded % ALIGN)) % ALIGN;
  return dict + " ".repeat(pad) + "\n";
}

/** Encodes an array as the bytes of a `.npy` file (version 1.0, little-endian, C order). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { data, shape } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(
      `Cannot encode npy of shape [${shape}]: it holds ${count} values but the data has ${data.length}; fix the shape`,
    );
  }
  const header = npyHeader(dtypeOf(data), shape);
  if (header.length > 0xffff) {
    throw new Error(`Cannot encode npy of shape [${shape}]: header too long for format 1.0`);
  }
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >>> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
    return out;
  }
  const view = new DataView(out.buffer, 10 + header.length);
  // Big-endian host: write element by element through a DataView to get little-endian bytes.
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  } else if (data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
  } else {
    for (let i = 0; i < data.length; i++) view.setInt32(4 * i, data[i], true);
  }
  return out;
}

/** Decodes the bytes of a `.npy` file (version 1.x or 2.x, C order, `<f4`, `<f8` or `<i4`). */
export function decodeNpy(bytes: Uint8Array, name = "array"): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new Error(
        `Cannot read npy "${name}": missing the \\x93NUMPY magic; is it a .npy file?`,
      );
    }
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number, start: number;
  if (major === 1) {
    headerLength = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLength = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`Cannot read npy "${name}": unknown format version ${major}`);
  }
  const header = new TextDecoder("latin1").decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`Cannot read npy "${name}": malformed header ${JSON.stringify(header)}`);
  }
  if (fortran === "True") {
    throw new Error(`Cannot read npy "${name}": Fortran order is not supported; save in C order`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  const body = new DataView(bytes.buffer, bytes.byteOffset + dataStart);
  const size = descr === "<f8" ? 8 : 4;
  if (bytes.byteLength - dataStart < count * size) {
    throw new Error(
      `Cannot read npy "${name}": truncated, ${
        bytes.byteLength - dataStart
      } data bytes for shape [${shape}]`,
    );
  }
  let data: NpyData;
  if (LITTLE_ENDIAN_HOST && (descr === "<f4" || descr === "<f8" || descr === "<i4")) {
    // Copy into a fresh, aligned buffer (the data offset need not be a multiple of 8).
    const raw = bytes.slice(dataStart, dataStart + count * size).buffer;
    return {
      data: descr === "<f4"
        ? new Float32Array(raw)
        : descr === "<f8"
        ? new Float64Array(raw)
        : new Int32Array(raw),
      shape,
    };
  }
  if (descr === "<f4") {
    const a = new Float32Array(count);
    for (let i = 0; i < count; i++) a[i] = body.getFloat32(4 * i, true);
    data = a;
  } else if (descr === "<f8") {
    const a = new Float64Array(count);
    for (let i = 0; i < count; i++) a[i] = body.getFloat64(8 * i, true);
    data = a;
  } else if (descr === "<i4") {
    const a = new Int32Array(count);
    for (let i = 0; i < count; i++) a[i] = body.getInt32(4 * i, true);
    data = a;
  } else {
    throw new Error(
      `Cannot read npy "${name}": dtype ${descr} is not supported; use <f4, <f8 or <i4`,
    );
  }
  return { data, shape };
}

/** Writes an array to a `.npy` file. */
export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await Deno.writeFile(path, encodeNpy(array));
}

/** Reads a `.npy` file. */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await Deno.readFile(path), path);
}

/** Reads a `.npy` file that must hold float32 values (`<f4`); other float types are converted. */
export async function readNpyFloat32(path: string): Promise<NpyArray<Float32Array>> {
  const a = await readNpy(path);
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  return { data, shape: a.shape };
}

/** The path of the JSON sidecar of a `.npy` file: `images.npy` → `images.json`. */
export function sidecarPath(npyPath: string): string {
  return npyPath.endsWith(".npy") ? npyPath.slice(0, -4) + ".json" : npyPath + ".json";
}

/**
 * Writes the JSON sidecar of a `.npy` file (`<name>.json` beside `<name>.npy`): the
 * parameters that produced the array, pretty-printed with sorted keys so equal parameters
 * give equal bytes.
 */
export async function writeNpySidecar(npyPath: string, meta: unknown): Promise<string> {
  const path = sidecarPath(npyPath);
  await Deno.writeTextFile(path, stableJson(meta) + "\n");
  return path;
}

/** JSON with object keys sorted at every level and two-space indentation. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      out[k] = sortKeys((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}
