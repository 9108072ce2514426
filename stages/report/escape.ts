/**
 * Escaping for the two output languages of the report: HTML text and attributes, and cells of
 * Markdown tables.
 *
 * @module
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Escapes text for one cell of a Markdown pipe table (pipes, line breaks, HTML brackets). */
export function escapeMarkdownCell(text: string): string {
  return text
    .replaceAll("\\", "\\\\")
    .replaceAll("|", "\\|")
    .replaceAll("<", "&lt;")
    .replace(/\r?\n/g, " ");
}

/** Escapes text for HTML and turns Markdown-style `backticks` into `<code>` elements. */
export function htmlWithCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}
