/**
 * Text widths measured from the advance widths of DejaVu Sans itself (its `cmap` and `hmtx`
 * tables), so that layouts (ours and vega's) reserve exactly the room the text will take when
 * resvg draws it. Kerning is ignored: it changes widths by a pixel or so at our sizes.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { type FontFace, fontPath } from "./font.ts";

/** Advance widths of one face, in em units (1 = font size), by code point. */
interface Metrics {
  advance(codePoint: number): number;
}

const cache = new Map<FontFace, Metrics>();

/** Parses the tables needed for advance widths from a TrueType file. */
export function parseAdvanceWidths(bytes: Uint8Array): (codePoint: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o);
  const i16 = (o: number) => view.getInt16(o);
  const u32 = (o: number) => view.getUint32(o);
  const tables = new Map<string, number>();
  const numTables = u16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    const tag = String.fromCharCode(...bytes.subarray(rec, rec + 4));
    tables.set(tag, u32(rec + 8));
  }
  const need = (tag: string): number => {
    const off = tables.get(tag);
    if (off === undefined) {
      throw new Error(`Cannot read font: table "${tag}" is missing; fix: use a TrueType font`);
    }
    return off;
  };
  const unitsPerEm = u16(need("head") + 18);
  const numberOfHMetrics = u16(need("hhea") + 34);
  const hmtx = need("hmtx");
  const advanceOfGlyph = (g: number) =>
    u16(hmtx + 4 * Math.min(g, numberOfHMetrics - 1)) / unitsPerEm;

  // cmap: prefer a full-Unicode format-12 subtable, else the BMP format-4 one.
  const cmap = need("cmap");
  let fmt4 = -1, fmt12 = -1;
  for (let i = 0; i < u16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = u16(rec), encoding = u16(rec + 2);
    const sub = cmap + u32(rec + 4);
    const format = u16(sub);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && fmt12 < 0) fmt12 = sub;
    if (format === 4 && fmt4 < 0) fmt4 = sub;
  }
  const glyphOf = (c: number): number => {
    if (fmt12 >= 0) {
      const groups = u32(fmt12 + 12);
      for (let i = 0; i < groups; i++) {
        const g = fmt12 + 16 + 12 * i;
        if (c >= u32(g) && c <= u32(g + 4)) return u32(g + 8) + (c - u32(g));
      }
      return 0;
    }
    if (fmt4 >= 0 && c <= 0xffff) {
      const segCount = u16(fmt4 + 6) / 2;
      const ends = fmt4 + 14, starts = ends + 2 * segCount + 2;
      const deltas = starts + 2 * segCount, offsets = deltas + 2 * segCount;
      for (let i = 0; i < segCount; i++) {
        if (c > u16(ends + 2 * i)) continue;
        const start = u16(starts + 2 * i);
        if (c < start) return 0;
        const ro = u16(offsets + 2 * i);
        if (ro === 0) return (c + i16(deltas + 2 * i)) & 0xffff;
        const g = u16(offsets + 2 * i + ro + 2 * (c - start));
        return g === 0 ? 0 : (g + i16(deltas + 2 * i)) & 0xffff;
      }
    }
    return 0;
  };
  return (c: number) => advanceOfGlyph(glyphOf(c));
}

function metrics(face: FontFace): Metrics {
  let m = cache.get(face);
  if (!m) {
    const lookup = parseAdvanceWidths(readFileSync(fontPath(face)));
    const widths = new Map<number, number>();
    m = {
      advance(c) {
        let w = widths.get(c);
        if (w === undefined) widths.set(c, w = lookup(c));
        return w;
      },
    };
    cache.set(face, m);
  }
  return m;
}

/** True for the CSS weights that select the bold face. */
export function isBold(weight: string | number | undefined | null): boolean {
  if (weight === undefined || weight === null) return false;
  if (typeof weight === "number") return weight >= 600;
  return weight === "bold" || weight === "bolder" || Number(weight) >= 600;
}

/**
 * Width in pixels of `text` set in DejaVu Sans at `fontSize` pixels (one line, no kerning).
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const m = metrics(bold ? "bold" : "regular");
  let w = 0;
  for (const ch of text) w += m.advance(ch.codePointAt(0)!);
  return w * fontSize;
}
