/**
 * Reads the item ids, and the phrases each item's row quotes, out of the reproduction spec's
 * Markdown tables, so that a test can hold the catalogue to the spec without copying the
 * spec's list by hand.
 *
 * @module
 */

/**
 * Returns the ids in the first column of every Markdown table whose header's first cell is
 * `id`, in order of appearance (backticks around an id are dropped).
 */
export function parseSpecItemIds(markdown: string): string[] {
  const ids: string[] = [];
  let inIdTable = false;
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith("|")) {
      inIdTable = false;
      continue;
    }
    const first = line.slice(1).split("|")[0].trim().replaceAll("`", "");
    if (!inIdTable) {
      // A table starts with its header row; only tables keyed by `id` are item tables.
      inIdTable = first.toLowerCase() === "id";
      continue;
    }
    if (/^:?-{3,}:?$/.test(first)) continue; // the delimiter row under the header
    if (first.length > 0) ids.push(first);
  }
  return ids;
}

/** A phrase in double quotes in the row of an item of the spec's tables. */
export interface SpecQuote {
  /** The item id (first column). */
  id: string;
  /** The quoted text, without the quotes. */
  quote: string;
}

/**
 * Every phrase in straight or curly double quotes in the rows of the id-keyed tables, with the
 * id of its row, in order of appearance.
 */
export function parseSpecQuotes(markdown: string): SpecQuote[] {
  const out: SpecQuote[] = [];
  let inIdTable = false;
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith("|")) {
      inIdTable = false;
      continue;
    }
    const cells = line.slice(1).split("|");
    const first = cells[0].trim().replaceAll("`", "");
    if (!inIdTable) {
      inIdTable = first.toLowerCase() === "id";
      continue;
    }
    if (/^:?-{3,}:?$/.test(first) || first.length === 0) continue;
    for (const m of cells.slice(1).join("|").matchAll(/"([^"]+)"|“([^”]+)”/g)) {
      out.push({ id: first, quote: m[1] ?? m[2] });
    }
  }
  return out;
}
