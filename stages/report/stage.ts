/**
 * The `report` stage: reads every listed stage's `checks.json` (and the figures and manifest
 * beside it), and the figures and tables of the training-curves stage when given it, and
 * writes `index.html` (self-contained, figures embedded), `REPORT.md` (figures as the relative
 * copies `<stage>--<file>` written beside it) and `report.json`.
 *
 * @module
 */

import { join, resolve } from "node:path";
import type { OutputRef, Stage } from "../../pipeline/stage.ts";
import { buildReport } from "./build.ts";
import { collectOutputs, collectStage } from "./collect.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { Report, StageEntry } from "./model.ts";
import { compareWithPaperScale, PAPER_SCALE_RUN } from "./paper_scale.ts";

/** Id of the report stage. */
export const REPORT_STAGE_ID = "report";

/** Files the report stage declares (the figure copies `<stage>--<file>` come beside them). */
export const REPORT_OUTPUTS = ["index.html", "REPORT.md", "report.json"] as const;

/** Options of {@link makeReportStage}. */
export interface ReportStageOptions {
  /**
   * The stage whose figures and tables (it writes no checks) make the "Training" section, and
   * one of its outputs, by which the report finds them: an input named after the stage.
   */
  readonly training?: { readonly stage: string; readonly file: string };
}

/**
 * Makes the report stage over the given stages: each becomes an input named after the stage,
 * `"<stage-id>:checks.json"`. Items of the catalogue whose stage is not listed are shown as
 * "not yet reproduced". With `options.training`, that stage's figures and tables make a
 * "Training" section after the items, outside the summary and the verdict counts. Run with
 * `reproduce --partial`, it is given only the inputs that are up to date and names the rest
 * (`Report.leftOut`).
 */
export function makeReportStage(
  stageIds: readonly string[],
  options: ReportStageOptions = {},
): Stage {
  const training = options.training;
  const seen = new Set<string>();
  for (const id of [...stageIds, ...(training ? [training.stage] : [])]) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) {
      throw new Error(
        `Cannot make the report stage over "${id}": stage ids are lower-case letters, digits ` +
          `and single dashes; fix the id`,
      );
    }
    if (id === REPORT_STAGE_ID) {
      throw new Error(`Cannot make the report stage over "${id}": it cannot report on itself`);
    }
    if (seen.has(id)) {
      throw new Error(
        `Cannot make the report stage over "${id}": it is listed twice; list it once`,
      );
    }
    seen.add(id);
  }
  const inputs: Record<string, OutputRef> = Object.fromEntries(
    stageIds.map((id) => [id, `${id}:checks.json` as OutputRef]),
  );
  if (training) inputs[training.stage] = `${training.stage}:${training.file}`;
  return {
    id: REPORT_STAGE_ID,
    description: "Reproduction report (HTML and Markdown) from every stage's checks and figures",
    module: import.meta.url,
    params: {
      paperScaleRun: {
        type: "string",
        default: PAPER_SCALE_RUN,
        doc:
          "report.json of a published paper-profile run, relative to the project: a quick run's report sets its verdicts against it (absent file: no comparison)",
      },
    },
    externalFiles: ["paperScaleRun"],
    inputs,
    outputs: REPORT_OUTPUTS,
    // The report is the front page of its profile: index.html and REPORT.md sit at the top of
    // figures/<profile>/, and the engine links it from figures/index.html.
    publish: "root",
    estimate: () => 2,
    async run(ctx) {
      const entries: StageEntry[] = [];
      const images = new Map<string, Uint8Array>();
      // Under `reproduce --partial` the engine hands over only the inputs that are up to date:
      // the others are named in the report, never read.
      const given = (id: string) => ctx.inputs[id] !== undefined;
      const leftOut = [...stageIds, ...(training ? [training.stage] : [])].filter((id) =>
        !given(id)
      );
      const present = stageIds.filter(given);
      for (const id of present) {
        const collected = await collectStage(id, ctx.inputs[id]);
        entries.push(collected.entry);
        for (const [name, bytes] of collected.images) images.set(name, bytes);
        for (const e of collected.entry.errors) ctx.log(`${id}: ${e}`);
        ctx.progress({ step: entries.length, total: present.length, phase: "reading stages" });
      }
      let trainingEntry: StageEntry | undefined;
      if (training && given(training.stage)) {
        const collected = await collectOutputs(training.stage, ctx.inputs[training.stage]);
        trainingEntry = collected.entry;
        for (const [name, bytes] of collected.images) images.set(name, bytes);
        for (const e of collected.entry.errors) ctx.log(`${training.stage}: ${e}`);
      }
      const built = buildReport(entries, {
        profile: ctx.profile,
        training: trainingEntry,
        leftOut,
      });
      const report = built.quick
        ? await withPaperScale(built, String(ctx.params.paperScaleRun), ctx.log)
        : built;
      await Deno.writeTextFile(ctx.outPath("index.html"), renderHtml(report, { images }));
      await Deno.writeTextFile(ctx.outPath("REPORT.md"), renderMarkdown(report));
      await Deno.writeTextFile(ctx.outPath("report.json"), JSON.stringify(report, null, 2) + "\n");
      // Copies for REPORT.md; names are unique because stage ids are, and contain no slash.
      for (const [name, bytes] of images) await Deno.writeFile(join(ctx.outDir, name), bytes);
      for (const entry of trainingEntry ? [...entries, trainingEntry] : entries) {
        for (const t of entry.tables) {
          await Deno.writeTextFile(join(ctx.outDir, t.name), t.markdown);
        }
      }
      const c = report.counts;
      ctx.log(
        `report: ${c.pass} pass, ${c.fail} fail, ${c.reported} reported, ${c.error} error, ` +
          `${c.missing} not yet reproduced, ${c.unavailable} not available; ${images.size} figures` +
          (leftOut.length ? `; partial: ${leftOut.length} stages left out` : ""),
      );
    },
  };
}

/**
 * A quick run's report with its verdicts set against the published paper-scale run named by
 * `paperScaleRun` (an external file: the engine resolves it against the project root, the
 * stage's working directory); without that file, the report as it is, and a log line.
 */
async function withPaperScale(
  report: Report,
  run: string,
  log: (message: string) => void,
): Promise<Report> {
  let text: string;
  try {
    text = await Deno.readTextFile(resolve(Deno.cwd(), run));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    log(`no paper-scale run at ${run}: the quick verdicts are not compared`);
    return report;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Cannot compare with the paper-scale run "${run}": it is not JSON (${
        (e as Error).message
      }); fix: --set report.paperScaleRun=<a published run's report.json>`,
    );
  }
  const againstPaperScale = compareWithPaperScale(report, run, json);
  const differ = againstPaperScale.rows.filter((r) => r.quick !== r.paperScale).length;
  log(
    `against the paper-scale run ${run}: ${
      againstPaperScale.rows.length - differ
    } of ${againstPaperScale.rows.length} verdicts agree`,
  );
  return { ...report, againstPaperScale };
}
