/**
 * Reads the item ids out of the reproduction spec's Markdown tables, so that a test can hold
 * the catalogue to the spec without copying the spec's list by hand.
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
