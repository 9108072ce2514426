/**
 * What the decoder stages (`dec`, `dec-onehot`) share: decoding a grid of positions with a
 * trained position decoder, scoring where each output peaks, and drawing P-Fig 10 (the
 * normalised outputs for increasing z, as an image and as overlaid curves) and the peak
 * errors.
 *
 * "The position that z decodes to" is the position a the training paired with z: the
 * training sets hold (z, y_a) with z = a or z = a / (n − 1) (`diracs.ts`), so a decoder that
 * works puts the peak of D(z) within a sample of a(z).
 *
 * @module
 */
import { renderHeatmap } from "../../lib/figures/heatmap.ts";
import { renderLineChart, type Series } from "../../lib/figures/line_chart.ts";
import { PALETTE } from "../../lib/figures/theme.ts";
import { decodeBatched } from "../../lib/ml/analysis.ts";
import { type CodeScale, dirac, positionToCode } from "./diracs.ts";
import { diracShapeErrors, normaliseRows, type PeakErrors, peakErrors } from "./metrics.ts";
import { type PositionRuns, runModel } from "./train_position.ts";

/** The peak tolerance of the catalogue's check, in samples. */
export const PEAK_TOLERANCE = 1;

/** Share of seeds above which a decoder's success is what training usually gives (P§5.4). */
export const SEED_MAJORITY = 0.5;

/** One decoder run on the test grid. */
export interface DecodedRun {
  /** Run index. */
  index: number;
  /** Training seed. */
  seed: number;
  /** Final training loss. */
  finalLoss: number;
  /** Raw outputs, rows = test positions, n columns. */
  outputs: Float32Array;
  /** Peak errors against the test positions. */
  errors: PeakErrors;
  /** RMS distance of the normalised outputs to the normalised y_a, at integer a and between. */
  shape: { atIntegers: number; between: number };
}

/** Decodes every test position with every run of a decoder stage (backend ready). */
export async function decodeRuns(
  runs: PositionRuns,
  positions: readonly number[],
  n: number,
  scale: CodeScale,
): Promise<DecodedRun[]> {
  const codes = Float32Array.from(positions, (a) => positionToCode(a, n, scale));
  const out: DecodedRun[] = [];
  for (const run of runs.runs) {
    const model = runModel(runs, run.index);
    try {
      const outputs = await decodeBatched(model, codes);
      out.push({
        index: run.index,
        seed: run.seed,
        finalLoss: run.finalLoss,
        outputs,
        errors: peakErrors(outputs, n, positions, PEAK_TOLERANCE),
        shape: diracShapeErrors(outputs, n, positions, (a) => dirac("triangular", n, a)),
      });
    } finally {
      model.dispose();
    }
  }
  return out;
}

/** Peak errors split between integer test positions (one-hot training points) and the rest. */
export function splitIntegerErrors(positions: readonly number[], errors: readonly number[]) {
  let atIntegers = 0, between = 0;
  for (let i = 0; i < positions.length; i++) {
    if (Number.isInteger(positions[i])) atIntegers = Math.max(atIntegers, errors[i]);
    else between = Math.max(between, errors[i]);
  }
  return { maxErrorAtIntegers: atIntegers, maxErrorBetween: between };
}

/** The positions whose outputs are overlaid in the curves figure: eight, spread, mostly between integers. */
export function curvePositions(n: number): number[] {
  return Array.from({ length: 8 }, (_, k) => Math.round((2 + ((n - 5) * k) / 7) * 10) / 10);
}

/** Options of {@linkcode renderDecoderFigures}. */
export interface DecoderFigureOptions {
  /** What the decoder was trained on, for legends, e.g. "triangular Diracs, continuous a". */
  trainedOn: string;
  /** The same in two or three words, for titles, e.g. "triangular Diracs". */
  short: string;
  /** Signal size. */
  n: number;
  /** Code scale of the training set. */
  scale: CodeScale;
  /** Test positions (rows). */
  positions: readonly number[];
  /** Every run decoded, run 0 first (the heatmap and the curves show run 0). */
  runs: readonly DecodedRun[];
  /**
   * Another decoder's peak errors to draw beside this one's, per run (e.g. `dec`'s in
   * `dec-onehot`): run k's beside run k's.
   */
  compare?: { name: string; positions: readonly number[]; errors: readonly (readonly number[])[] };
  /** Output base paths: `figure`, `curves`, `peaks`. */
  outPath: (base: string) => string;
}

/** Writes `figure` (heatmap), `curves` and `peaks` (each .svg, .png, .json). */
export async function renderDecoderFigures(o: DecoderFigureOptions): Promise<void> {
  const { n, positions } = o;
  const run = o.runs[0];
  const normalised = normaliseRows(run.outputs, n);
  let lo = 0;
  for (const v of normalised) lo = Math.min(lo, v);
  const z0 = positionToCode(positions[0], n, o.scale),
    z1 = positionToCode(positions[positions.length - 1], n, o.scale);
  const zTitle = o.scale === "samples" ? "code z (= position a)" : `code z (= a / ${n - 1})`;
  await renderHeatmap({
    title: `Normalised decoder outputs for increasing z (${o.short})`,
    values: normalised,
    rows: positions.length,
    cols: n,
    x: { title: "t (sample)" },
    y: { title: zTitle, domain: [z0, z1] },
    range: [Math.min(0, Math.floor(lo * 10) / 10), 1],
    colorbarTitle: "y(t) / max |y|",
    width: 8 * n,
    height: 320,
  }, o.outPath("figure"));

  // Overlaid curves for a few positions, each with a dotted line at its target.
  const t = Array.from({ length: n }, (_, i) => i);
  const chosen = curvePositions(n);
  const series: Series[] = [];
  const rules = [];
  for (const [k, a] of chosen.entries()) {
    let best = 0;
    for (let i = 1; i < positions.length; i++) {
      if (Math.abs(positions[i] - a) < Math.abs(positions[best] - a)) best = i;
    }
    const name = `a = ${positions[best].toFixed(1)}`;
    series.push({
      name,
      x: t,
      y: normalised.subarray(best * n, (best + 1) * n),
      color: PALETTE[k % PALETTE.length],
    });
    rules.push({ x: positions[best] });
  }
  await renderLineChart({
    title: `Normalised decoder outputs, overlaid (${o.short})`,
    subtitle: "dashed lines: the positions a the codes stand for",
    x: { title: "t (sample)", domain: [0, n - 1] },
    y: { title: "y(t) / max |y|" },
    series,
    rules,
    width: 520,
    legend: "right",
  }, o.outPath("curves"));

  // One panel per run: this decoder's errors, the other decoder's of the same run index,
  // and those of the exact y_a (it peaks at the nearest integer: rounding only).
  const exact = new Float32Array(positions.length * n);
  positions.forEach((a, i) => exact.set(dirac("triangular", n, a), i * n));
  const rounding = peakErrors(exact, n, positions).errors;
  const peakSeries: Series[] = [];
  const several = o.runs.length > 1;
  for (const r of o.runs) {
    const other = o.compare?.errors[r.index];
    const panel = several
      ? `run ${r.index}: largest ${r.errors.maxError.toFixed(1)}` +
        (other ? ` (dashed: ${Math.max(...other).toFixed(1)})` : "")
      : undefined;
    peakSeries.push({
      name: o.trainedOn,
      panel,
      x: positions,
      y: r.errors.errors,
      color: PALETTE[0],
    });
    if (o.compare && other) {
      peakSeries.push({
        name: o.compare.name,
        panel,
        x: o.compare.positions,
        y: other,
        color: PALETTE[1],
        dash: "dashed",
      });
    }
    peakSeries.push({
      name: "exact y_a (rounding only)",
      panel,
      x: positions,
      y: rounding,
      color: "#999999",
      dash: "dotted",
    });
  }
  await renderLineChart({
    title: "Where the decoded Dirac peaks: |argmax_t D(z)(t) − a|",
    subtitle:
      `run 0: largest ${run.errors.maxError.toFixed(2)} at a = ${
        run.errors.worstPosition.toFixed(1)
      }; ` +
      `${(100 * run.errors.fractionWithin).toFixed(1)} % of ${positions.length} positions within ` +
      `${PEAK_TOLERANCE} sample (the bar, dashed)` + (several ? "; one panel per run (seed)" : ""),
    x: { title: "position a (z = its code)" },
    y: { title: "peak error (samples)", zero: true },
    series: peakSeries,
    rules: [{ y: PEAK_TOLERANCE }],
    ...(several
      ? { columns: Math.min(3, o.runs.length), independent: "y" as const }
      : { width: 520 }),
    legend: "bottom",
  }, o.outPath("peaks"));
}
