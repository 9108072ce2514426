/**
 * Charts: a vega-lite spec, with the theme merged in, compiled by vega-lite, rendered headless
 * to SVG by vega, then to PNG by resvg. Text widths come from the DejaVu Sans metrics, so
 * vega's layout matches what resvg draws and nothing depends on the machine.
 *
 * @module
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import { isBold, textWidth } from "./font_metrics.ts";
import { type FigureFiles, writeFigure, type WriteOptions } from "./render.ts";
import { vegaLiteConfig } from "./theme.ts";

/** A vega-lite specification (a plain JSON object; see https://vega.github.io/vega-lite/). */
export type VegaLiteSpec = Record<string, unknown>;

/** Receives the warnings of vega-lite and vega (default: `console.warn`). */
export type WarningSink = (message: string) => void;

// Vega measures text with a canvas when it has one, else a crude 0.8 em-per-character guess.
// It has no canvas here; giving it the real advance widths makes axis titles, legends and
// padding land where resvg will draw the glyphs.
type TextItem = { fontSize?: number; fontWeight?: string | number };
// `textMetrics` is exported by vega at run time but missing from its type declarations.
(vega as unknown as {
  textMetrics: { width: (item: TextItem, text: unknown) => number };
}).textMetrics.width = (item, text) => {
  const s = text == null ? "" : String(text).trim();
  const size = item.fontSize != null ? (+item.fontSize || 0) : 11;
  return textWidth(s, size, isBold(item.fontWeight));
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge of plain objects; `over` wins, arrays are replaced, not merged. */
export function mergeDeep(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k])
      ? mergeDeep(out[k] as Record<string, unknown>, v)
      : v;
  }
  return out;
}

/** The spec with the theme config underneath its own `config` (the spec's settings win). */
export function withTheme(spec: VegaLiteSpec): VegaLiteSpec {
  const own = isPlainObject(spec.config) ? spec.config : {};
  return { ...spec, config: mergeDeep(vegaLiteConfig(), own) };
}

function logger(sink: WarningSink) {
  let level = 2;
  const l = {
    level(v?: number) {
      if (v === undefined) return level;
      level = v;
      return l;
    },
    error(...args: unknown[]): never {
      throw new Error(`Cannot render chart: ${args.map(String).join(" ")}; fix: correct the spec`);
    },
    warn(...args: unknown[]) {
      if (level >= 2) sink(args.map(String).join(" "));
      return l;
    },
    info() {
      return l;
    },
    debug() {
      return l;
    },
  };
  return l;
}

/** The title of a spec as text, for messages. */
function titleOf(spec: VegaLiteSpec): string {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (isPlainObject(t) && typeof t.text === "string") return t.text;
  return "untitled";
}

/** Compiles and renders a vega-lite spec (theme applied) to SVG text. */
export async function chartToSvg(
  spec: VegaLiteSpec,
  onWarning: WarningSink = (m) => console.warn(`figures: ${m}`),
): Promise<string> {
  const log = logger(onWarning);
  // vega tags the data objects it ingests (a symbol id on each row): work on a copy so that
  // the caller's spec is left as it was and can be rendered again identically.
  const own = structuredClone(withTheme(spec));
  let compiled;
  try {
    // deno-lint-ignore no-explicit-any
    compiled = vl.compile(own as any, { logger: log as any }).spec;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.startsWith("Cannot render chart")) throw e;
    throw new Error(`Cannot render chart "${titleOf(spec)}": ${msg}; fix: correct the spec`);
  }
  const view = new vega.View(vega.parse(compiled), {
    renderer: "none",
    // deno-lint-ignore no-explicit-any
    logger: log as any,
    logLevel: vega.Warn,
  });
  try {
    // Clip-path and gradient ids come from module-level counters: reset them so the same
    // spec gives byte-identical SVG however many charts this process drew before.
    vega.resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link renderChart}. */
export interface ChartOptions extends WriteOptions {
  /** What to write as `<outBase>.json` (default: the spec's inline data values). */
  data?: unknown;
  /** Receives warnings (default `console.warn`). */
  onWarning?: WarningSink;
}

/** The inline data of a spec: `data.values` and any named `datasets`. */
function inlineData(spec: VegaLiteSpec): unknown {
  const out: Record<string, unknown> = {};
  if (isPlainObject(spec.data) && "values" in spec.data) out.values = spec.data.values;
  if (isPlainObject(spec.datasets)) out.datasets = spec.datasets;
  return out;
}

/**
 * Renders a vega-lite spec to `<outBase>.svg`, `<outBase>.png` (2×) and `<outBase>.json`
 * (the data drawn).
 */
export async function renderChart(
  spec: VegaLiteSpec,
  outBase: string,
  opts: ChartOptions = {},
): Promise<FigureFiles> {
  const svg = await chartToSvg(spec, opts.onWarning);
  return await writeFigure(outBase, svg, opts.data ?? inlineData(spec), opts);
}
