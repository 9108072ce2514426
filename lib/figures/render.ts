/**
 * From SVG text to files: PNG rasterisation with resvg (2× by default, DejaVu Sans loaded from
 * the npm package, no system fonts, nearest-neighbour image sampling), and the writer of a
 * figure's three files `<base>.svg`, `<base>.png`, `<base>.json`.
 *
 * @module
 */

import type { Resvg as ResvgClass } from "@resvg/resvg-js";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { FONT_FAMILY, fontFiles } from "./font.ts";
import { figureJson } from "./figure_json.ts";

// resvg is a native addon. It is loaded through a computed specifier so that a bundle of the
// entry for a GPU host (`deno bundle stages/main.ts`, run where there is no node_modules) leaves
// it out: training and data stages never draw, and a figure stage there fails on its first PNG
// with the reason below.
const RESVG_PACKAGE = "@resvg/resvg-js";
const resvg: { Resvg: typeof ResvgClass } | Error = await import(RESVG_PACKAGE).catch(
  (e: unknown) => e instanceof Error ? e : new Error(String(e)),
);

/** The scale PNGs are rendered at, relative to the SVG's CSS pixels. */
export const PNG_SCALE = 2;

/** Renders SVG text to PNG bytes at `scale`× its declared size. */
export function svgToPng(svg: string, scale: number = PNG_SCALE): Uint8Array {
  if (resvg instanceof Error) {
    throw new Error(
      `Cannot render a PNG: the npm package "${RESVG_PACKAGE}" did not load (${resvg.message}); ` +
        `run "deno install" where the figure stages run`,
    );
  }
  const renderer = new resvg.Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontFiles: fontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    // Nearest-neighbour for embedded images: heat maps and image grids keep square pixels.
    imageRendering: 1,
    logLevel: "off",
  });
  return new Uint8Array(renderer.render().asPng());
}

/** Paths of the files of one figure. */
export interface FigureFiles {
  /** `<base>.svg` */
  svg: string;
  /** `<base>.png` */
  png: string;
  /** `<base>.json`: the data drawn. */
  json: string;
}

/** Options of {@link writeFigure}. */
export interface WriteOptions {
  /** PNG scale (default {@link PNG_SCALE}). */
  scale?: number;
}

/**
 * Writes `<outBase>.svg`, `<outBase>.png` (rasterised from the SVG) and `<outBase>.json`
 * (`data`, the values the figure shows), creating the directory if needed.
 */
export async function writeFigure(
  outBase: string,
  svg: string,
  data: unknown,
  opts: WriteOptions = {},
): Promise<FigureFiles> {
  const files = { svg: outBase + ".svg", png: outBase + ".png", json: outBase + ".json" };
  await mkdir(dirname(outBase), { recursive: true });
  await writeFile(files.svg, svg);
  await writeFile(files.png, svgToPng(svg, opts.scale));
  await writeFile(files.json, figureJson(data));
  return files;
}
