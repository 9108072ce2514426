/**
 * Serialises a figure's data for its `.json` file: typed arrays become plain arrays, float32
 * values are written with the fewest digits that read back to the same float32 (compact and
 * exact), and non-finite numbers become `null`.
 *
 * @module
 */

/** Shortest decimal that rounds back to the same float32 (at most 9 significant digits). */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return s;
  }
  return f;
}

function convert(value: unknown): unknown {
  if (value instanceof Float32Array) return Array.from(value, shortestFloat32);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (x) => Number(x));
  }
  return value;
}

/** Pretty-enough JSON of `data` (two-space indent for objects, arrays of numbers inline). */
export function figureJson(data: unknown): string {
  // Stringify compactly first (typed arrays converted), then indent: numeric arrays of images
  // stay on one line each so the file remains small.
  const plain = JSON.parse(JSON.stringify(data, (_k, v) => convert(v)));
  return stringify(plain, "") + "\n";
}

function stringify(v: unknown, indent: string): string {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== "object")) return JSON.stringify(v);
    const inner = indent + "  ";
    return "[\n" + v.map((x) => inner + stringify(x, inner)).join(",\n") + "\n" + indent + "]";
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    const inner = indent + "  ";
    return "{\n" +
      entries.map(([k, x]) => inner + JSON.stringify(k) + ": " + stringify(x, inner)).join(",\n") +
      "\n" + indent + "}";
  }
  return JSON.stringify(v);
}
