/**
 * Renders a gallery of the figure kit into a directory, for looking at the output by eye:
 * `deno run -A lib/figures/demo.ts <out-dir>`. Also a usage example of every helper.
 *
 * @module
 */

import { join } from "node:path";
import { renderLineChart } from "./line_chart.ts";
import { renderImageGrid } from "./image_grid.ts";
import { renderHeatmap } from "./heatmap.ts";
import { renderDiagram } from "./diagram.ts";
import { renderTable } from "./table.ts";
import type { ScalarImage } from "./raster.ts";
import { COLOR } from "./theme.ts";

/** A centred disk of radius r on an m×m grid with a soft (logistic, ~σ 0.5 px) edge. */
export function softDisk(m: number, r: number): ScalarImage {
  const data = new Float32Array(m * m), c = (m - 1) / 2;
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      const d = Math.hypot(x - c, y - c);
      data[y * m + x] = 1 / (1 + Math.exp(-(r - d) / 0.3));
    }
  }
  return { width: m, height: m, data };
}

async function main(outDir: string): Promise<void> {
  // Line chart with a shaded band, several series, a dashed one and points.
  const r = Array.from({ length: 61 }, (_, i) => i * 0.5);
  await renderLineChart({
    title: "Latent code against radius",
    x: { title: "radius r (pixels)" },
    y: { title: "latent code z" },
    series: [
      { name: "no regularisation", x: r, y: r.map((v) => 0.002 * v * v + 0.08 * Math.sin(v)) },
      { name: "ψ₃ (encoder weight decay)", x: r, y: r.map((v) => 0.0021 * v * v), dash: "dashed" },
      {
        name: "area πr² (scaled)",
        x: r.filter((_, i) => i % 4 === 0),
        y: r.filter((_, i) => i % 4 === 0).map((v) => 0.002 * v * v),
        mark: "point",
      },
    ],
    bands: [{ from: 11, to: 18, label: "radii not in training" }],
  }, join(outDir, "line_band"));

  // Small multiples: profiles through the centre, input (dashed) vs output, one panel per r.
  const t = Array.from({ length: 64 }, (_, i) => i);
  const radii = [4, 9, 14, 20, 26, 30];
  await renderLineChart({
    x: { title: "t (pixels)" },
    y: { title: "grey level", domain: [-0.05, 1.1] },
    series: radii.flatMap((rad) => {
      const d = softDisk(64, rad).data;
      const row = t.map((i) => d[32 * 64 + i]);
      return [
        {
          name: "input",
          panel: `r = ${rad}`,
          x: t,
          y: row,
          dash: "dashed" as const,
          color: "#555555",
        },
        {
          name: "output",
          panel: `r = ${rad}`,
          x: t,
          y: row.map((v) => 0.92 * v),
          color: "#0072B2",
        },
      ];
    }),
    columns: 3,
    legend: "bottom",
  }, join(outDir, "profiles_facets"));

  // Two panels with their own scales (a zoom), reference lines with labels.
  const rr = Array.from({ length: 121 }, (_, i) => i * 0.25);
  const recon = rr.map((v) => (v <= 18 ? v : 18 + 0.1 * (v - 18)));
  const zoom = rr.map((v, i) => [v, recon[i]]).filter(([v]) => v >= 14 && v <= 24);
  await renderLineChart({
    title: "Reconstructed radius, training radii limited to R = 18",
    x: { title: "input radius" },
    y: { title: "reconstructed radius" },
    series: [
      { name: "autoencoder", panel: "all radii", x: rr, y: recon },
      {
        name: "autoencoder",
        panel: "zoom near R",
        x: zoom.map((p) => p[0]),
        y: zoom.map((p) => p[1]),
      },
      {
        name: "identity",
        panel: "all radii",
        x: [0, 30],
        y: [0, 30],
        dash: "dotted",
        color: "#999999",
      },
    ],
    rules: [{ y: 18, label: "R = 18", labelAt: "start" }, {
      x: 18,
      label: "R",
      panel: "zoom near R",
    }],
    independent: "xy",
    legend: "bottom",
  }, join(outDir, "panels_rules"));

  // Loss curve on a log axis.
  const it = Array.from({ length: 100 }, (_, i) => (i + 1) * 100);
  await renderLineChart({
    title: "Training loss",
    x: { title: "iteration" },
    y: { title: "loss (mean squared error)", type: "log" },
    series: [
      { name: "seed 1", x: it, y: it.map((i) => 0.2 * Math.exp(-i / 1500) + 2e-4) },
      { name: "seed 2", x: it, y: it.map((i) => 0.25 * Math.exp(-i / 2500) + 4e-4) },
    ],
    legend: "top-right",
  }, join(outDir, "loss_log"));

  // Image grid: six disks, inputs and outputs, seen radii in green, unseen in red.
  const gridRadii = [5, 9, 12, 15, 19, 25];
  const seen = (rad: number) => rad < 11 || rad > 18;
  await renderImageGrid({
    title: "Autoencoding disks with a hole in the training radii",
    rowLabels: ["input", "output"],
    cells: [
      gridRadii.map((rad) => ({
        image: softDisk(64, rad),
        caption: `r = ${rad}`,
        border: seen(rad) ? COLOR.seen : COLOR.unseen,
      })),
      gridRadii.map((rad) => ({
        image: softDisk(64, seen(rad) ? rad : 0.6 * rad),
        border: seen(rad) ? COLOR.seen : COLOR.unseen,
      })),
    ],
    legend: [
      { color: COLOR.seen, label: "radius seen in training" },
      { color: COLOR.unseen, label: "radius not seen" },
    ],
  }, join(outDir, "grid_disks"));

  // Heatmap: normalised decoder outputs y(t) for increasing z (rows = z, columns = t).
  const nz = 120, nt = 64;
  const values = new Float32Array(nz * nt);
  for (let i = 0; i < nz; i++) {
    const pos = 2 + (59 * i) / (nz - 1);
    for (let j = 0; j < nt; j++) values[i * nt + j] = Math.max(0, 1 - Math.abs(j - pos) / 1.5);
  }
  await renderHeatmap({
    title: "Decoded Diracs for increasing z",
    values,
    rows: nz,
    cols: nt,
    x: { title: "position t" },
    y: { title: "latent code z", domain: [-1, 1] },
    colorbarTitle: "normalised output",
  }, join(outDir, "heatmap"));

  // Signed filters with a diverging map, each 3×3, with a colour bar.
  const filters = [[1, 2, 1], [0.9, 2.1, 1.1], [-1, -2, -1]].map((f) => ({
    image: { width: 3, height: 3, data: Float32Array.from([...f, ...f.map((v) => v * 0.5), ...f]) },
  }));
  await renderImageGrid({
    title: "Learned 3×3 filters",
    colLabels: ["layer 1", "layer 2", "layer 3"],
    cells: [filters],
    range: [-2.2, 2.2],
    colormap: "diverging",
    colorbar: true,
    colorbarTitle: "weight",
    pixelScale: 24,
  }, join(outDir, "grid_filters"));

  // Architecture diagram of the disk autoencoder (P-Tab 1).
  const depths = [1, 8, 4, 4, 3, 2, 1];
  const enc = depths.map((d, k) => ({
    name: k === 0 ? "input x" : k === 6 ? "code z" : `conv ${k}`,
    shape: [64 >> k, 64 >> k, d],
    op: k === 0 ? undefined : "conv 3×3, stride 2, leaky ReLU",
    group: k === 6 ? "code" : "encoder",
    note: k === 0 ? undefined : `${9 * depths[k - 1] * d + d} parameters`,
  }));
  const dec = depths.slice(0, 6).reverse().map((d, k) => ({
    name: k === 5 ? "output y" : `deconv ${k + 1}`,
    shape: [2 << k, 2 << k, d],
    op: "upsample ×2, conv 3×3, leaky ReLU",
    group: "decoder",
  }));
  await renderDiagram(
    { title: "Disk autoencoder, d = 1", layers: [...enc, ...dec] },
    join(outDir, "diagram"),
  );

  // A table, with its image.
  await renderTable(
    {
      title: "Hole error by regulariser (5 seeds)",
      columns: ["regulariser", "mean error in hole", "std", "monotone"],
      rows: [
        ["none", 0.04215, 0.0213, false],
        ["ψ₁ latent distance", 0.03871, 0.0102, false],
        ["ψ₂ weight decay (enc+dec)", 0.01204, 0.00081, true],
        ["ψ₃ weight decay (enc)", 0.004417, 0.000312, true],
      ],
      notes: ["Errors are per-pixel mean squared errors over radii 11–18."],
    },
    join(outDir, "table"),
    { image: true },
  );
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: deno run -A lib/figures/demo.ts <out-dir>");
    Deno.exit(2);
  }
  await main(dir);
  console.log(`figures written to ${dir}`);
}
