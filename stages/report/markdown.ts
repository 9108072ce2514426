/**
 * Renders the report as Markdown (`REPORT.md`), with figures referenced as relative files (the
 * copies `<stage>--<file>` written beside it) and stage tables included verbatim. Pure.
 *
 * @module
 */

import { SCALE_TITLE, scaleMarkdown } from "./paper_scale.ts";
import { escapeMarkdownCell as cell } from "./escape.ts";
import {
  formatBar,
  formatDuration,
  formatMeasured,
  formatTime,
  formatValue,
  shortKey,
} from "./format.ts";
import type {
  FigureSection,
  ItemStatus,
  Provenance,
  Report,
  ReportCheck,
  ReportItem,
} from "./model.ts";
import { profileText } from "./model.ts";
import { isNotAvailable, NOT_AVAILABLE_KEY } from "../../lib/common/not_available.ts";
import { PAPER_TITLE, partialBanner, QUICK_CAVEAT } from "./build.ts";

/** How each verdict is written in Markdown (failures in bold, to stand out in plain text). */
export const STATUS_MARKDOWN: Readonly<Record<ItemStatus, string>> = {
  pass: "PASS",
  fail: "**FAIL**",
  reported: "reported",
  missing: "not yet reproduced",
  error: "**ERROR**",
  unavailable: "not available",
};

function checkStatus(c: ReportCheck): ItemStatus {
  if (isNotAvailable(c)) return "unavailable";
  return c.pass === true ? "pass" : c.pass === false ? "fail" : "reported";
}

/** Renders the whole report as a Markdown document. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [`# ${report.title}`, ""];
  out.push(
    `Newson, Almansa, Gousseau, Ladjal, “${PAPER_TITLE}”, and the talk “Understanding ` +
      `Geometric Attributes with Autoencoders” (Newson, 2019).`,
    "",
  );
  if (report.quick) {
    out.push(
      "> **Quick profile.** These results come from the quick profile: fewer training steps " +
        "and smaller sets than the paper. A failing check here may not fail in the paper " +
        "profile.",
      "",
    );
  }
  const partial = partialBanner(report, (id) => `\`${id}\``);
  if (partial) out.push(`> **Partial report.** ${partial}`, "");
  const c = report.counts;
  out.push(
    `- Profile: ${profileText(report)}`,
    `- Backends: ${report.backends.length > 0 ? report.backends.join("; ") : "—"}`,
    `- Results finished: ${report.finished ? formatTime(report.finished) : "—"}`,
    `- Items: ${c.pass} pass, ${c.fail} fail, ${c.reported} reported, ${c.error} error, ` +
      `${c.missing} not yet reproduced` +
      (c.unavailable > 0 ? `, ${c.unavailable} not available` : ""),
    "",
    "## Summary",
    "",
    "| Item | Source | Check | Measured | Bar | Verdict |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const section of report.sections) {
    for (const it of section.items) {
      const id = `\`${it.id}\``;
      const source = cell(it.catalogue?.source ?? "—");
      if (it.checks.length === 0) {
        const what = it.status === "missing"
          ? `*not yet reproduced*: ${cell(it.catalogue?.check ?? "")}`
          : it.status === "error"
          ? `*results could not be read*: ${cell(it.errors[0] ?? "")}`
          : cell(it.catalogue?.check ?? "—");
        out.push(`| ${id} | ${source} | ${what} | — | — | ${STATUS_MARKDOWN[it.status]} |`);
        continue;
      }
      for (const ch of it.checks) {
        out.push(
          `| ${id} | ${source} | ${cell(ch.check)} | ${cell(formatMeasured(ch.measured))} | ` +
            `${cell(formatBar(ch.op, ch.bar))} | ${STATUS_MARKDOWN[checkStatus(ch)]} |`,
        );
      }
    }
  }
  out.push("");
  if (report.againstPaperScale) {
    out.push(`## ${SCALE_TITLE}`, "", ...scaleMarkdown(report.againstPaperScale), "");
  }
  for (const section of report.sections) {
    out.push(`## ${section.title}`, "");
    for (const it of section.items) out.push(...renderItem(it), "");
  }
  if (report.training) out.push(...renderFigureSection(report.training), "");
  if (report.unreproducible.length > 0) {
    out.push(
      "## Kept on the list, not reproduced here",
      "",
      "| Source | What | Why not |",
      "| --- | --- | --- |",
      ...report.unreproducible.map((u) =>
        `| ${cell(u.source)} | ${cell(u.what)} | ${cell(u.reason)} |`
      ),
      "",
    );
  }
  out.push(
    "---",
    "",
    "Written by the `report` stage from each stage's `checks.json`, figures and cache " +
      "manifest. Bars are this project's acceptance bars for the paper's claims; a failing " +
      "check is a finding.",
    "",
  );
  return out.join("\n");
}

function renderItem(it: ReportItem): string[] {
  const cat = it.catalogue;
  const out: string[] = [
    `### \`${it.id}\` — ${cat ? cat.title : "checks of an item the catalogue does not list"} ` +
    `(${STATUS_MARKDOWN[it.status]})`,
    "",
  ];
  if (cat) {
    out.push(
      `*Source:* ${cat.source}`,
      "",
      `**Paper:** ${cat.claim}`,
      "",
      `**Check:** ${cat.check}`,
      "",
    );
  }
  if (it.status === "missing") {
    out.push(`*Not yet reproduced: no stage \`${cat?.stage ?? it.id}\` was part of this run.*`, "");
  }
  if (it.status === "unavailable") {
    const why = it.checks.map((ch) => String(ch.details?.[NOT_AVAILABLE_KEY]));
    out.push(`*Not available: ${[...new Set(why)].join("; ")}.*`, "");
  }
  if (it.checks.length > 0) {
    const several = it.checks.some((x) => x.stage !== it.checks[0].stage);
    out.push("| Measured quantity | Measured | Bar | Verdict |", "| --- | --- | --- | --- |");
    for (const ch of it.checks) {
      let what = cell(ch.check);
      if (several) what += ` (stage \`${ch.stage}\`)`;
      if (ch.pass === false && ch.quick) what += ` — *${QUICK_CAVEAT}*`;
      out.push(
        `| ${what} | ${cell(formatMeasured(ch.measured))} | ${cell(formatBar(ch.op, ch.bar))} | ` +
          `${STATUS_MARKDOWN[checkStatus(ch)]} |`,
      );
    }
    out.push("");
    const withDetails = it.checks.filter((ch) => ch.details && Object.keys(ch.details).length > 0);
    for (const ch of withDetails) {
      out.push(`Details of “${ch.check}”:`, "");
      for (const [k, v] of Object.entries(ch.details ?? {})) {
        out.push(`- ${k}: \`${formatValue(v).replaceAll("`", "'")}\``);
      }
      out.push("");
    }
  }
  out.push(...renderOutputs(it));
  for (const p of it.provenance) out.push(`<sub>${provenanceLine(p)}</sub>`, "");
  if (out[out.length - 1] === "") out.pop();
  return out;
}

/** A section of figures and tables without checks (the training curves). */
function renderFigureSection(section: FigureSection): string[] {
  const out: string[] = [`## ${section.title}`, "", section.intro, "", ...renderOutputs(section)];
  out.push(`<sub>${provenanceLine(section.provenance)}</sub>`);
  return out;
}

/** The figures, tables, errors and notes of an item or a figure section, in that order. */
function renderOutputs(
  o: Pick<ReportItem, "figures" | "tables" | "errors"> & { readonly notes?: readonly string[] },
): string[] {
  const out: string[] = [];
  const notes = o.notes ?? [];
  for (const f of o.figures) out.push(`![${f.stage}/${f.file}](${encodeURI(f.name)})`, "");
  for (const t of o.tables) out.push(t.markdown.trim(), "", `*(${t.stage}/${t.file})*`, "");
  for (const e of o.errors) out.push(`- **error:** ${e}`);
  for (const n of notes) out.push(`- note: ${n}`);
  if (o.errors.length + notes.length > 0) out.push("");
  return out;
}

/** One line of provenance: stage, key, profile, backend, adapter, seeds, duration, time. */
export function provenanceLine(p: Provenance): string {
  const bits: string[] = [`stage \`${p.stage}\``];
  if (!p.manifest) return [...bits, "no cache manifest found"].join(" · ");
  if (p.key) bits.push(`key \`${shortKey(p.key)}\``);
  if (p.profile) bits.push(`profile ${p.profile}`);
  if (p.backend) bits.push(`backend ${p.backend}`);
  if (p.adapter) bits.push(`adapter ${p.adapter}`);
  if (p.seeds) bits.push(Object.entries(p.seeds).map(([k, v]) => `seed ${k} ${v}`).join(", "));
  if (p.durationMs !== undefined) bits.push(`ran ${formatDuration(p.durationMs)}`);
  if (p.finished) bits.push(`finished ${formatTime(p.finished)}`);
  if (p.deno) bits.push(`Deno ${p.deno}`);
  return bits.join(" · ").replaceAll("<", "&lt;");
}
