/**
 * The `training-curves` stage: reads the `loss.json` of every training stage it is given and
 * draws their losses against the update (`figure.*`, see `chart.ts`), with the first and final
 * values in a table (`curves.md`, see `summary.ts`), so that one look tells whether every
 * model converged. Nothing here is a claim of the paper: no `checks.json`.
 *
 * @module
 */

import type { AnyStage, OutputRef, Stage } from "../../pipeline/stage.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { curvesChart, undrawnStages } from "./chart.ts";
import { readLossFile, type StageLoss } from "../../lib/train/loss_file.ts";
import { LOSS_FILE } from "../../lib/train/training_stage.ts";
import { curvesMarkdown } from "./summary.ts";

/** Id of the training-curves stage. */
export const TRAINING_CURVES_ID = "training-curves";

/** The table's file among the stage's outputs. */
export const CURVES_TABLE = "curves.md";

/** Outputs of the stage: the figure's three files and the table. */
export const TRAINING_CURVES_OUTPUTS = [
  "figure.svg",
  "figure.png",
  "figure.json",
  CURVES_TABLE,
] as const;

/** Stage ids are input names here: the engine's id rule, so that both stay valid. */
const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A training stage: one that says so (`training: true`); it writes its curve to `loss.json`. */
export function isTrainingStage(stage: AnyStage): boolean {
  return stage.training === true;
}

function refuse(id: string, why: string, fix: string): never {
  throw new Error(`Cannot make the ${TRAINING_CURVES_ID} stage over "${id}": ${why}; ${fix}`);
}

/** The line under the table naming the trainings a partial run left out (none: empty). */
export function leftOutMarkdown(ids: readonly string[], profile: string): string {
  if (ids.length === 0) return "";
  return `\nLeft out of this partial run, for want of an up-to-date result in the ${profile} ` +
    `profile (${ids.length}): ${ids.map((id) => `\`${id}\``).join(", ")}.\n`;
}

/**
 * Makes the stage over the given training stages, in the order given (the figure's panels
 * and the table's rows follow it): one input per stage, named after it, `"<id>:loss.json"`.
 * Under `reproduce --partial` it draws the trainings it is given and names the others.
 */
export function makeTrainingCurvesStage(trainingStages: readonly AnyStage[]): Stage {
  if (trainingStages.length === 0) {
    refuse("", "no training stage was given", "pass the stages whose outputs include loss.json");
  }
  const seen = new Set<string>();
  for (const s of trainingStages) {
    if (!ID_RE.test(s.id)) {
      refuse(s.id, "stage ids are lower-case letters, digits and dashes", "fix the id");
    }
    if (s.id === TRAINING_CURVES_ID) refuse(s.id, "it cannot read itself", "leave it out");
    if (seen.has(s.id)) refuse(s.id, "it is listed twice", "list it once");
    if (!isTrainingStage(s)) {
      refuse(s.id, `it writes no ${LOSS_FILE} loss curve`, "pass training stages only");
    }
    seen.add(s.id);
  }
  const ids = trainingStages.map((s) => s.id);
  const inputs: Record<string, OutputRef> = Object.fromEntries(
    ids.map((id) => [id, `${id}:${LOSS_FILE}` as OutputRef]),
  );
  return {
    id: TRAINING_CURVES_ID,
    description: "Loss against update of every training stage (did each model converge?)",
    module: import.meta.url,
    params: {},
    inputs,
    outputs: TRAINING_CURVES_OUTPUTS,
    // Measured on a 2-core CPU: 2.3 s for 50 stages, nearly all of it vega and resvg drawing.
    estimate: () => 1 + 0.05 * ids.length,
    async run(ctx) {
      // Under `reproduce --partial` the engine hands over only the trainings that are up to
      // date; the table names the others.
      const given = ids.filter((id) => ctx.inputs[id] !== undefined);
      const leftOut = ids.filter((id) => ctx.inputs[id] === undefined);
      if (given.length === 0) {
        throw new Error(
          `Cannot draw the training curves: the stage was given no loss file; ` +
            `fix: run it through the engine (deno task reproduce ${TRAINING_CURVES_ID})`,
        );
      }
      const losses: StageLoss[] = [];
      for (const id of given) {
        losses.push(await readLossFile(id, ctx.inputs[id]));
        ctx.progress({ step: losses.length, total: given.length, phase: "reading loss files" });
      }
      await Deno.writeTextFile(
        ctx.outPath(CURVES_TABLE),
        curvesMarkdown(losses) + leftOutMarkdown(leftOut, ctx.profile),
      );
      ctx.progress({ step: ids.length, total: ids.length, phase: "drawing" });
      await renderLineChart(curvesChart(losses), ctx.outPath("figure"), {
        onWarning: (m) => ctx.log(`figure: ${m}`),
      });
      const undrawn = undrawnStages(losses);
      ctx.log(
        `${losses.length} training stages read; ${losses.length - undrawn.length} drawn` +
          (undrawn.length > 0 ? `; nothing to draw for ${undrawn.join(", ")}` : "") +
          (leftOut.length > 0 ? `; left out (not up to date): ${leftOut.join(", ")}` : ""),
      );
    },
  };
}
