/**
 * A deliberately small Markdown-to-HTML converter for the table files stages write (`*.md`):
 * pipe tables, headings, paragraphs, and inline code, bold and italics. Anything fancier is
 * shown as plain paragraphs; the Markdown report includes these files verbatim instead.
 *
 * @module
 */

import { escapeHtml } from "./escape.ts";

/** Splits a pipe-table row into its cells, honouring `\|` escapes. */
function cells(line: string): string[] {
  let body = line.trim();
  if (body.startsWith("|")) body = body.slice(1);
  if (body.endsWith("|") && !body.endsWith("\\|")) body = body.slice(0, -1);
  return body.split(/(?<!\\)\|/).map((c) => c.trim().replaceAll("\\|", "|"));
}

function isDelimiterRow(line: string): boolean {
  return cells(line).every((c) => /^:?-{1,}:?$/.test(c));
}

/** Inline Markdown on already-escaped text: `code`, **bold**, *italic*. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
}

/** Converts the Markdown of a table file to HTML (tables, headings as `h4`–`h6`, paragraphs). */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.split(/\r?\n/);
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(`<p>${inline(paragraph.join(" "))}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") {
      flush();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1].length + 3);
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    if (line.startsWith("|") && i + 1 < lines.length && isDelimiterRow(lines[i + 1])) {
      flush();
      const align = cells(lines[i + 1]).map((c) =>
        c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : ""
      );
      const td = (tag: string, c: string, k: number) =>
        `<${tag}${align[k] ? ` style="text-align:${align[k]}"` : ""}>${inline(c)}</${tag}>`;
      const head = cells(line).map((c, k) => td("th", c, k)).join("");
      const rows: string[] = [];
      i += 2;
      while (i < lines.length && lines[i].trim().startsWith("|")) {
        rows.push(`<tr>${cells(lines[i]).map((c, k) => td("td", c, k)).join("")}</tr>`);
        i++;
      }
      i--; // the loop's own increment moves past the last row
      out.push(
        `<table class="data"><thead><tr>${head}</tr></thead><tbody>${
          rows.join("")
        }</tbody></table>`,
      );
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return out.join("\n");
}
