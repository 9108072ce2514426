/**
 * The quick profile's verdicts set against those of a published paper-scale run: the quick
 * profile exists to show the paper's findings at a fraction of the cost, so a quick verdict that
 * differs from the paper-scale one where that is known is a defect of the quick settings, not a
 * finding. The report of a quick run lists every item decided in both, whether the two agree,
 * and, where they differ, why (`QUICK_DIFFERENCES`, written from measurements).
 *
 * The reference is the `report.json` of a published run (`results/…`), read by the report stage
 * as an external file: its content hash is in the report's key, so publishing a new run redoes
 * the comparison.
 *
 * @module
 */
import { escapeMarkdownCell } from "./escape.ts";
import type { ItemStatus, Report, ScaleComparison, ScaleRow } from "./model.ts";

/** The published paper-scale run the quick profile is set against (relative to the project). */
export const PAPER_SCALE_RUN = "results/paper-cpu-2026-12-04/report.json";

/**
 * Why a quick verdict still differs from the paper-scale verdict, by item: what was measured, so
 * that a reader can tell an undertrained quick model from a finding. Shown only where the two
 * verdicts differ.
 */
export const QUICK_DIFFERENCES: Readonly<Record<string, string>> = {
  lambda: "the quick recipe (1,500 updates of 8 at learning rate 0.003) collapses λ = 10 to a " +
    "constant code, as it does 50 and 100, which leaves two runs and no correlation to decide. " +
    "Other quick recipes tried (2026-12-04; roughness at λ = 0.1, 1, 10, then Spearman): " +
    "batches of 32: 2.34, 2.74, 2.11 (0.5); 32 at 0.001: 2.00, 2.45, 1.95 (0.5); 64: 2.13, " +
    "2.32, 2.02 (0.5); 32 for 3,000 updates: 2.12, 2.03, collapsed; 8 at 0.001 for 3,000: " +
    "λ = 10 collapsed; the paper's batch and step (300 at 0.001) for 600 updates: 2.19, 2.92, " +
    "2.20 (λ = 50 collapsed, check failed); 100 at 0.002 for 1,500: 5.01, 2.40, λ = 10 " +
    "collapsed. Wherever λ = 10 keeps a code, λ = 1's is rougher than λ = 0.1's; the " +
    "paper-scale run (10,000 updates of 300) orders all three (2.50, 2.20, 2.03). The recipe " +
    "is shared with `reg` and `hole` (λ = 1 is `train-reg-psi3-s1`), whose quick verdicts agree",
};

const decided = (s: unknown): s is "pass" | "fail" => s === "pass" || s === "fail";

/**
 * Sets `report`'s verdicts against the parsed `report.json` of a paper-scale run (`reference`,
 * read from `run`). Throws `Cannot compare with the paper-scale run "<run>": …` when it is not a
 * report.
 */
export function compareWithPaperScale(
  report: Pick<Report, "sections">,
  run: string,
  reference: unknown,
  reasons: Readonly<Record<string, string>> = QUICK_DIFFERENCES,
): ScaleComparison {
  const refuse = (why: string): never => {
    throw new Error(
      `Cannot compare with the paper-scale run "${run}": ${why}; fix: publish a paper-profile ` +
        `run there (deno task publish) or --set report.paperScaleRun=<its report.json>`,
    );
  };
  const ref = reference as {
    profile?: unknown;
    finished?: unknown;
    sections?: { items?: { id?: unknown; status?: unknown }[] }[];
  } | null;
  if (ref === null || typeof ref !== "object" || !Array.isArray(ref.sections)) {
    refuse("it has no sections, so it is no report.json");
  }
  if (ref!.profile !== "paper") refuse(`its profile is ${JSON.stringify(ref!.profile)}, not paper`);
  const theirs = new Map<string, unknown>();
  for (const s of ref!.sections!) {
    for (const it of s.items ?? []) if (typeof it.id === "string") theirs.set(it.id, it.status);
  }
  const rows: ScaleRow[] = [];
  const unknown: string[] = [];
  for (const section of report.sections) {
    for (const it of section.items) {
      if (!decided(it.status)) continue;
      const other = theirs.get(it.id);
      if (!decided(other)) {
        unknown.push(it.id);
        continue;
      }
      const why = it.status !== other && reasons[it.id] ? { why: reasons[it.id] } : {};
      rows.push({ item: it.id, quick: it.status, paperScale: other, ...why });
    }
  }
  return {
    run,
    ...(typeof ref!.finished === "string" ? { finished: ref!.finished } : {}),
    rows,
    unknown,
  };
}

const VERDICT: Record<ItemStatus, string> = {
  pass: "PASS",
  fail: "**FAIL**",
  reported: "reported",
  missing: "not yet reproduced",
  error: "error",
  unavailable: "not available",
};

/** The section's title. */
export const SCALE_TITLE = "Quick profile against the paper-scale run";

/** The comparison as Markdown under its title: one sentence, then the table (HTML renders it). */
export function scaleMarkdown(c: ScaleComparison): string[] {
  const differ = c.rows.filter((r) => r.quick !== r.paperScale);
  return [
    `Verdicts of this quick run beside those of the published paper-scale run \`${c.run}\`` +
    (c.finished ? ` (finished ${c.finished.slice(0, 10)})` : "") +
    `: ${c.rows.length - differ.length} of ${c.rows.length} items decided in both agree` +
    (differ.length > 0
      ? `; ${differ.map((r) => `\`${r.item}\``).join(", ")} differ${
        differ.length === 1 ? "s" : ""
      }.`
      : ".") +
    (c.unknown.length > 0
      ? ` No paper-scale verdict yet for ${c.unknown.map((id) => `\`${id}\``).join(", ")}.`
      : ""),
    "",
    "| Item | Quick | Paper scale | Why they differ |",
    "| --- | --- | --- | --- |",
    ...c.rows.map((r) =>
      `| \`${r.item}\` | ${VERDICT[r.quick]} | ${VERDICT[r.paperScale]} | ${
        r.quick === r.paperScale ? "—" : escapeMarkdownCell(r.why ?? "no reason recorded")
      } |`
    ),
  ];
}
