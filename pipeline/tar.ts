/**
 * A minimal tar (POSIX ustar, with pax headers for long paths) writer and reader, gzipped,
 * so exported results open with any `tar xzf`.
 *
 * @module
 */
import { gunzipSync, gzipSync } from "node:zlib";

const enc = new TextEncoder();
const dec = new TextDecoder();

function header(name: string, size: number, type: string): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, off: number, len: number) => h.set(enc.encode(s).subarray(0, len), off);
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12); // mtime 0: the same files give the same archive
  put("        ", 148, 8);
  put(type, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

function pad(n: number): Uint8Array {
  return new Uint8Array((512 - (n % 512)) % 512);
}

/** Packs files (path → bytes) into a gzipped tar. */
export function packTarGz(files: ReadonlyArray<[string, Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [path, data] of files) {
    if (enc.encode(path).length > 99) {
      // pax record "<len> path=<path>\n", where <len> counts itself.
      const body = ` path=${path}\n`;
      let len = body.length + 1;
      while (`${len}${body}`.length !== len) len++;
      const rec = enc.encode(`${len}${body}`);
      parts.push(header("pax", rec.length, "x"), rec, pad(rec.length));
    }
    parts.push(header(path.slice(0, 99), data.length, "0"), data, pad(data.length));
  }
  parts.push(new Uint8Array(1024));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return gzipSync(out);
}

/** Unpacks a gzipped tar into (path, bytes) pairs; throws on a malformed archive. */
export function unpackTarGz(gz: Uint8Array): Array<[string, Uint8Array]> {
  const buf = new Uint8Array(gunzipSync(gz));
  const out: Array<[string, Uint8Array]> = [];
  let off = 0;
  let longName: string | null = null;
  let ended = false;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const str = (a: number, l: number) => dec.decode(h.subarray(a, a + l)).replace(/\0.*$/s, "");
    const size = parseInt(str(124, 12).trim() || "0", 8);
    const type = str(156, 1) || "0";
    if (!Number.isFinite(size)) throw new Error("malformed tar header");
    const data = buf.subarray(off + 512, off + 512 + size);
    if (data.length !== size) throw new Error("truncated tar archive");
    off += 512 + size + ((512 - (size % 512)) % 512);
    if (type === "x") {
      const m = /\d+ path=([^\n]*)\n/.exec(dec.decode(data));
      longName = m ? m[1] : null;
    } else if (type === "0") {
      const prefix = str(345, 155);
      out.push([longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100)), data.slice()]);
      longName = null;
    }
  }
  // Cut at a file boundary, an archive would still parse: its end marker says it is whole.
  if (!ended) throw new Error("truncated tar archive (no end marker)");
  return out;
}
