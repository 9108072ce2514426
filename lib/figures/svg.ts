/**
 * Small builders for the hand-written SVGs (image grids, heatmaps, tables, diagrams):
 * escaping, compact deterministic number formatting, text placed with our own baseline
 * arithmetic (renderers disagree on `dominant-baseline`), and the document wrapper.
 *
 * @module
 */

import { COLOR, FONT } from "./theme.ts";

/** Escapes text for SVG/XML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A coordinate written with at most 2 decimals, no trailing zeros, never `-0`. */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

/** Options of one text element. */
export interface TextOptions {
  /** Font size in px. */
  size: number;
  /** Horizontal anchor (default start). */
  anchor?: "start" | "middle" | "end";
  /** Vertical placement of `y`: the text's top, middle (of capitals), or alphabetic baseline. */
  baseline?: "top" | "middle" | "alphabetic";
  /** Bold face. */
  bold?: boolean;
  /** Fill colour (default the theme text colour). */
  fill?: string;
  /** Rotation in degrees about (x, y), e.g. -90 for a vertical axis title. */
  rotate?: number;
}

/**
 * Offsets (in em) from the requested `y` to the alphabetic baseline: DejaVu Sans capitals are
 * 0.73 em tall, so "top" puts the cap line at y and "middle" centres capitals on y.
 */
const BASELINE_SHIFT = { top: 0.73, middle: 0.365, alphabetic: 0 } as const;

/** One `<text>` element. */
export function svgText(x: number, y: number, text: string, o: TextOptions): string {
  const dy = BASELINE_SHIFT[o.baseline ?? "alphabetic"] * o.size;
  const attrs = [
    o.rotate ? `transform="translate(${num(x)},${num(y)}) rotate(${num(o.rotate)})"` : "",
    o.rotate ? `x="0" y="${num(dy)}"` : `x="${num(x)}" y="${num(y + dy)}"`,
    `font-size="${num(o.size)}"`,
    o.anchor && o.anchor !== "start" ? `text-anchor="${o.anchor}"` : "",
    o.bold ? `font-weight="bold"` : "",
    `fill="${o.fill ?? COLOR.text}"`,
  ].filter((a) => a !== "");
  return `<text ${attrs.join(" ")}>${esc(text)}</text>`;
}

/** A `<rect>`; `extra` is appended verbatim (already-escaped attributes). */
export function svgRect(x: number, y: number, w: number, h: number, extra: string): string {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" ${extra}/>`;
}

/** A `<line>` with the given stroke. */
export function svgLine(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  stroke: string,
  width = 1,
): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" ` +
    `stroke="${stroke}" stroke-width="${num(width)}"/>`;
}

/**
 * The whole document: a white background and the theme font set once on the root, so every
 * text inherits DejaVu Sans.
 */
export function svgDocument(width: number, height: number, body: string[]): string {
  const w = Math.ceil(width), h = Math.ceil(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${w}" height="${h}" ` +
    `viewBox="0 0 ${w} ${h}" font-family="${esc(FONT)}">`,
    `<rect width="${w}" height="${h}" fill="${COLOR.background}"/>`,
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}
