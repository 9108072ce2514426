/**
 * The settings study on the landing pages: every item published under two or more profiles
 * (`figures/<profile>/<item>/checks.json`), its verdict and each deciding check's measured
 * value under each profile side by side, with links to each profile's figure. It reads only
 * what `publish` wrote, so it knows nothing of the stages: a row is any published folder whose
 * `checks.json` holds checks of its own item.
 *
 * @module
 */
import { join } from "node:path";
import type { Layout } from "./layout.ts";

/** One row of a `checks.json`, as the landing pages need it. */
export interface PublishedCheck {
  /** What is checked. */
  check: string;
  /** The measured value. */
  measured: unknown;
  /** The bar, or null for a reported row. */
  bar: unknown;
  /** The comparison, or `report`. */
  op: string;
  /** Whether it passed; null for a reported row. */
  pass: boolean | null;
}

/** An item's outcome under one profile. */
export interface ProfileOutcome {
  /** The profile. */
  profile: string;
  /** `pass` when every deciding check passes, `fail` when one fails, `reported` without any. */
  verdict: "pass" | "fail" | "reported";
  /** Its checks, in the order the stage wrote them. */
  checks: PublishedCheck[];
  /** The item's first figure, relative to `figures/`, when it has one. */
  figure: string | null;
}

/** An item published under several profiles. */
export interface ItemComparison {
  /** The item (its stage id). */
  item: string;
  /** One outcome per profile holding it, in the order the profiles were given. */
  outcomes: ProfileOutcome[];
}

function readChecks(path: string, item: string): PublishedCheck[] | null {
  try {
    const rows = JSON.parse(Deno.readTextFileSync(path));
    if (!Array.isArray(rows)) return null;
    const own = rows.filter((r) => r && r.item === item && typeof r.check === "string");
    return own.length ? own : null;
  } catch {
    return null;
  }
}

function firstFigure(layout: Layout, profile: string, item: string): string | null {
  for (const name of ["figure.png", "figure.svg"]) {
    try {
      Deno.statSync(join(layout.figures, profile, item, name));
      return `${profile}/${item}/${name}`;
    } catch { /* not there */ }
  }
  return null;
}

/** The verdict of a list of checks: any deciding failure fails; no deciding row is `reported`. */
export function verdictOf(checks: PublishedCheck[]): ProfileOutcome["verdict"] {
  const decided = checks.filter((c) => c.op !== "report");
  if (decided.length === 0) return "reported";
  return decided.every((c) => c.pass === true) ? "pass" : "fail";
}

/** Items published under at least two of `profiles`, sorted by id. */
export function compareProfiles(layout: Layout, profiles: string[]): ItemComparison[] {
  const byItem = new Map<string, ProfileOutcome[]>();
  for (const profile of profiles) {
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(join(layout.figures, profile))]
        .filter((e) => e.isDirectory).map((e) => e.name);
    } catch {
      continue;
    }
    for (const item of names) {
      const checks = readChecks(join(layout.figures, profile, item, "checks.json"), item);
      if (!checks) continue;
      const list = byItem.get(item) ?? [];
      list.push({
        profile,
        verdict: verdictOf(checks),
        checks,
        figure: firstFigure(layout, profile, item),
      });
      byItem.set(item, list);
    }
  }
  return [...byItem.entries()]
    .filter(([, outcomes]) => outcomes.length >= 2)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([item, outcomes]) => ({ item, outcomes }));
}

/** A number as the tables show it: four significant digits. */
function shown(v: unknown): string {
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  }
  if (typeof v === "boolean") return v ? "yes" : "no";
  return v === null || v === undefined ? "—" : JSON.stringify(v);
}

const VERDICT = { pass: "PASS", fail: "**FAIL**", reported: "reported" } as const;

/** One sentence on what the comparison finds, from the verdicts alone. */
export function comparisonSummary(items: ItemComparison[]): string {
  if (items.length === 0) return "No item has been published under two profiles yet.";
  const differ = items.filter((i) => new Set(i.outcomes.map((o) => o.verdict)).size > 1);
  const allFail = items.filter((i) => i.outcomes.every((o) => o.verdict === "fail"));
  const parts = [
    `${items.length} item${items.length === 1 ? "" : "s"} published under more than one profile`,
    differ.length
      ? `the verdict depends on the settings for ${differ.map((i) => `\`${i.item}\``).join(", ")}`
      : "no verdict depends on the settings",
    allFail.length
      ? `no profile reproduces ${allFail.map((i) => `\`${i.item}\``).join(", ")}`
      : "every item passes under at least one profile or is only reported",
  ];
  return parts.join("; ") + ".";
}

/** The comparison as Markdown (links relative to `figures/`). */
export function comparisonMarkdown(items: ItemComparison[]): string {
  const lines = ["## Settings side by side", "", comparisonSummary(items), ""];
  for (const { item, outcomes } of items) {
    lines.push(`### \`${item}\``, "");
    lines.push(
      `| check | ${outcomes.map((o) => o.profile).join(" | ")} |`,
      `| --- | ${outcomes.map(() => "---").join(" | ")} |`,
      `| verdict | ${outcomes.map((o) => VERDICT[o.verdict]).join(" | ")} |`,
    );
    // Rows match by position: the same code writes the same checks in the same order.
    const rows = Math.max(...outcomes.map((o) => o.checks.length));
    for (let i = 0; i < rows; i++) {
      const first = outcomes.find((o) => o.checks[i])!.checks[i];
      const cells = outcomes.map((o) => {
        const c = o.checks[i];
        if (!c) return "—";
        const mark = c.op === "report" ? "" : c.pass ? " ✓" : " ✗";
        return `${shown(c.measured)}${mark}`;
      });
      const bar = first.op === "report" ? " (reported)" : ` (${first.op} ${shown(first.bar)})`;
      lines.push(`| ${first.check.replaceAll("|", "\\|")}${bar} | ${cells.join(" | ")} |`);
    }
    const figs = outcomes.filter((o) => o.figure).map((o) => `[${o.profile}](${o.figure})`);
    if (figs.length) lines.push("", `Figures: ${figs.join(", ")}.`);
    lines.push("");
  }
  return lines.join("\n");
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The comparison as HTML (links relative to `figures/`), figures side by side. */
export function comparisonHtml(items: ItemComparison[]): string {
  const out = [
    "<h2>Settings side by side</h2>",
    `<p>${escapeHtml(comparisonSummary(items).replaceAll("`", ""))}</p>`,
  ];
  for (const { item, outcomes } of items) {
    out.push(`<h3>${escapeHtml(item)}</h3>`, "<table><tr><th>check</th>");
    for (const o of outcomes) out.push(`<th>${escapeHtml(o.profile)}</th>`);
    out.push("</tr><tr><td>verdict</td>");
    for (const o of outcomes) out.push(`<td>${VERDICT[o.verdict].replaceAll("*", "")}</td>`);
    out.push("</tr>");
    const rows = Math.max(...outcomes.map((o) => o.checks.length));
    for (let i = 0; i < rows; i++) {
      const first = outcomes.find((o) => o.checks[i])!.checks[i];
      const bar = first.op === "report" ? " (reported)" : ` (${first.op} ${shown(first.bar)})`;
      out.push(`<tr><td>${escapeHtml(first.check + bar)}</td>`);
      for (const o of outcomes) {
        const c = o.checks[i];
        const mark = !c || c.op === "report" ? "" : c.pass ? " ✓" : " ✗";
        out.push(`<td>${c ? escapeHtml(shown(c.measured)) + mark : "—"}</td>`);
      }
      out.push("</tr>");
    }
    out.push("</table><p>");
    for (const o of outcomes) {
      if (!o.figure) continue;
      out.push(
        `<a href="${escapeHtml(o.figure)}"><img src="${escapeHtml(o.figure)}" alt="${
          escapeHtml(`${item}, profile ${o.profile}`)
        }" width="420"></a>`,
      );
    }
    out.push("</p>");
  }
  return out.join("\n");
}
