/**
 * The figure kit shared by every experiment stage: charts (vega-lite → SVG → 2× PNG), image
 * grids, heatmaps, tables and architecture diagrams, all in one theme with DejaVu Sans, all
 * deterministic (same inputs, same bytes). Each `render*` function writes `<base>.svg`,
 * `<base>.png` and `<base>.json` (the data drawn); tables write `<base>.md` and `<base>.json`.
 *
 * Gallery: `deno run -A lib/figures/demo.ts <out-dir>`.
 *
 * @module
 */

export * from "./chart.ts";
export * from "./colorbar.ts";
export * from "./colormap.ts";
export * from "./diagram.ts";
export * from "./figure_json.ts";
export * from "./font.ts";
export * from "./font_metrics.ts";
export * from "./heatmap.ts";
export * from "./image_grid.ts";
export * from "./line_chart.ts";
export * from "./png.ts";
export * from "./raster.ts";
export * from "./render.ts";
export * from "./svg.ts";
export * from "./table.ts";
export * from "./theme.ts";
export * from "./ticks.ts";
