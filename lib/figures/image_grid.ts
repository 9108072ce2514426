/**
 * Grids of scalar images (inputs above outputs, decoded images along a latent path...), with
 * row and column labels, per-image captions and coloured borders (green = parameter seen in
 * training, red = unseen), on one shared colour scale by default. Each image is embedded as a
 * PNG enlarged by an integer factor (nearest neighbour), placed on whole pixels, so pixels
 * stay crisp squares in the SVG and in the 2× PNG.
 *
 * @module
 */

import { colorbar } from "./colorbar.ts";
import type { ColormapName } from "./colormap.ts";
import { textWidth } from "./font_metrics.ts";
import { pngDataUri } from "./png.ts";
import { checkImage, imageToRaster, type ScalarImage, valueExtent } from "./raster.ts";
import { type FigureFiles, PNG_SCALE, writeFigure, type WriteOptions } from "./render.ts";
import { esc, num, svgDocument, svgRect, svgText } from "./svg.ts";
import { FONT_SIZE } from "./theme.ts";

/** One cell of the grid. */
export interface GridCell {
  /** The image. */
  image: ScalarImage;
  /** Text under the image, e.g. `r = 12`. */
  caption?: string;
  /** Border colour (e.g. `COLOR.seen` / `COLOR.unseen` of the theme); none when absent. */
  border?: string;
}

/** A legend entry: a coloured square and its meaning. */
export interface GridLegendEntry {
  /** Colour of the square (a border colour). */
  color: string;
  /** What it means. */
  label: string;
}

/** Options of {@link imageGridSvg}. */
export interface ImageGridOptions {
  /** Rows of cells; `null` leaves a cell empty. */
  cells: readonly (readonly (GridCell | null)[])[];
  /** Labels left of each row. */
  rowLabels?: readonly string[];
  /** Labels above each column. */
  colLabels?: readonly string[];
  /** Title above the grid. */
  title?: string;
  /**
   * Value range mapped to black..white: a fixed `[lo, hi]` (values outside are clipped;
   * default `[0, 1]`), `"shared"` (the extent over all images) or `"each"` (every image
   * stretched to its own extent; no colour bar then).
   */
  range?: readonly [number, number] | "shared" | "each";
  /** Colour map (default grey). */
  colormap?: ColormapName;
  /** Draw a colour bar on the right (default false). */
  colorbar?: boolean;
  /** Title of the colour bar. */
  colorbarTitle?: string;
  /** Display pixels per image pixel, an integer (default: images about 96 px wide). */
  pixelScale?: number;
  /** Space between cells in px (default 6). */
  gap?: number;
  /** Border width in px (default 3). */
  borderWidth?: number;
  /** Legend entries written under the grid. */
  legend?: readonly GridLegendEntry[];
}

/** Width of a text in whole pixels. */
const tw = (s: string, size: number, bold = false) => Math.ceil(textWidth(s, size, bold));

/** Colour range of the grid, resolved. */
function resolveRange(o: ImageGridOptions, images: ScalarImage[]): [number, number] | null {
  const r = o.range ?? [0, 1];
  if (r === "each") return null;
  if (r === "shared") return valueExtent(images);
  return [r[0], r[1]];
}

/** The grid as SVG text. */
export function imageGridSvg(o: ImageGridOptions): string {
  const rows = o.cells.length;
  const cols = Math.max(0, ...o.cells.map((r) => r.length));
  const images: ScalarImage[] = [];
  o.cells.forEach((row, i) =>
    row.forEach((c, j) => {
      if (c) checkImage(c.image, `grid image (${i}, ${j})`), images.push(c.image);
    })
  );
  if (images.length === 0) {
    throw new Error(`Cannot draw image grid: it has no images; fix: pass at least one cell`);
  }
  const maxSide = Math.max(...images.map((im) => Math.max(im.width, im.height)));
  const scale = o.pixelScale ?? Math.max(1, Math.round(96 / maxSide));
  if (!Number.isInteger(scale) || scale < 1) {
    throw new Error(
      `Cannot draw image grid with pixelScale "${scale}": it must be a positive integer; ` +
        `fix: round it`,
    );
  }
  const gap = o.gap ?? 6, bw = o.borderWidth ?? 3;
  const range = resolveRange(o, images);
  const hasBorder = o.cells.some((r) => r.some((c) => c?.border));
  const pad = hasBorder ? bw : 0; // room for borders, drawn outside the image
  const capSize = FONT_SIZE.small, labSize = FONT_SIZE.normal;

  // Column widths and row heights, in whole pixels so images sit on the pixel grid.
  const colW = Array.from({ length: cols }, (_, j) => {
    let w = 0;
    for (const row of o.cells) {
      const c = row[j];
      if (!c) continue;
      w = Math.max(w, c.image.width * scale + 2 * pad);
      if (c.caption) w = Math.max(w, tw(c.caption, capSize) + 4);
    }
    if (o.colLabels?.[j]) w = Math.max(w, tw(o.colLabels[j], labSize) + 4);
    return w;
  });
  const capH = Math.ceil(capSize * 1.45);
  const rowH = o.cells.map((row) => {
    let h = 0, cap = false;
    for (const c of row) {
      if (!c) continue;
      h = Math.max(h, c.image.height * scale + 2 * pad);
      if (c.caption) cap = true;
    }
    return h + (cap ? capH : 0);
  });
  const rowLabelW = o.rowLabels?.length
    ? Math.max(...o.rowLabels.map((s) => tw(s, labSize))) + 10
    : 0;
  const margin = 10;
  let top = margin;
  const el: string[] = [];
  if (o.title) {
    el.push(svgText(margin, top, o.title, { size: FONT_SIZE.title, bold: true, baseline: "top" }));
    top += Math.ceil(FONT_SIZE.title * 1.6);
  }
  if (o.colLabels?.length) top += Math.ceil(labSize * 1.5);
  const left = margin + rowLabelW;
  const colX: number[] = [];
  let x = left;
  for (let j = 0; j < cols; j++) colX.push(x), x += colW[j] + gap;
  const gridW = x - gap - left;
  const rowY: number[] = [];
  let y = top;
  for (let i = 0; i < rows; i++) rowY.push(y), y += rowH[i] + gap;
  const gridH = y - gap - top;

  o.colLabels?.forEach((s, j) => {
    if (j < cols && s) {
      el.push(svgText(colX[j] + colW[j] / 2, top - 6, s, { size: labSize, anchor: "middle" }));
    }
  });
  o.cells.forEach((row, i) => {
    const label = o.rowLabels?.[i];
    const imgRowH = rowH[i] - (row.some((c) => c?.caption) ? capH : 0);
    if (label) {
      el.push(svgText(left - 10, rowY[i] + imgRowH / 2, label, {
        size: labSize,
        anchor: "end",
        baseline: "middle",
      }));
    }
    row.forEach((c, j) => {
      if (!c) return;
      const w = c.image.width * scale, h = c.image.height * scale;
      const ix = colX[j] + Math.floor((colW[j] - w) / 2);
      const iy = rowY[i] + Math.floor((imgRowH - h) / 2);
      const r = range ?? valueExtent([c.image]);
      // Enlarged by scale × PNG_SCALE: at the PNG's 2× each image pixel is a whole block.
      const raster = imageToRaster(c.image, {
        range: r,
        colormap: o.colormap,
        scale: scale * PNG_SCALE,
      });
      el.push(
        `<image x="${ix}" y="${iy}" width="${w}" height="${h}" preserveAspectRatio="none" ` +
          `image-rendering="optimizeSpeed" style="image-rendering:pixelated" ` +
          `href="${pngDataUri(raster)}"/>`,
      );
      if (c.border) {
        el.push(svgRect(
          ix - bw / 2,
          iy - bw / 2,
          w + bw,
          h + bw,
          `fill="none" ` +
            `stroke="${esc(c.border)}" stroke-width="${num(bw)}"`,
        ));
      }
      if (c.caption) {
        el.push(svgText(colX[j] + colW[j] / 2, iy + h + pad + 4, c.caption, {
          size: capSize,
          anchor: "middle",
          baseline: "top",
        }));
      }
    });
  });
  let width = left + gridW + margin;
  if (o.colorbar && range) {
    const cb = colorbar({
      x: left + gridW + 14,
      y: top,
      length: Math.max(60, Math.min(gridH, 240)),
      range,
      colormap: o.colormap ?? "grey",
      title: o.colorbarTitle,
    });
    el.push(...cb.elements);
    width = left + gridW + 14 + cb.width + margin;
  }
  let height = top + gridH + margin;
  if (o.legend?.length) {
    let lx = left;
    const ly = top + gridH + 12, sq = 12;
    for (const e of o.legend) {
      el.push(svgRect(lx, ly, sq, sq, `fill="none" stroke="${esc(e.color)}" stroke-width="3"`));
      el.push(svgText(lx + sq + 6, ly + sq / 2, e.label, {
        size: FONT_SIZE.small,
        baseline: "middle",
      }));
      lx += sq + 6 + tw(e.label, FONT_SIZE.small) + 18;
    }
    width = Math.max(width, lx - 18 + margin);
    height = ly + sq + margin;
  }
  return svgDocument(width, height, el);
}

/**
 * Renders an image grid to `<outBase>.svg`, `.png` (2×) and `.json` (range, labels and every
 * image's values).
 */
export async function renderImageGrid(
  o: ImageGridOptions,
  outBase: string,
  opts: WriteOptions = {},
): Promise<FigureFiles> {
  const svg = imageGridSvg(o);
  const images = o.cells.flatMap((r) => r.flatMap((c) => c ? [c.image] : []));
  const data = {
    title: o.title ?? null,
    range: resolveRange(o, images) ?? "each",
    colormap: o.colormap ?? "grey",
    rowLabels: o.rowLabels ?? [],
    colLabels: o.colLabels ?? [],
    cells: o.cells.map((row) =>
      row.map((c) =>
        c
          ? {
            caption: c.caption ?? null,
            border: c.border ?? null,
            width: c.image.width,
            height: c.image.height,
            values: c.image.data instanceof Float32Array ? c.image.data : Array.from(c.image.data),
          }
          : null
      )
    ),
  };
  return await writeFigure(outBase, svg, data, opts);
}
