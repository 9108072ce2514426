/**
 * Tables (parameter counts, per-seed errors, the hand-crafted network's outputs...) written as
 * Markdown for the report, JSON for machines, and optionally as SVG/PNG for a figure.
 *
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { figureJson } from "./figure_json.ts";
import { textWidth } from "./font_metrics.ts";
import { svgToPng } from "./render.ts";
import { svgDocument, svgLine, svgText } from "./svg.ts";
import { COLOR, FONT_SIZE } from "./theme.ts";

/** One cell: text, a number (formatted by {@link formatCell}), a boolean, or empty. */
export type Cell = string | number | boolean | null;

/** Alignment of a column. */
export type Align = "left" | "right" | "center";

/** A table. */
export interface Table {
  /** Caption above the table. */
  title?: string;
  /** Column headers. */
  columns: readonly string[];
  /** Rows of cells, each as long as `columns`. */
  rows: readonly (readonly Cell[])[];
  /** Alignment per column (default: right for all-numeric columns, left otherwise). */
  align?: readonly Align[];
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Notes written under the table. */
  notes?: readonly string[];
}

/** A cell as text: integers in full, other numbers to `digits` significant digits. */
export function formatCell(v: Cell, digits = 4): string {
  if (v === null) return "";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "−∞";
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  // Scientific notation only where fixed notation would be unreadable.
  const s = a !== 0 && (a < 1e-3 || a >= 1e6)
    ? v.toExponential(digits - 1).replace(/\.?0+e/, "e")
    : String(Number(v.toPrecision(digits)));
  return s.replace("-", "−");
}

function checkTable(t: Table): void {
  t.rows.forEach((r, i) => {
    if (r.length !== t.columns.length) {
      throw new Error(
        `Cannot write table "${t.title ?? ""}": row ${i} has ${r.length} cells for ` +
          `${t.columns.length} columns; fix: give every row one cell per column`,
      );
    }
  });
}

/** Alignment of every column, defaulted. */
export function columnAlign(t: Table): Align[] {
  return t.columns.map((_, j) =>
    t.align?.[j] ??
      (t.rows.length > 0 && t.rows.every((r) => r[j] === null || typeof r[j] === "number")
        ? "right"
        : "left")
  );
}

/** The table as GitHub-flavoured Markdown (caption in bold above, notes below). */
export function tableToMarkdown(t: Table): string {
  checkTable(t);
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const align = columnAlign(t);
  const rule = align.map((a) => a === "right" ? "---:" : a === "center" ? ":---:" : "---");
  const lines: string[] = [];
  if (t.title) lines.push(`**${cell(t.title)}**`, "");
  lines.push(`| ${t.columns.map(cell).join(" | ")} |`);
  lines.push(`| ${rule.join(" | ")} |`);
  for (const r of t.rows) {
    lines.push(`| ${r.map((v) => cell(formatCell(v, t.digits))).join(" | ")} |`);
  }
  if (t.notes?.length) lines.push("", ...t.notes.map((n) => n));
  return lines.join("\n") + "\n";
}

/** The table as a JSON-ready object (raw cell values, not formatted text). */
export function tableToJson(t: Table): Record<string, unknown> {
  checkTable(t);
  return {
    title: t.title ?? null,
    columns: [...t.columns],
    rows: t.rows.map((r) => [...r]),
    notes: [...(t.notes ?? [])],
  };
}

/** The table drawn as SVG: bold header, rules above and below it and at the end (booktabs). */
export function tableToSvg(t: Table): string {
  checkTable(t);
  const size = FONT_SIZE.normal, padX = 14, rowH = Math.ceil(size * 1.9), margin = 10;
  const align = columnAlign(t);
  const text = t.rows.map((r) => r.map((v) => formatCell(v, t.digits)));
  const widths = t.columns.map((c, j) =>
    Math.ceil(Math.max(textWidth(c, size, true), ...text.map((r) => textWidth(r[j], size))))
  );
  const tableW = widths.reduce((a, w) => a + w + 2 * padX, 0);
  const el: string[] = [];
  let y = margin;
  if (t.title) {
    el.push(svgText(margin, y, t.title, { size: FONT_SIZE.title, bold: true, baseline: "top" }));
    y += Math.ceil(FONT_SIZE.title * 1.8);
  }
  const x0 = margin;
  el.push(svgLine(x0, y + 0.5, x0 + tableW, y + 0.5, COLOR.text, 1.5));
  const drawRow = (cells: readonly string[], bold: boolean) => {
    let x = x0;
    cells.forEach((s, j) => {
      const w = widths[j] + 2 * padX;
      const a = align[j];
      const tx = a === "right" ? x + w - padX : a === "center" ? x + w / 2 : x + padX;
      el.push(svgText(tx, y + rowH / 2, s, {
        size,
        bold,
        baseline: "middle",
        anchor: a === "right" ? "end" : a === "center" ? "middle" : "start",
      }));
      x += w;
    });
    y += rowH;
  };
  drawRow(t.columns, true);
  el.push(svgLine(x0, y + 0.5, x0 + tableW, y + 0.5, COLOR.text, 1));
  for (const r of text) drawRow(r, false);
  el.push(svgLine(x0, y + 0.5, x0 + tableW, y + 0.5, COLOR.text, 1.5));
  y += 6;
  let width = x0 + tableW + margin;
  for (const n of t.notes ?? []) {
    el.push(svgText(x0, y, n, { size: FONT_SIZE.small, baseline: "top", fill: COLOR.muted }));
    width = Math.max(width, x0 + Math.ceil(textWidth(n, FONT_SIZE.small)) + margin);
    y += Math.ceil(FONT_SIZE.small * 1.5);
  }
  if (t.title) {
    width = Math.max(width, margin + Math.ceil(textWidth(t.title, FONT_SIZE.title, true)) + margin);
  }
  return svgDocument(width, y + margin, el);
}

/** Paths written by {@link renderTable}. */
export interface TableFiles {
  /** `<base>.md` */
  md: string;
  /** `<base>.json` */
  json: string;
  /** `<base>.svg`, when drawn. */
  svg?: string;
  /** `<base>.png`, when drawn. */
  png?: string;
}

/**
 * Writes `<outBase>.md` and `<outBase>.json`, and with `{ image: true }` also `<outBase>.svg`
 * and `<outBase>.png` (2×).
 */
export async function renderTable(
  t: Table,
  outBase: string,
  opts: { image?: boolean; scale?: number } = {},
): Promise<TableFiles> {
  await mkdir(dirname(outBase), { recursive: true });
  const files: TableFiles = { md: outBase + ".md", json: outBase + ".json" };
  await writeFile(files.md, tableToMarkdown(t));
  await writeFile(files.json, figureJson(tableToJson(t)));
  if (opts.image) {
    const svg = tableToSvg(t);
    files.svg = outBase + ".svg";
    files.png = outBase + ".png";
    await writeFile(files.svg, svg);
    await writeFile(files.png, svgToPng(svg, opts.scale));
  }
  return files;
}
