/**
 * A vertical colour bar (the scale of an image grid or heatmap): the colour map drawn as an
 * embedded image with ticks and labels on its right and an optional rotated title.
 *
 * @module
 */

import type { ColormapName } from "./colormap.ts";
import { textWidth } from "./font_metrics.ts";
import { pngDataUri } from "./png.ts";
import { imageToRaster } from "./raster.ts";
import { PNG_SCALE } from "./render.ts";
import { num, svgLine, svgRect, svgText } from "./svg.ts";
import { COLOR, FONT_SIZE } from "./theme.ts";
import { formatTicks, niceTicks } from "./ticks.ts";

/** Options of {@link colorbar}. */
export interface ColorbarOptions {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Height of the bar in px. */
  length: number;
  /** Width of the bar in px (default 12). */
  thickness?: number;
  /** Values at the bottom and top of the bar. */
  range: readonly [number, number];
  /** Colour map. */
  colormap: ColormapName;
  /** Title written vertically to the right of the labels. */
  title?: string;
}

/** SVG elements of the bar and the width they take (from `x`). */
export interface ColorbarSvg {
  /** The elements. */
  elements: string[];
  /** Total width from `x` to the right end of the title. */
  width: number;
}

/** Builds a vertical colour bar; the bottom is `range[0]`, the top `range[1]`. */
export function colorbar(o: ColorbarOptions): ColorbarSvg {
  const thick = o.thickness ?? 12;
  const [lo, hi] = o.range;
  // 256 values from top (hi) to bottom (lo); the raster is drawn 2× so it stays sharp.
  const n = 256, data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = hi - (hi - lo) * (i / (n - 1));
  const raster = imageToRaster({ width: 1, height: n, data }, {
    range: [lo, hi],
    colormap: o.colormap,
    scaleX: thick * PNG_SCALE,
  });
  const el: string[] = [
    `<image x="${num(o.x)}" y="${num(o.y)}" width="${num(thick)}" height="${num(o.length)}" ` +
    `preserveAspectRatio="none" style="image-rendering:pixelated" href="${pngDataUri(raster)}"/>`,
    svgRect(o.x, o.y, thick, o.length, `fill="none" stroke="${COLOR.axis}" stroke-width="1"`),
  ];
  const ticks = hi > lo ? niceTicks(lo, hi, Math.max(2, Math.round(o.length / 40))) : [lo];
  const labels = formatTicks(ticks);
  let labelW = 0;
  ticks.forEach((t, i) => {
    const ty = hi > lo ? o.y + o.length * (hi - t) / (hi - lo) : o.y + o.length / 2;
    el.push(svgLine(o.x + thick, ty, o.x + thick + 4, ty, COLOR.axis));
    el.push(svgText(o.x + thick + 6, ty, labels[i], { size: FONT_SIZE.small, baseline: "middle" }));
    labelW = Math.max(labelW, textWidth(labels[i], FONT_SIZE.small));
  });
  let width = thick + 6 + Math.ceil(labelW);
  if (o.title) {
    const tx = o.x + width + 8;
    el.push(svgText(tx, o.y + o.length / 2, o.title, {
      size: FONT_SIZE.normal,
      anchor: "middle",
      baseline: "top",
      rotate: -90,
    }));
    width += 8 + Math.ceil(FONT_SIZE.normal * 1.1);
  }
  return { elements: el, width };
}
