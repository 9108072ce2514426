/**
 * The training-curves figure: small multiples, one panel per training stage (one per seed for
 * the DCGAN, whose two losses would otherwise make six lines in a panel), loss against update
 * on a log scale, each panel with its own scales.
 *
 * What a panel draws: a stage with one model, its total loss and the raw terms of it (where
 * there are several, so that a regulariser that grows while the total falls shows); a stage
 * with several runs, each run's total loss (their terms would make the panel unreadable); the
 * DCGAN, its discriminator and generator losses. A stage that logged no update (0 iterations
 * in the quick profile) gets no panel; the subtitle counts them and the table lists them.
 *
 * @module
 */

import type { LineChartOptions, Series } from "../../lib/figures/line_chart.ts";
import { COLOR, PALETTE } from "../../lib/figures/theme.ts";
import type { LossCurve, StageLoss, TrainingRun } from "../../lib/train/loss_file.ts";

/**
 * Panels per row: five keep the figure about 1,050 px wide, so the report (68rem wide) shows
 * it at about its own size; ~60 stages make twelve rows.
 */
export const CURVES_COLUMNS = 5;

/** How each kind of line is drawn; runs take {@link RUN_COLORS} in turn. */
const STYLE: Readonly<Record<string, Pick<Series, "color" | "dash">>> = {
  "total loss": { color: PALETTE[0], dash: "solid" },
  "data term": { color: PALETTE[7], dash: "dashed" },
  "regulariser term": { color: COLOR.text, dash: "dotted" },
  "discriminator loss": { color: PALETTE[6], dash: "solid" },
  "generator loss": { color: PALETTE[4], dash: "solid" },
};

/**
 * Colours of runs 0, 1, 2, …: run 0 (the model the other figures use) in the colour of the
 * total loss; the DCGAN's black and purple are left out, so no two run colours look alike.
 */
const RUN_COLORS: readonly string[] = [
  PALETTE[0],
  PALETTE[1],
  PALETTE[2],
  PALETTE[3],
  PALETTE[5],
  PALETTE[7],
];

/** The values a log axis can show: non-positive and non-finite ones become gaps (NaN). */
export function logValues(values: readonly number[]): number[] {
  return values.map((v) => (Number.isFinite(v) && v > 0 ? v : NaN));
}

function drawable(values: readonly number[]): boolean {
  return values.some((v) => Number.isFinite(v) && v > 0);
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function series(
  name: string,
  panel: string,
  run: TrainingRun,
  c: LossCurve,
  style = STYLE[name],
): Series {
  return { name, panel, x: run.steps, y: logValues(c.values), ...style };
}

/** The lines of a stage with one model and one objective: its terms, then the total loss. */
function singleRun(panel: string, run: TrainingRun): Series[] {
  const [objective, ...rest] = run.curves;
  // A term equal to the total (a stage with no regulariser) would only hide it.
  const terms = rest.filter((c) =>
    c.role !== "monitor" && drawable(c.values) && !sameValues(c.values, objective.values)
  );
  const regularisers = terms.filter((c) => c.role === "regulariser").length;
  const out = terms.map((c) => {
    // Names are unique within a panel (lines of the same name are joined), so two
    // regularisers in one stage are told apart by their names.
    const name = c.role === "data"
      ? "data term"
      : regularisers > 1
      ? `regulariser term: ${c.name}`
      : "regulariser term";
    return series(name, panel, run, c, STYLE[c.role === "data" ? "data term" : "regulariser term"]);
  });
  // The total last, drawn over its terms: the data term often lies right on it.
  return [...out, series("total loss", panel, run, objective)];
}

/** Panels and lines of one stage (none when it logged nothing drawable). */
export function stageSeries(s: StageLoss): Series[] {
  const runs = s.runs.filter((r) => r.steps.length > 0 && r.curves.some((c) => drawable(c.values)));
  const out: Series[] = [];
  for (const run of runs) {
    // The run's place in the file, not among the drawn runs: run k keeps its colour.
    const k = s.runs.indexOf(run);
    const objectives = run.curves.filter((c) => c.role === "objective");
    if (objectives.length > 1) {
      const panel = run.label === "" ? s.stage : `${s.stage} · ${run.label}`;
      for (const c of objectives) out.push(series(`${c.name} loss`, panel, run, c));
    } else if (runs.length > 1) {
      const name = run.label === "" ? `run ${k}` : run.label;
      out.push({
        ...series(name, s.stage, run, objectives[0]),
        color: RUN_COLORS[k % RUN_COLORS.length],
        dash: "solid",
      });
    } else {
      out.push(...singleRun(s.stage, run));
    }
  }
  return out;
}

/** The stages that get no panel: no logged update, or no finite positive loss to draw. */
export function undrawnStages(losses: readonly StageLoss[]): string[] {
  return losses.filter((s) => stageSeries(s).length === 0).map((s) => s.stage);
}

/** The options of the figure (for `renderLineChart`). */
export function curvesChart(losses: readonly StageLoss[]): LineChartOptions {
  const series = losses.flatMap(stageSeries);
  const undrawn = undrawnStages(losses);
  const drawn = losses.length - undrawn.length;
  const skipped = undrawn.length === 0
    ? ""
    : `; left out, nothing to draw (no update, or no finite loss): ${undrawn.length} ` +
      `stage${undrawn.length === 1 ? "" : "s"}, see curves.md`;
  return {
    title: "Training curves: loss (log scale) against update, every training stage",
    subtitle: `${drawn} stage${drawn === 1 ? "" : "s"}, own scales per panel; several runs: ` +
      `one line each (run 0 is the model the other figures use)${skipped}`,
    // No axis titles: sixty copies of "loss" and "update" would crowd the panels, and the title
    // says what the axes are. Short labels ("2k", "10k"): full numbers crowd the narrow panels.
    x: { title: "", compact: true },
    y: { title: "", type: "log" },
    series,
    columns: CURVES_COLUMNS,
    width: 160,
    height: 90,
    independent: "xy",
    legend: "bottom",
  };
}
