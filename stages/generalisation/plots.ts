/**
 * Figure pieces shared by the hole, regularisation and λ items: the latent curve z(r) with
 * the hole shaded, per-radius errors, and image cells with a green (radius seen in training)
 * or red (not seen) border.
 *
 * @module
 */
import { COLOR, type GridCell, type GridLegendEntry, type Series } from "../../lib/figures/mod.ts";
import type { Interval } from "./metrics.ts";

/** Whether a radius lies in the hole (not seen in training). */
export function inHole(r: number, hole: Interval): boolean {
  return r >= hole[0] && r <= hole[1];
}

/** A 64×64 image cell with its radius caption and seen/unseen border. */
export function diskCell(image: Float32Array, r: number, hole: Interval, caption = true): GridCell {
  const size = Math.round(Math.sqrt(image.length));
  return {
    image: { width: size, height: size, data: image },
    ...(caption ? { caption: `r = ${r}` } : {}),
    border: inHole(r, hole) ? COLOR.unseen : COLOR.seen,
  };
}

/** Legend of the seen/unseen borders. */
export function borderLegend(hole: Interval): GridLegendEntry[] {
  return [
    { color: COLOR.seen, label: "radius seen in training" },
    { color: COLOR.unseen, label: `radius in the hole [${hole[0]}, ${hole[1]}], never seen` },
  ];
}

/** The shaded band of the hole, for line charts. */
export function holeBand(hole: Interval, label = "not in training") {
  return { from: hole[0], to: hole[1], label };
}

/** A series of z against r (or any per-radius value), optionally in a panel. */
export function radiusSeries(
  name: string,
  radii: readonly number[],
  values: readonly number[],
  extra: Partial<Series> = {},
): Series {
  return { name, x: radii, y: values, ...extra };
}

/** Numbers for text: 3 significant digits, exponent form below 0.01. */
export function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "n/a";
  return Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(2) : v.toPrecision(3);
}
