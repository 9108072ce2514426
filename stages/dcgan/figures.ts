/**
 * The figures of the `dcgan` item (P-Fig 14 and what explains it), drawn with the figure kit:
 *
 * - `projectionGrid`: test disks above their projections onto each seed's generator, across
 *   all radii and then zoomed on radii 8–21 (P-Fig 14's two panels), green / red borders for
 *   radii seen / not seen in training;
 * - `errorChart`: projection error against the radius, the hole shaded;
 * - `radiusChart`: radius of the projection against the radius of the test disk;
 * - `samplesGrid`: G(z) for evenly spaced z, one row per seed;
 * - `rangeChart`: radius of G(z) against z, the hole's radii marked;
 * - `lossChart`: the two losses during training, one panel per seed.
 *
 * @module
 */
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { renderLineChart, type Series } from "../../lib/figures/line_chart.ts";
import type { FigureFiles } from "../../lib/figures/render.ts";
import { COLOR, PALETTE } from "../../lib/figures/theme.ts";
import type { TrainingRun } from "../../lib/train/loss_file.ts";
import { inHole, nearestIndex } from "./metrics.ts";

/** The hole's bounds, for borders, bands and rules. */
export interface Hole {
  /** Smallest missing radius. */
  min: number;
  /** Largest missing radius. */
  max: number;
}

/** One seed's projections, for the grid. */
export interface SeedImages {
  /** Seed label. */
  seed: number;
  /** Projected images G(z*), one per test disk, side² values each. */
  projected: Float32Array;
}

const legend = (hole: Hole) => [
  { color: COLOR.seen, label: "radius seen in training" },
  { color: COLOR.unseen, label: `radius not seen (${hole.min}–${hole.max} px)` },
];

/** Test disks and their projections, all radii then the zoom on `zoomRadii`. */
export function projectionGrid(
  testImages: Float32Array,
  testRadii: ArrayLike<number>,
  seeds: readonly SeedImages[],
  side: number,
  columns: readonly number[],
  zoomRadii: readonly number[],
  hole: Hole,
  outBase: string,
): Promise<FigureFiles> {
  const P = side * side;
  const image = (data: Float32Array, i: number) => ({
    width: side,
    height: side,
    data: data.subarray(i * P, (i + 1) * P),
  });
  const rows = [];
  const labels: string[] = [];
  for (const [panel, radii] of [["all radii", columns], ["zoom", zoomRadii]] as const) {
    const idx = radii.map((r) => nearestIndex(testRadii, r));
    const border = (
      i: number,
    ) => (inHole(testRadii[i], hole.min, hole.max) ? COLOR.unseen : COLOR.seen);
    rows.push(
      idx.map((i) => ({
        image: image(testImages, i),
        caption: `r = ${testRadii[i].toFixed(1)}`,
        border: border(i),
      })),
    );
    labels.push(panel === "zoom" ? `zoom ${radii[0]}–${radii.at(-1)}: test disk` : "test disk");
    for (const s of seeds) {
      rows.push(idx.map((i) => ({ image: image(s.projected, i), border: border(i) })));
      labels.push(`projection, seed ${s.seed}`);
    }
  }
  return renderImageGrid({
    title: "Test disks and their best approximations G(z*) by DCGANs trained without radii " +
      `${hole.min}–${hole.max}`,
    rowLabels: labels,
    cells: rows,
    pixelScale: 1,
    gap: 4,
    legend: legend(hole),
  }, outBase);
}

/** Projection error against the test radius: one series per seed and their mean. */
export function errorChart(
  radii: ArrayLike<number>,
  perSeed: readonly { seed: number; error: ArrayLike<number> }[],
  mean: ArrayLike<number>,
  hole: Hole,
  outBase: string,
): Promise<FigureFiles> {
  const x = Array.from(radii);
  const floor = 1e-6; // a log axis cannot show an exact 0
  const clip = (e: ArrayLike<number>) => Array.from(e, (v) => Math.max(floor, v));
  const series: Series[] = perSeed.map((s, k) => ({
    name: `seed ${s.seed}`,
    x,
    y: clip(s.error),
    color: PALETTE[k % PALETTE.length],
  }));
  series.push({ name: "mean over seeds", x, y: clip(mean), color: "#000000", dash: "dashed" });
  return renderLineChart({
    title: "Error of the best projection onto the generator's range",
    x: { title: "radius r of the test disk (pixels)", domain: [0, 32] },
    y: { title: "per-pixel squared error ‖G(z*) − x‖² / 4096", type: "log" },
    series,
    bands: [{ from: hole.min, to: hole.max, label: "radii not in training" }],
    legend: "bottom",
  }, outBase);
}

/** Radius of the projection against the test radius. */
export function radiusChart(
  radii: ArrayLike<number>,
  perSeed: readonly { seed: number; radius: ArrayLike<number> }[],
  hole: Hole,
  outBase: string,
): Promise<FigureFiles> {
  const x = Array.from(radii);
  const series: Series[] = perSeed.map((s, k) => ({
    name: `seed ${s.seed}`,
    x,
    y: Array.from(s.radius),
    color: PALETTE[k % PALETTE.length],
  }));
  series.push({ name: "identity", x: [0, 32], y: [0, 32], color: "#999999", dash: "dotted" });
  return renderLineChart({
    title: "Radius of the projection G(z*) against the radius of the test disk",
    x: { title: "radius r of the test disk (pixels)", domain: [0, 32] },
    // √(4096 / π) ≈ 36.1 is the largest possible value (a white image).
    y: { title: "radius of G(z*), √(Σ pixels / π)", domain: [0, 36] },
    series,
    bands: [{ from: hole.min, to: hole.max, label: "radii not in training" }],
    legend: "bottom",
  }, outBase);
}

/** G(z) for evenly spaced z, one row per seed. */
export function samplesGrid(
  z: ArrayLike<number>,
  perSeed: readonly { seed: number; images: Float32Array }[],
  side: number,
  outBase: string,
): Promise<FigureFiles> {
  const P = side * side;
  return renderImageGrid({
    title: "Generator output G(z) across the prior's support z ∈ [−1, 1]",
    colLabels: Array.from(z, (v) => `z = ${v.toFixed(2)}`),
    rowLabels: perSeed.map((s) => `seed ${s.seed}`),
    cells: perSeed.map((s) =>
      Array.from(
        z,
        (_, j) => ({
          image: { width: side, height: side, data: s.images.subarray(j * P, (j + 1) * P) },
        }),
      )
    ),
    pixelScale: 1,
    gap: 4,
  }, outBase);
}

/** Radius of G(z) along z, with the hole's radii marked. */
export function rangeChart(
  grid: ArrayLike<number>,
  perSeed: readonly { seed: number; radius: ArrayLike<number> }[],
  hole: Hole,
  outBase: string,
): Promise<FigureFiles> {
  const x = Array.from(grid);
  return renderLineChart({
    title: "Radius of the generated disk along the latent code",
    x: { title: "latent code z (prior: uniform on [−1, 1])" },
    y: { title: "radius of G(z), √(Σ pixels / π)", domain: [0, 36] },
    series: perSeed.map((s, k) => ({
      name: `seed ${s.seed}`,
      x,
      y: Array.from(s.radius),
      color: PALETTE[k % PALETTE.length],
    })),
    rules: [
      { y: hole.min, label: `r = ${hole.min}`, labelAt: "start" },
      { y: hole.max, label: `r = ${hole.max}`, labelAt: "start" },
    ],
    legend: "bottom",
  }, outBase);
}

/** The losses during training, one panel per seed (the runs of `train-dcgan`'s loss file). */
export function lossChart(
  runs: readonly TrainingRun[],
  outBase: string,
): Promise<FigureFiles> {
  const curve = (run: TrainingRun, name: string) => {
    const c = run.curves.find((c) => c.name === name);
    if (!c) {
      throw new Error(
        `Cannot draw the DCGAN losses: ${run.label} logs no "${name}"; rerun train-dcgan`,
      );
    }
    return [...c.values];
  };
  const series: Series[] = runs.flatMap((run) => {
    const x = [...run.steps];
    return [
      { name: "D loss", panel: run.label, x, y: curve(run, "discriminator"), color: PALETTE[0] },
      { name: "G loss", panel: run.label, x, y: curve(run, "generator"), color: PALETTE[1] },
    ];
  });
  return renderLineChart({
    title: "DCGAN training losses (binary cross-entropy)",
    // SI format ("1k", "2k"): full numbers of neighbouring panels run into each other.
    x: { title: "iteration (one D and one G update)", compact: true },
    y: { title: "loss" },
    series,
    legend: "bottom",
  }, outBase);
}
