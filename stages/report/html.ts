/**
 * Renders the report as one self-contained HTML file: figures embedded as data URIs, the
 * stylesheet inlined, and a Content-Security-Policy that forbids fetching anything, so the file
 * can be mailed, archived and opened offline. Pure: same report and images, same bytes.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  formatBar,
  formatDuration,
  formatMeasured,
  formatTime,
  formatValue,
  shortKey,
} from "./format.ts";
import { escapeHtml as esc, htmlWithCode as text } from "./escape.ts";
import { markdownToHtml } from "./markdown_table.ts";
import type {
  FigureRef,
  FigureSection,
  ItemStatus,
  Provenance,
  Report,
  ReportCheck,
  ReportItem,
} from "./model.ts";
import { profileText } from "./model.ts";
import { PAPER_TITLE, partialBanner, QUICK_CAVEAT } from "./build.ts";
import { REPORT_CSS } from "./style.ts";
import { SCALE_TITLE, scaleMarkdown } from "./paper_scale.ts";
import { isNotAvailable, NOT_AVAILABLE_KEY } from "../../lib/common/not_available.ts";

/** Options of `renderHtml`. */
export interface HtmlOptions {
  /** Figure bytes by report name (`<stage>--<file>`); figures without bytes link to the copy. */
  readonly images?: ReadonlyMap<string, Uint8Array>;
  /**
   * Adds a script that, once the page has loaded, writes into `<html>` the attributes
   * `data-images-ok="<loaded>/<total>"` and `data-images-broken` (their alt texts), for a
   * headless browser to read. Off in the real report, whose policy allows no script at all.
   */
  readonly testMode?: boolean;
}

/** Label of each verdict in badges. */
export const STATUS_LABEL: Readonly<Record<ItemStatus, string>> = {
  pass: "pass",
  fail: "fail",
  reported: "reported",
  missing: "not yet",
  error: "error",
  unavailable: "not available",
};

function badge(status: ItemStatus): string {
  return `<span class="badge ${status}">${STATUS_LABEL[status]}</span>`;
}

/** The verdict of one check: pass, fail, reported (no bar), or not available. */
function checkStatus(c: ReportCheck): ItemStatus {
  if (isNotAvailable(c)) return "unavailable";
  return c.pass === true ? "pass" : c.pass === false ? "fail" : "reported";
}

function anchor(id: string): string {
  return `item-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

const TEST_SCRIPT = `
addEventListener("load", () => {
  const images = Array.from(document.images);
  const ok = images.filter((i) => i.complete && i.naturalWidth > 0);
  const broken = images.filter((i) => !ok.includes(i)).map((i) => i.alt);
  document.documentElement.setAttribute("data-images-ok", ok.length + "/" + images.length);
  document.documentElement.setAttribute("data-images-broken", broken.join("|"));
});
`;

/** Renders the whole report as an HTML document. */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const images = options.images ?? new Map<string, Uint8Array>();
  // No network, no script (except the test probe): the report only needs inline styles and
  // embedded images; 'self' covers the relative copies used when bytes are not embedded.
  const csp = [
    "default-src 'none'",
    "img-src data: 'self'",
    "style-src 'unsafe-inline'",
    options.testMode ? "script-src 'unsafe-inline'" : "",
  ].filter((s) => s !== "").join("; ");
  const body = [
    renderHeader(report),
    renderSummary(report),
    report.againstPaperScale
      ? `<section id="against-paper-scale">\n<h2>${esc(SCALE_TITLE)}</h2>\n` +
        markdownToHtml(scaleMarkdown(report.againstPaperScale).join("\n")) + `\n</section>`
      : "",
    ...report.sections.map((section) =>
      `<section id="section-${section.id}">\n<h2>${esc(section.title)}</h2>\n` +
      section.items.map((it) => renderItem(it, images)).join("\n") + `\n</section>`
    ),
    report.training ? renderFigureSection(report.training, images) : "",
    renderUnreproducible(report),
    `<footer>Written by the <code>report</code> stage from each stage's <code>checks.json</code>, ` +
    `figures and cache manifest. Bars are this project's acceptance bars for the paper's ` +
    `claims (most claims are qualitative); a failing check is a finding, not tuned away.</footer>`,
  ];
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    `<title>${esc(report.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    "</head>",
    "<body>",
    ...body,
    options.testMode ? `<script>${TEST_SCRIPT}</script>` : "",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function renderHeader(report: Report): string {
  const partial = partialBanner(report, (id) => `\`${id}\``);
  const c = report.counts;
  const counts = (["pass", "fail", "reported", "error", "unavailable", "missing"] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `<span class="count">${badge(s)}&nbsp;${c[s]}</span>`)
    .join(" ");
  const rows: [string, string][] = [
    [
      "Profile",
      esc(profileText(report)),
    ],
    ["Backends", report.backends.length > 0 ? esc(report.backends.join("; ")) : "—"],
    ["Results finished", report.finished ? esc(formatTime(report.finished)) : "—"],
    ["Items", `<span class="counts">${counts}</span>`],
  ];
  return [
    "<header>",
    `<h1>${esc(report.title)}</h1>`,
    `<p class="subtitle">Newson, Almansa, Gousseau, Ladjal, “${esc(PAPER_TITLE)}”, and the ` +
    `talk “Understanding Geometric Attributes with Autoencoders” (Newson, 2019).</p>`,
    report.quick
      ? `<p class="banner"><strong>Quick profile.</strong> These results come from the quick ` +
        `profile: fewer training steps and smaller sets than the paper. A failing check here ` +
        `may not fail in the paper profile.</p>`
      : "",
    partial ? `<p class="banner"><strong>Partial report.</strong> ${text(partial)}</p>` : "",
    `<dl class="meta">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`,
    "</header>",
  ].join("\n");
}

function renderSummary(report: Report): string {
  const rows: string[] = [];
  for (const section of report.sections) {
    for (const it of section.items) {
      const link = `<a href="#${anchor(it.id)}"><code>${esc(it.id)}</code></a>`;
      const source = esc(it.catalogue?.source ?? "—");
      if (it.checks.length === 0) {
        const what = it.status === "missing"
          ? `<em>not yet reproduced</em>: ${text(it.catalogue?.check ?? "")}`
          : it.status === "error"
          ? `<em>results could not be read</em>: ${esc(it.errors[0] ?? "")}`
          : text(it.catalogue?.check ?? "—");
        rows.push(
          `<tr class="group-start"><td class="item">${link}</td><td>${source}</td><td>${what}</td>` +
            `<td class="num">—</td><td class="num">—</td><td>${badge(it.status)}</td></tr>`,
        );
        continue;
      }
      it.checks.forEach((c, k) => {
        const head = k === 0
          ? `<td class="item" rowspan="${it.checks.length}">${link}</td>` +
            `<td rowspan="${it.checks.length}">${source}</td>`
          : "";
        rows.push(
          `<tr${k === 0 ? ` class="group-start"` : ""}>${head}<td>${text(c.check)}</td>` +
            `<td class="num">${esc(formatMeasured(c.measured))}</td>` +
            `<td class="num">${esc(formatBar(c.op, c.bar))}</td><td>${
              badge(checkStatus(c))
            }</td></tr>`,
        );
      });
    }
  }
  return [
    `<section id="summary">`,
    "<h2>Summary</h2>",
    `<table class="summary"><thead><tr><th>Item</th><th>Source</th><th>Check</th>` +
    `<th>Measured</th><th>Bar</th><th>Verdict</th></tr></thead>`,
    `<tbody>\n${rows.join("\n")}\n</tbody></table>`,
    `<p class="legend">${badge("pass")} the measured value meets the bar; ${badge("fail")} it ` +
    `does not (a finding); ${badge("reported")} the value is reported without a bar; ` +
    `${badge("error")} a stage's results could not be read; ${badge("unavailable")} what ` +
    `the item measures is not here (the stage ran and said so); ${badge("missing")} no stage ` +
    `has produced the item yet. Sources: P§ paper section, P-Fig/P-Tab paper figure/table, ` +
    `App. appendix, S slide.</p>`,
    "</section>",
  ].join("\n");
}

function renderItem(it: ReportItem, images: ReadonlyMap<string, Uint8Array>): string {
  const cat = it.catalogue;
  const title = cat ? esc(cat.title) : "checks of an item the catalogue does not list";
  const parts: string[] = [
    `<article class="item ${it.status}" id="${anchor(it.id)}">`,
    `<header><h3>${badge(it.status)}<span>${title}</span>` +
    `<span class="item-id"><code>${esc(it.id)}</code></span>` +
    (cat ? `<span class="source">${esc(cat.source)}</span>` : "") + `</h3></header>`,
  ];
  if (cat) {
    parts.push(`<p><span class="label">Paper:</span> ${text(cat.claim)}</p>`);
    parts.push(`<p><span class="label">Check:</span> ${text(cat.check)}</p>`);
  }
  if (it.status === "missing") {
    parts.push(
      `<p><em>Not yet reproduced: no stage <code>${esc(cat?.stage ?? it.id)}</code> ` +
        `was part of this run.</em></p>`,
    );
  }
  if (it.status === "unavailable") {
    const why = it.checks.map((c) => String(c.details?.[NOT_AVAILABLE_KEY]));
    parts.push(`<p><em>Not available: ${esc([...new Set(why)].join("; "))}.</em></p>`);
  }
  if (it.checks.length > 0) parts.push(renderChecks(it.checks));
  parts.push(...renderOutputs(it, images));
  for (const p of it.provenance) parts.push(renderProvenance(p));
  parts.push("</article>");
  return parts.join("\n");
}

/** A section of figures and tables without checks (the training curves). */
function renderFigureSection(
  section: FigureSection,
  images: ReadonlyMap<string, Uint8Array>,
): string {
  const parts: string[] = [
    `<section id="section-${esc(section.id)}">`,
    `<h2>${esc(section.title)}</h2>`,
    `<p>${esc(section.intro)}</p>`,
  ];
  parts.push(...renderOutputs(section, images));
  parts.push(renderProvenance(section.provenance), "</section>");
  return parts.join("\n");
}

/** The figures, tables, errors and notes of an item or a figure section, in that order. */
function renderOutputs(
  o: Pick<ReportItem, "figures" | "tables" | "errors"> & { readonly notes?: readonly string[] },
  images: ReadonlyMap<string, Uint8Array>,
): string[] {
  const parts: string[] = [];
  if (o.figures.length > 0) {
    parts.push(
      `<div class="figures">${o.figures.map((f) => renderFigure(f, images)).join("")}</div>`,
    );
  }
  for (const table of o.tables) {
    parts.push(
      `<div class="table-file">${markdownToHtml(table.markdown)}` +
        `<p class="legend">${esc(`${table.stage}/${table.file}`)}</p></div>`,
    );
  }
  const notes = o.notes ?? [];
  if (o.errors.length + notes.length > 0) {
    parts.push(
      `<ul class="notes">` +
        o.errors.map((e) => `<li class="error">${esc(e)}</li>`).join("") +
        notes.map((n) => `<li>${esc(n)}</li>`).join("") + `</ul>`,
    );
  }
  return parts;
}

function renderChecks(checks: readonly ReportCheck[]): string {
  // Name the stage of each check only when the item's checks come from several stages.
  const several = checks.some((x) => x.stage !== checks[0].stage);
  const rows = checks.map((c) => {
    const caveat = c.pass === false && c.quick
      ? `<div class="caveat">${esc(QUICK_CAVEAT)}</div>`
      : "";
    const from = several ? `<div class="legend">stage <code>${esc(c.stage)}</code></div>` : "";
    const details = c.details && Object.keys(c.details).length > 0
      ? `<details><summary>details</summary><table class="kv">` +
        Object.entries(c.details).map(([k, v]) =>
          `<tr><th>${esc(k)}</th><td class="mono">${esc(formatValue(v))}</td></tr>`
        ).join("") + `</table></details>`
      : "";
    return `<tr><td>${text(c.check)}${from}${caveat}${details}</td>` +
      `<td class="num">${esc(formatMeasured(c.measured))}</td>` +
      `<td class="num">${esc(formatBar(c.op, c.bar))}</td>` +
      `<td>${badge(checkStatus(c))}</td></tr>`;
  });
  return `<table class="checks"><colgroup><col><col class="w-num"><col class="w-num">` +
    `<col class="w-verdict"></colgroup><thead><tr><th>Measured quantity</th><th>Measured</th>` +
    `<th>Bar</th><th>Verdict</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function renderFigure(f: FigureRef, images: ReadonlyMap<string, Uint8Array>): string {
  const bytes = images.get(f.name);
  const src = bytes ? `data:${f.mime};base64,${Buffer.from(bytes).toString("base64")}` : f.name;
  const size = f.width && f.height ? ` width="${f.width}" height="${f.height}"` : "";
  const alt = `${f.stage}/${f.file}`;
  return `<figure><img src="${esc(src)}" alt="${esc(alt)}"${size} loading="eager">` +
    `<figcaption>${esc(alt)}</figcaption></figure>`;
}

function renderProvenance(p: Provenance): string {
  const bits: string[] = [`stage <code>${esc(p.stage)}</code>`];
  if (!p.manifest) {
    bits.push("no cache manifest found");
    return `<p class="prov">${bits.join(" · ")}</p>`;
  }
  if (p.key) bits.push(`key <code title="${esc(p.key)}">${esc(shortKey(p.key))}</code>`);
  if (p.profile) bits.push(`profile ${esc(p.profile)}`);
  if (p.backend) bits.push(`backend ${esc(p.backend)}`);
  if (p.adapter) bits.push(`adapter ${esc(p.adapter)}`);
  if (p.seeds) {
    bits.push(Object.entries(p.seeds).map(([k, v]) => `seed ${esc(k)} ${v}`).join(", "));
  }
  if (p.durationMs !== undefined) bits.push(`ran ${esc(formatDuration(p.durationMs))}`);
  if (p.finished) bits.push(`finished ${esc(formatTime(p.finished))}`);
  if (p.deno) bits.push(`Deno ${esc(p.deno)}`);
  const params = p.params && Object.keys(p.params).length > 0
    ? `<details><summary>parameters</summary><table class="kv">` +
      Object.entries(p.params).map(([k, v]) =>
        `<tr><th>${esc(k)}</th><td class="mono">${esc(formatValue(v, 20))}</td></tr>`
      ).join("") + `</table></details>`
    : "";
  return `<div class="prov">${bits.join(" · ")}${params}</div>`;
}

function renderUnreproducible(report: Report): string {
  if (report.unreproducible.length === 0) return "";
  const rows = report.unreproducible.map((u) =>
    `<tr id="${anchor(u.id)}"><td class="nowrap">${esc(u.source)}</td><td>${esc(u.what)}</td><td>${
      esc(u.reason)
    }</td></tr>`
  );
  return [
    `<section id="out-of-reach">`,
    "<h2>Kept on the list, not reproduced here</h2>",
    `<table><thead><tr><th>Source</th><th>What</th><th>Why not</th></tr></thead>`,
    `<tbody>${rows.join("")}</tbody></table>`,
    "</section>",
  ].join("\n");
}
