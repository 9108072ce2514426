/**
 * A heatmap of a 2-D array with axes and a colour bar, e.g. decoded outputs y(t) for a range of
 * latent codes z (rows = z, columns = t). The array is drawn as one embedded image, each value a
 * block of whole pixels, framed by hand-drawn axes whose ticks sit at the centres of rows and
 * columns.
 *
 * @module
 */

import { colorbar } from "./colorbar.ts";
import type { ColormapName } from "./colormap.ts";
import { textWidth } from "./font_metrics.ts";
import { pngDataUri } from "./png.ts";
import { imageToRaster, valueExtent } from "./raster.ts";
import { type FigureFiles, PNG_SCALE, writeFigure, type WriteOptions } from "./render.ts";
import { svgDocument, svgLine, svgRect, svgText } from "./svg.ts";
import { COLOR, FONT_SIZE } from "./theme.ts";
import { formatTicks, niceTicks } from "./ticks.ts";

/** One axis of a heatmap. */
export interface HeatmapAxis {
  /** Axis title. */
  title: string;
  /** Values at the centres of the first and last column (row); default [0, n − 1]. */
  domain?: readonly [number, number];
}

/** Options of {@link heatmapSvg}. */
export interface HeatmapOptions {
  /** `rows × cols` values, row-major. */
  values: ArrayLike<number>;
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** Horizontal axis (columns). */
  x: HeatmapAxis;
  /** Vertical axis (rows). */
  y: HeatmapAxis;
  /** Where row 0 is drawn (default bottom, as in a plot; top as in an image). */
  yOrigin?: "bottom" | "top";
  /** Colour map (default viridis). */
  colormap?: ColormapName;
  /** Values at the ends of the colour map (default: the data's extent; outside is clipped). */
  range?: readonly [number, number];
  /** Title of the colour bar. */
  colorbarTitle?: string;
  /** Figure title. */
  title?: string;
  /** Target plot width in px (default 360; rounded to a whole number of px per column). */
  width?: number;
  /** Target plot height in px (default 260; rounded to a whole number of px per row). */
  height?: number;
}

const tw = (s: string, size: number) => Math.ceil(textWidth(s, size));

/**
 * Size along one side: a whole number of px per cell when the cells fit, so that the blocks
 * are equal; otherwise the target size (cells then share pixels).
 */
function side(n: number, target: number): { px: number; per: number | null } {
  if (n <= target) {
    const per = Math.max(1, Math.round(target / n));
    return { px: n * per, per };
  }
  return { px: target, per: null };
}

/** Ticks of one axis: values and their positions in [0, length] px. */
function axisTicks(n: number, domain: readonly [number, number], length: number, flip: boolean) {
  const [a, b] = domain;
  // Each cell spans one step; the axis runs from the outer edge of the first cell to the
  // outer edge of the last, so a tick at a cell's value sits at the cell's centre.
  const step = n > 1 ? (b - a) / (n - 1) : 1;
  const lo = Math.min(a, b) - Math.abs(step) / 2, hi = Math.max(a, b) + Math.abs(step) / 2;
  // At least three intervals: short axes would otherwise keep a single tick.
  const values = niceTicks(lo, hi, Math.max(3, Math.round(length / 60)));
  const pos = (v: number) => {
    // Position along the drawing order of cells (cell 0 first).
    const t = step >= 0 ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo);
    return (flip ? 1 - t : t) * length;
  };
  return { values, labels: formatTicks(values), pos };
}

/** The heatmap as SVG text. */
export function heatmapSvg(o: HeatmapOptions): string {
  if (
    !Number.isInteger(o.rows) || !Number.isInteger(o.cols) || o.rows < 1 || o.cols < 1 ||
    o.values.length !== o.rows * o.cols
  ) {
    throw new Error(
      `Cannot draw heatmap of "${o.rows}x${o.cols}": it has ${o.values.length} values; ` +
        `fix: pass rows*cols values, row-major`,
    );
  }
  const img = { width: o.cols, height: o.rows, data: o.values };
  const range = o.range ?? valueExtent([img]);
  const sx = side(o.cols, o.width ?? 360), sy = side(o.rows, o.height ?? 260);
  const bottomUp = (o.yOrigin ?? "bottom") === "bottom";
  // Flip the rows so that row 0 ends at the bottom of the image.
  let data: ArrayLike<number> = o.values;
  if (bottomUp) {
    const flipped = new Float32Array(o.values.length);
    for (let r = 0; r < o.rows; r++) {
      for (let c = 0; c < o.cols; c++) {
        flipped[(o.rows - 1 - r) * o.cols + c] = o.values[r * o.cols + c];
      }
    }
    data = flipped;
  }
  const raster = imageToRaster({ width: o.cols, height: o.rows, data }, {
    range,
    colormap: o.colormap ?? "viridis",
    scaleX: sx.per ? sx.per * PNG_SCALE : 1,
    scaleY: sy.per ? sy.per * PNG_SCALE : 1,
  });

  const xt = axisTicks(o.cols, o.x.domain ?? [0, o.cols - 1], sx.px, false);
  const yt = axisTicks(o.rows, o.y.domain ?? [0, o.rows - 1], sy.px, bottomUp);
  const small = FONT_SIZE.small, normal = FONT_SIZE.normal, margin = 10;
  const yLabelW = Math.max(...yt.labels.map((s) => tw(s, small)));
  const left = margin + Math.ceil(normal * 1.2) + 8 + yLabelW + 8;
  let top = margin;
  const el: string[] = [];
  if (o.title) {
    el.push(svgText(margin, top, o.title, { size: FONT_SIZE.title, bold: true, baseline: "top" }));
    top += Math.ceil(FONT_SIZE.title * 1.8);
  } else {
    top += 4; // room for the top half of the highest tick label
  }
  const W = sx.px, H = sy.px;
  el.push(
    `<image x="${left}" y="${top}" width="${W}" height="${H}" preserveAspectRatio="none" ` +
      `image-rendering="optimizeSpeed" style="image-rendering:pixelated" ` +
      `href="${pngDataUri(raster)}"/>`,
  );
  el.push(svgRect(left - 0.5, top - 0.5, W + 1, H + 1, `fill="none" stroke="${COLOR.axis}"`));
  xt.values.forEach((_, i) => {
    const px = left + xt.pos(xt.values[i]);
    el.push(svgLine(px, top + H + 0.5, px, top + H + 5, COLOR.axis));
    el.push(
      svgText(px, top + H + 7, xt.labels[i], { size: small, anchor: "middle", baseline: "top" }),
    );
  });
  yt.values.forEach((_, i) => {
    const py = top + yt.pos(yt.values[i]);
    el.push(svgLine(left - 5, py, left - 0.5, py, COLOR.axis));
    el.push(
      svgText(left - 7, py, yt.labels[i], { size: small, anchor: "end", baseline: "middle" }),
    );
  });
  const xTitleY = top + H + 7 + Math.ceil(small * 1.3) + 6;
  el.push(
    svgText(left + W / 2, xTitleY, o.x.title, { size: normal, anchor: "middle", baseline: "top" }),
  );
  el.push(svgText(margin, top + H / 2, o.y.title, {
    size: normal,
    anchor: "middle",
    baseline: "top",
    rotate: -90,
  }));
  const cb = colorbar({
    x: left + W + 16,
    y: top,
    length: H,
    range,
    colormap: o.colormap ?? "viridis",
    title: o.colorbarTitle,
  });
  el.push(...cb.elements);
  const width = left + W + 16 + cb.width + margin;
  const height = xTitleY + Math.ceil(normal * 1.3) + margin;
  // Keep the title from being cut when it is wider than the plot.
  const titleW = o.title ? margin + tw(o.title, FONT_SIZE.title) + margin : 0;
  return svgDocument(Math.max(width, titleW), height, el);
}

/** Renders a heatmap to `<outBase>.svg`, `.png` (2×) and `.json` (the array and its axes). */
export async function renderHeatmap(
  o: HeatmapOptions,
  outBase: string,
  opts: WriteOptions = {},
): Promise<FigureFiles> {
  const data = {
    title: o.title ?? null,
    rows: o.rows,
    cols: o.cols,
    x: { title: o.x.title, domain: o.x.domain ?? [0, o.cols - 1] },
    y: { title: o.y.title, domain: o.y.domain ?? [0, o.rows - 1] },
    yOrigin: o.yOrigin ?? "bottom",
    range: o.range ?? valueExtent([{ width: o.cols, height: o.rows, data: o.values }]),
    colormap: o.colormap ?? "viridis",
    values: o.values instanceof Float32Array ? o.values : Array.from(o.values),
  };
  return await writeFigure(outBase, heatmapSvg(o), data, opts);
}
