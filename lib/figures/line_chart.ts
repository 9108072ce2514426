/**
 * The chart the experiments draw most: several series of (x, y) as lines and/or points, with
 * optional shaded x-ranges (e.g. the radii missing from training), reference lines, log axes
 * and small multiples (one panel per value of `series.panel`). Builds a vega-lite spec for
 * {@link renderChart}; {@link renderLineChart} also writes the series themselves as the data.
 *
 * @module
 */

import { type ChartOptions, renderChart, type VegaLiteSpec } from "./chart.ts";
import type { FigureFiles } from "./render.ts";
import { COLOR, FONT_SIZE, PALETTE, SHADE_OPACITY } from "./theme.ts";
import { textWidth } from "./font_metrics.ts";

/** One series of points. */
export interface Series {
  /** Legend label; series with the same name share colour and legend entry across panels. */
  name: string;
  /** Abscissae. */
  x: ArrayLike<number>;
  /** Ordinates (same length; non-finite values leave a gap). */
  y: ArrayLike<number>;
  /** How it is drawn (default `line`); points are drawn in the given order for lines. */
  mark?: "line" | "point" | "line+point";
  /** Colour (default: the palette, in order of first appearance of the name). */
  color?: string;
  /** Stroke pattern of lines (default solid). */
  dash?: "solid" | "dashed" | "dotted";
  /** The small multiple it belongs to (all series without panel: a single chart). */
  panel?: string;
}

/** A shaded x-range. */
export interface Band {
  /** Left end, in x units. */
  from: number;
  /** Right end, in x units. */
  to: number;
  /** Text written at the top of the band. */
  label?: string;
  /** Only in this panel (default: every panel). */
  panel?: string;
}

/** A reference line: vertical at `x` or horizontal at `y` (exactly one of them). */
export interface RefLine {
  /** Position of a vertical line. */
  x?: number;
  /** Position of a horizontal line. */
  y?: number;
  /** Text written beside the line. */
  label?: string;
  /**
   * Where the label goes along the line: `end` (default: right end of a horizontal line, top
   * of a vertical one) or `start` (left end; bottom).
   */
  labelAt?: "start" | "end";
  /** Only in this panel (default: every panel). */
  panel?: string;
}

/** One axis. */
export interface AxisOptions {
  /** Axis title (use plain Unicode for symbols: "radius r", "latent code z"). */
  title: string;
  /** Scale type (default linear). */
  type?: "linear" | "log";
  /** Fixed domain (default: fitted to the data, rounded to nice values). */
  domain?: readonly [number, number];
  /** Include zero in the fitted domain (default false). */
  zero?: boolean;
  /** d3-format string for tick labels, e.g. `.0e` or `~g`. */
  format?: string;
  /**
   * Short labels for narrow panels: thousands as "k", each tick on its own ("0", "500", "2k",
   * "10k"). d3's SI format ("~s") would give every tick the largest tick's prefix: "0k", "0.5k".
   */
  compact?: boolean;
  /** Approximate number of ticks. */
  tickCount?: number;
}

/** Where the legend goes: outside right/bottom, inside a corner, or nowhere. */
export type LegendPlace =
  | "right"
  | "bottom"
  | "top-left"
  | "top-right"
  | "bottom-left"
  | "bottom-right"
  | "none";

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  /** Figure title. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Horizontal axis. */
  x: AxisOptions;
  /** Vertical axis. */
  y: AxisOptions;
  /** The series. */
  series: readonly Series[];
  /** Shaded x-ranges. */
  bands?: readonly Band[];
  /** Reference lines. */
  rules?: readonly RefLine[];
  /** Plot width in px (per panel; default 360, 220 with panels). */
  width?: number;
  /** Plot height in px (per panel; default 240, 160 with panels). */
  height?: number;
  /** Panels per row (default: all panels in one row up to 4). */
  columns?: number;
  /** Panel order (default: order of first appearance). */
  panels?: readonly string[];
  /** Panels get their own x and/or y scales (default shared). */
  independent?: "x" | "y" | "xy";
  /** Legend placement (default right; none when there is a single series name). */
  legend?: LegendPlace;
}

const DASHES: Record<NonNullable<Series["dash"]>, number[]> = {
  solid: [1, 0],
  dashed: [6, 4],
  dotted: [1.5, 3],
};

/** One row of the long table a line chart is drawn from (a point, a band or a rule). */
export type ChartRow = Record<string, string | number | boolean | null>;

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function panelsOf(o: LineChartOptions): string[] {
  const seen: string[] = [...(o.panels ?? [])];
  for (const s of o.series) {
    if (s.panel !== undefined && !seen.includes(s.panel)) seen.push(s.panel);
  }
  for (const b of [...(o.bands ?? []), ...(o.rules ?? [])]) {
    if (b.panel !== undefined && !seen.includes(b.panel)) seen.push(b.panel);
  }
  return seen;
}

/** Every item placed in its panel(s): items without panel go in every panel. */
function spread<T extends { panel?: string }>(
  items: readonly T[],
  panels: string[],
): [T, string][] {
  const out: [T, string][] = [];
  for (const it of items) {
    if (it.panel !== undefined || panels.length === 0) out.push([it, it.panel ?? ""]);
    else for (const p of panels) out.push([it, p]);
  }
  return out;
}

/** The long table behind the chart (one row per point, band and rule). */
export function lineChartRows(o: LineChartOptions): ChartRow[] {
  const panels = panelsOf(o);
  const rows: ChartRow[] = [];
  for (const s of o.series) {
    if (s.x.length !== s.y.length) {
      throw new Error(
        `Cannot plot series "${s.name}": x has ${s.x.length} values and y ${s.y.length}; ` +
          `fix: pass arrays of the same length`,
      );
    }
    const mark = s.mark ?? "line";
    for (let i = 0; i < s.x.length; i++) {
      rows.push({
        kind: "series",
        panel: s.panel ?? "",
        series: s.name,
        i,
        x: finite(s.x[i]),
        y: finite(s.y[i]),
        line: mark !== "point",
        point: mark !== "line",
      });
    }
  }
  for (const [b, p] of spread(o.bands ?? [], panels)) {
    rows.push({
      kind: "band",
      panel: p,
      x0: b.from,
      x1: b.to,
      xm: (b.from + b.to) / 2,
      label: b.label ?? "",
    });
  }
  for (const [r, p] of spread(o.rules ?? [], panels)) {
    if ((r.x === undefined) === (r.y === undefined)) {
      throw new Error(
        `Cannot draw reference line "${r.label ?? ""}": give exactly one of x and y; ` +
          `fix: set x for a vertical line or y for a horizontal one`,
      );
    }
    rows.push(
      r.x !== undefined
        ? { kind: "vrule", panel: p, rx: r.x, label: r.label ?? "", at: r.labelAt ?? "end" }
        : { kind: "hrule", panel: p, ry: r.y!, label: r.label ?? "", at: r.labelAt ?? "end" },
    );
  }
  return rows;
}

function scaleOf(a: AxisOptions): Record<string, unknown> {
  const s: Record<string, unknown> = { type: a.type ?? "linear", zero: a.zero ?? false };
  if (a.domain) s.domain = [...a.domain], s.nice = false;
  if (a.type === "log") delete s.zero;
  return s;
}

const SUPERSCRIPT: Record<string, string> = {
  "-": "\u207b",
  "0": "\u2070",
  "1": "\u00b9",
  "2": "\u00b2",
  "3": "\u00b3",
  "4": "\u2074",
  "5": "\u2075",
  "6": "\u2076",
  "7": "\u2077",
  "8": "\u2078",
  "9": "\u2079",
};

/** `10ⁿ` with a Unicode superscript exponent, or `m×10ⁿ`. */
export function powerLabel(v: number): string {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = Number((v / Math.pow(10, e)).toPrecision(3));
  const sup = String(e).split("").map((c) => SUPERSCRIPT[c]).join("");
  return (m === 1 ? "" : `${m}\u00d7`) + "10" + sup;
}

/**
 * Ticks of a log axis over [lo, hi] (both > 0): the powers of ten inside, plus 2× and 5×
 * multiples when fewer than three powers fall inside. Vega's own choice puts a grid line at
 * every minor tick and labels them unevenly.
 */
export function logTicks(lo: number, hi: number): number[] {
  const e0 = Math.ceil(Math.log10(lo) - 1e-9), e1 = Math.floor(Math.log10(hi) + 1e-9);
  const mults = e1 - e0 + 1 >= 3 ? [1] : [1, 2, 5];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= e1; e++) {
    for (const m of mults) {
      const v = Number((m * Math.pow(10, e)).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Positive finite extent of the values on one axis (and its fixed domain). */
function positiveExtent(
  values: Iterable<ArrayLike<number>>,
  a: AxisOptions,
): [number, number] | null {
  if (a.domain) return a.domain[0] > 0 && a.domain[1] > 0 ? [a.domain[0], a.domain[1]] : null;
  let lo = Infinity, hi = -Infinity;
  for (const arr of values) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (Number.isFinite(v) && v > 0) lo = Math.min(lo, v), hi = Math.max(hi, v);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

function axisOf(a: AxisOptions, values: Iterable<ArrayLike<number>>): Record<string, unknown> {
  const ax: Record<string, unknown> = { title: a.title };
  if (a.format) ax.format = a.format;
  if (a.compact) {
    ax.labelExpr =
      "abs(datum.value) >= 1000 ? format(datum.value / 1000, '~g') + 'k' : format(datum.value, '~g')";
  }
  if (a.tickCount) ax.tickCount = a.tickCount;
  const ext = a.type === "log" && !a.format ? positiveExtent(values, a) : null;
  if (ext) {
    // Vega's log scale is "nice"d outward to whole decades, so ticks are taken over that range.
    const lo = a.domain ? ext[0] : Math.pow(10, Math.floor(Math.log10(ext[0]) + 1e-9));
    const hi = a.domain ? ext[1] : Math.pow(10, Math.ceil(Math.log10(ext[1]) - 1e-9));
    const ticks = logTicks(lo, hi);
    ax.values = ticks;
    // Label each tick from a table built here: vega's expression language has no superscripts.
    ax.labelExpr = ticks.reduceRight(
      (rest, v) => `abs(datum.value - ${v}) <= ${v * 1e-9} ? '${powerLabel(v)}' : ${rest}`,
      "format(datum.value, '~g')",
    );
  }
  return ax;
}

function legendOf(place: LegendPlace): Record<string, unknown> | null {
  if (place === "none") return null;
  const l: Record<string, unknown> = { title: null, orient: place, symbolType: "stroke" };
  if (place === "bottom") l.direction = "horizontal", l.columns = 4;
  if (place !== "right" && place !== "bottom") {
    // Inside the plot: a white box so that it stays readable over the grid.
    Object.assign(l, {
      fillColor: "#ffffff",
      strokeColor: COLOR.frame,
      padding: 6,
      cornerRadius: 2,
      offset: 8,
    });
  }
  return l;
}

/** The vega-lite spec of a line/scatter chart (theme applied later by {@link renderChart}). */
export function lineChart(o: LineChartOptions): VegaLiteSpec {
  const panels = panelsOf(o);
  const faceted = panels.length > 0;
  const names: string[] = [];
  const colors: string[] = [];
  const dashes: number[][] = [];
  for (const s of o.series) {
    if (names.includes(s.name)) continue;
    names.push(s.name);
    colors.push(s.color ?? PALETTE[(names.length - 1) % PALETTE.length]);
    dashes.push(DASHES[s.dash ?? "solid"]);
  }
  const legend = legendOf(o.legend ?? (names.length > 1 ? "right" : "none"));
  const pointOnly = names.filter((n) => o.series.every((s) => s.name !== n || s.mark === "point"));
  if (legend && pointOnly.length) {
    // Series drawn as points only get a dot in the legend, the others a stroke.
    const test = `indexof(${JSON.stringify(pointOnly)}, datum.value) >= 0`;
    legend.encode = {
      symbols: {
        update: {
          shape: { signal: `${test} ? 'circle' : 'stroke'` },
          fill: { signal: `${test} ? scale('color', datum.value) : 'transparent'` },
          size: { signal: `${test} ? 32 : 220` },
        },
      },
    };
  }
  const x = {
    scale: scaleOf(o.x),
    axis: axisOf(o.x, o.series.map((s) => s.x)),
    type: "quantitative",
  };
  const y = {
    scale: scaleOf(o.y),
    axis: axisOf(o.y, o.series.map((s) => s.y)),
    type: "quantitative",
  };
  const color = {
    field: "series",
    type: "nominal",
    scale: { domain: names, range: colors },
    legend,
  };
  const strokeDash = {
    field: "series",
    type: "nominal",
    scale: { domain: names, range: dashes },
    legend,
  };
  const kind = (k: string) => ({ filter: `datum.kind === '${k}'` });
  const layers: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  /** A text layer drawn twice: a white outline first, so lines under the text do not hide it. */
  const label = (
    k: string,
    mark: Record<string, unknown>,
    encoding: Record<string, unknown>,
    at?: "start" | "end",
  ) => {
    const transform: Record<string, unknown>[] = [kind(k), { filter: "datum.label !== ''" }];
    if (at) transform.push({ filter: `datum.at === '${at}'` });
    const base = { type: "text", fontSize: FONT_SIZE.small, ...mark };
    const enc = { ...encoding, text: { field: "label" } };
    labels.push({
      transform,
      mark: { ...base, stroke: "#ffffff", strokeWidth: 3, strokeJoin: "round" },
      encoding: enc,
    });
    labels.push({ transform, mark: { ...base, color: COLOR.muted }, encoding: enc });
  };
  if (o.bands?.length) {
    layers.push({
      transform: [kind("band")],
      mark: { type: "rect", color: COLOR.shade, opacity: SHADE_OPACITY },
      encoding: { x: { field: "x0", ...x }, x2: { field: "x1" } },
    });
    label("band", { baseline: "top", dy: 5 }, { x: { field: "xm", ...x }, y: { value: 0 } });
  }
  if (o.rules?.some((r) => r.x !== undefined)) {
    layers.push({
      transform: [kind("vrule")],
      mark: { type: "rule", strokeDash: [4, 3], color: COLOR.axis },
      encoding: { x: { field: "rx", ...x } },
    });
    label("vrule", { align: "left", baseline: "top", dx: 4, dy: 5 }, {
      x: { field: "rx", ...x },
      y: { value: 0 },
    }, "end");
    label("vrule", { align: "left", baseline: "bottom", dx: 4, dy: -5 }, {
      x: { field: "rx", ...x },
      y: { value: "height" },
    }, "start");
  }
  if (o.rules?.some((r) => r.y !== undefined)) {
    layers.push({
      transform: [kind("hrule")],
      mark: { type: "rule", strokeDash: [4, 3], color: COLOR.axis },
      encoding: { y: { field: "ry", ...y } },
    });
    label("hrule", { align: "right", baseline: "bottom", dx: -4, dy: -3 }, {
      y: { field: "ry", ...y },
      x: { value: "width" },
    }, "end");
    label("hrule", { align: "left", baseline: "bottom", dx: 4, dy: -3 }, {
      y: { field: "ry", ...y },
      x: { value: 0 },
    }, "start");
  }
  const clip = o.x.domain !== undefined || o.y.domain !== undefined;
  layers.push({
    transform: [kind("series"), { filter: "datum.line" }],
    mark: { type: "line", clip },
    encoding: {
      x: { field: "x", ...x },
      y: { field: "y", ...y },
      color,
      strokeDash,
      order: { field: "i", type: "quantitative" },
    },
  });
  if (o.series.some((s) => (s.mark ?? "line") !== "line")) {
    layers.push({
      transform: [kind("series"), { filter: "datum.point" }],
      mark: { type: "point", clip },
      encoding: { x: { field: "x", ...x }, y: { field: "y", ...y }, color },
    });
  }
  // Labels last: on top of the data.
  layers.push(...labels);
  const width = o.width ?? (faceted ? 220 : 360);
  const height = o.height ?? (faceted ? 160 : 240);
  const top: VegaLiteSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values: lineChartRows(o) },
  };
  if (o.title) top.title = o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title;
  if (!faceted) return { ...top, width, height, layer: layers };
  const resolve: Record<string, string> = {};
  if (o.independent?.includes("x")) resolve.x = "independent";
  if (o.independent?.includes("y")) resolve.y = "independent";
  const header = panelHeader(panels, width);
  return {
    ...top,
    facet: {
      field: "panel",
      type: "nominal",
      sort: panels,
      title: null,
      ...(header ? { header } : {}),
    },
    columns: o.columns ?? Math.min(panels.length, 4),
    spec: { width, height, layer: layers },
    ...(Object.keys(resolve).length ? { resolve: { scale: resolve } } : {}),
  };
}

/**
 * Panel titles wider than their panel, in two lines: split at the comma (else the space) nearest
 * the middle. Vega-lite would otherwise let a long title run past the panel and shift it up.
 * Returns the facet header that draws them so, or null when every title fits.
 */
export function panelHeader(
  panels: readonly string[],
  width: number,
): { labelExpr: string } | null {
  const wrapped = new Map<string, [string, string]>();
  for (const p of panels) {
    if (textWidth(p, FONT_SIZE.normal) <= width) continue;
    const breaks = [...p.matchAll(/, | /g)].map((m) => ({ at: m.index!, len: m[0].length }));
    if (breaks.length === 0) continue;
    const comma = breaks.filter((b) => b.len === 2);
    const pool = comma.length > 0 ? comma : breaks;
    const best = pool.reduce((a, b) =>
      Math.abs(b.at - p.length / 2) < Math.abs(a.at - p.length / 2) ? b : a
    );
    const cut = best.len === 2 ? best.at + 1 : best.at;
    wrapped.set(p, [p.slice(0, cut), p.slice(best.at + best.len)]);
  }
  if (wrapped.size === 0) return null;
  let expr = "datum.value";
  for (const [p, lines] of wrapped) {
    expr = `datum.value === ${JSON.stringify(p)} ? ${JSON.stringify(lines)} : ${expr}`;
  }
  return { labelExpr: expr };
}

/**
 * The warning vega gives for a panel without bands or rules (their fields are then empty
 * there): expected, so {@link renderLineChart} drops it.
 */
const AUX_EXTENT_WARNING = /^Infinite extent for field "(x0|x1|xm|rx|ry)"/;

/**
 * Renders {@link lineChart} to `<outBase>.svg/.png` and writes the series, bands and rules
 * (not the long table) as `<outBase>.json`.
 */
export async function renderLineChart(
  o: LineChartOptions,
  outBase: string,
  opts: ChartOptions = {},
): Promise<FigureFiles> {
  const data = opts.data ?? {
    title: o.title ?? null,
    x: o.x.title,
    y: o.y.title,
    series: o.series.map((s) => ({
      name: s.name,
      ...(s.panel !== undefined ? { panel: s.panel } : {}),
      x: Array.from(s.x),
      y: Array.from(s.y),
    })),
    bands: o.bands ?? [],
    rules: o.rules ?? [],
  };
  const sink = opts.onWarning ?? ((m: string) => console.warn(`figures: ${m}`));
  const onWarning = (m: string) => {
    if (!AUX_EXTENT_WARNING.test(m)) sink(m);
  };
  return await renderChart(lineChart(o), outBase, { ...opts, data, onWarning });
}
