/**
 * The table of `curves.md`: per training stage, and per run or seed where a stage trains
 * several models, the first and final logged value of each loss it minimises, their ratio and
 * how many steps were logged. Every number comes from the loss files.
 *
 * @module
 */

import { type Cell, type Table, tableToMarkdown } from "../../lib/figures/table.ts";
import type { StageLoss } from "../../lib/train/loss_file.ts";

/** One row of the table: one minimised loss of one run. */
export interface CurveSummary {
  /** Training stage id. */
  readonly stage: string;
  /** `run k`, `seed s`, or `""` for a stage's only model. */
  readonly run: string;
  /** Which loss: `total` (the objective of an autoencoder), `discriminator`, `generator`. */
  readonly loss: string;
  /** First logged value (null: nothing logged). */
  readonly first: number | null;
  /** Last logged value (null: nothing logged). */
  readonly final: number | null;
  /** final / first (null: nothing logged). */
  readonly ratio: number | null;
  /** Number of logged steps. */
  readonly logged: number;
  /** The last logged update number (null: nothing logged). */
  readonly lastStep: number | null;
}

/** Written where a stage logged nothing: an empty cell would look like a lost value. */
const NONE = "—";

/** The rows of the table, in the order of the stages, then runs, then losses. */
export function summarise(losses: readonly StageLoss[]): CurveSummary[] {
  const rows: CurveSummary[] = [];
  for (const s of losses) {
    if (s.runs.length === 0) {
      rows.push({
        stage: s.stage,
        run: "",
        loss: "total",
        first: null,
        final: null,
        ratio: null,
        logged: 0,
        lastStep: null,
      });
    }
    for (const run of s.runs) {
      for (const c of run.curves.filter((c) => c.role === "objective")) {
        const n = c.values.length;
        const first = n > 0 ? c.values[0] : null;
        const final = n > 0 ? c.values[n - 1] : null;
        rows.push({
          stage: s.stage,
          run: run.label,
          loss: c.name === "loss" ? "total" : c.name,
          first,
          final,
          ratio: first !== null && final !== null ? final / first : null,
          logged: n,
          lastStep: n > 0 ? run.steps[n - 1] : null,
        });
      }
    }
  }
  return rows;
}

/** The table of {@link summarise}'s rows. */
export function curvesTable(rows: readonly CurveSummary[]): Table {
  const num = (v: number | null): Cell => (v === null ? NONE : v);
  return {
    title: "Training losses: first and final logged value",
    columns: [
      "stage",
      "run",
      "loss",
      "first",
      "final",
      "final / first",
      "logged steps",
      "last step",
    ],
    rows: rows.map((r) => [
      `\`${r.stage}\``,
      r.run === "" ? NONE : r.run,
      r.loss,
      num(r.first),
      num(r.final),
      num(r.ratio),
      r.logged,
      num(r.lastStep),
    ]),
    align: ["left", "left", "left", "right", "right", "right", "right", "right"],
    digits: 4,
    notes: [
      "total: the loss each update minimises (data term + Σ λ · regulariser terms); " +
      "discriminator, generator: the DCGAN's two binary cross-entropies.",
      "final / first below 1: the loss went down. NaN: the training diverged. " +
      "0 logged steps: the stage ran no update in this profile.",
    ],
  };
}

/** `curves.md`: the table as Markdown. */
export function curvesMarkdown(losses: readonly StageLoss[]): string {
  return tableToMarkdown(curvesTable(summarise(losses)));
}
