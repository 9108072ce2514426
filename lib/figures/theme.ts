/**
 * The one visual theme of every figure: font, sizes, colours. Charts get it as a vega-lite
 * `config`; the hand-built SVGs (image grids, heatmaps, tables, diagrams) read the same
 * constants, so all figures of the report look alike.
 *
 * @module
 */

import { FONT_STACK } from "./font.ts";

/**
 * Series colours: the Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies), its yellow moved last because it is faint on white.
 */
export const PALETTE: readonly string[] = [
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#009E73", // bluish green
  "#E69F00", // orange
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#000000", // black
  "#999999", // grey
  "#F0E442", // yellow
];

/** Font sizes in CSS pixels (the PNGs are rendered at 2×). */
export const FONT_SIZE = {
  /** Tick labels, legend labels, captions under images. */
  small: 11,
  /** Axis titles, row and column labels, table cells. */
  normal: 12,
  /** Figure titles. */
  title: 14,
} as const;

/** Colours of text, guides and marks. */
export const COLOR = {
  background: "#ffffff",
  text: "#1a1a1a",
  muted: "#555555",
  axis: "#666666",
  grid: "#e6e6e6",
  frame: "#b3b3b3",
  /** Fill of shaded x-ranges (e.g. the radii missing from training). */
  shade: "#8c8c8c",
  /** Border of an image whose parameter was seen in training. */
  seen: "#1a9e3a",
  /** Border of an image whose parameter was not seen in training. */
  unseen: "#d62728",
  /** Box fills of the architecture diagram, by group. */
  boxes: ["#dbe9f6", "#fde3cf", "#d9f0df", "#ece2f0", "#f2f2f2"],
  boxStroke: "#4d4d4d",
} as const;

/** Opacity of shaded x-ranges. */
export const SHADE_OPACITY = 0.16;

/** The theme font stack (DejaVu Sans first). */
export const FONT: string = FONT_STACK;

/** The vega-lite `config` implementing the theme. */
export function vegaLiteConfig(): Record<string, unknown> {
  return {
    background: COLOR.background,
    padding: 10,
    font: FONT,
    // No frame: vega draws it under the grid, so its top and right edges would vanish; the
    // left and bottom axis lines and the light grid delimit the plot instead.
    view: { stroke: null, continuousWidth: 360, continuousHeight: 240 },
    axis: {
      labelFont: FONT,
      labelFontSize: FONT_SIZE.small,
      labelColor: COLOR.text,
      titleFont: FONT,
      titleFontSize: FONT_SIZE.normal,
      titleFontWeight: "normal",
      titleColor: COLOR.text,
      titlePadding: 8,
      domainColor: COLOR.axis,
      tickColor: COLOR.axis,
      gridColor: COLOR.grid,
      grid: true,
      labelFlush: false,
      labelOverlap: true,
      // Thins crowded labels (e.g. "9,000" and "10,000") rather than letting them touch.
      labelSeparation: 6,
    },
    legend: {
      labelFont: FONT,
      labelFontSize: FONT_SIZE.small,
      labelColor: COLOR.text,
      titleFont: FONT,
      titleFontSize: FONT_SIZE.small,
      titleFontWeight: "normal",
      titleColor: COLOR.text,
      symbolStrokeWidth: 2.5,
      symbolSize: 220,
      labelLimit: 260,
    },
    header: {
      labelFont: FONT,
      labelFontSize: FONT_SIZE.normal,
      labelColor: COLOR.text,
      titleFont: FONT,
      titleFontSize: FONT_SIZE.normal,
      titleFontWeight: "normal",
    },
    title: {
      font: FONT,
      fontSize: FONT_SIZE.title,
      fontWeight: "bold",
      color: COLOR.text,
      anchor: "start",
      offset: 10,
      subtitleFont: FONT,
      subtitleFontSize: FONT_SIZE.small,
      subtitleColor: COLOR.muted,
    },
    text: { font: FONT, fontSize: FONT_SIZE.small, color: COLOR.text },
    line: { strokeWidth: 2, strokeCap: "round", strokeJoin: "round" },
    point: { filled: true, size: 28, opacity: 1 },
    rule: { color: COLOR.axis, strokeWidth: 1 },
    range: { category: [...PALETTE] },
    facet: { spacing: 16 },
    concat: { spacing: 24 },
  };
}
