import assert from "node:assert/strict";
import {
  CATALOGUE,
  catalogueItem,
  SECTION_ORDER,
  SECTION_TITLES,
  UNREPRODUCIBLE,
} from "./catalogue.ts";
import { parseSpecItemIds, parseSpecQuotes } from "./spec_items.ts";

/** The spec lives beside the repository: `../shared/spec/REPRODUCTION.md` from its root. */
const SPEC_URL = new URL("../../shared/spec/REPRODUCTION.md", import.meta.url);

/** The paper's text, as the spec names it: `../shared/sources/001_67bae0ec9ca13dec.txt`. */
const PAPER_URL = new URL("../../shared/sources/001_67bae0ec9ca13dec.txt", import.meta.url);

/** The spec's text, or `null` when it is not beside the repository (the test is then skipped). */
function readSpec(): string | null {
  try {
    return Deno.readTextFileSync(SPEC_URL);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

const SPEC = readSpec();

/** The paper's text beside the spec (`../shared/sources/`), or `null` when absent. */
function readPaper(): string | null {
  try {
    return Deno.readTextFileSync(PAPER_URL);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

const PAPER = readPaper();
if (SPEC === null) {
  console.warn(`SKIPPING the spec comparison: no spec at ${SPEC_URL.pathname}`);
}

Deno.test({
  name: "CATALOGUE covers every item id of the spec's tables, in the spec's order",
  ignore: SPEC === null,
  fn() {
    const specIds = parseSpecItemIds(SPEC ?? "");
    assert.ok(specIds.length >= 20, `expected the spec's tables to list items, got ${specIds}`);
    // Items the spec asks for outside its tables (`origin`) are not in the tables' list.
    const ours = CATALOGUE.filter((entry) => !entry.origin).map((entry) => entry.id);
    const missing = specIds.filter((id) => !ours.includes(id));
    assert.deepEqual(missing, [], `items of the spec missing from the catalogue: ${missing}`);
    const extra = ours.filter((id) => !specIds.includes(id));
    assert.deepEqual(extra, [], `items of the catalogue not in the spec: ${extra}`);
    assert.deepEqual(ours, specIds);
  },
});

Deno.test({
  name:
    "CATALOGUE quotes every sentence of the paper that the spec's rows quote, in the item's entry",
  ignore: SPEC === null || PAPER === null,
  fn() {
    const flat = (text: string) => text.replace(/\s+/g, " ");
    // Phrases the spec quotes that are not the paper's ("well below", our own bars) are free.
    const fromPaper = parseSpecQuotes(SPEC ?? "").filter((q) =>
      flat(PAPER ?? "").includes(flat(q.quote))
    );
    assert.ok(fromPaper.length >= 3, `expected the spec to quote the paper, got ${fromPaper}`);
    for (const { id, quote } of fromPaper) {
      const entry = catalogueItem(id);
      assert.ok(
        flat(`${entry.claim} ${entry.check}`).includes(flat(quote)),
        `catalogue entry ${id} does not quote the paper's “${quote}”`,
      );
    }
  },
});

Deno.test("CATALOGUE entries are well formed and unique", () => {
  const ids = new Set<string>();
  for (const entry of CATALOGUE) {
    assert.match(entry.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `bad id ${entry.id}`);
    assert.ok(!ids.has(entry.id), `duplicate id ${entry.id}`);
    ids.add(entry.id);
    assert.equal(entry.stage, entry.id, `stage of ${entry.id} should be named after it`);
    assert.ok(SECTION_ORDER.includes(entry.section));
    for (const field of ["source", "title", "claim", "check"] as const) {
      assert.ok(entry[field].trim().length > 0, `${entry.id}.${field} is empty`);
    }
    assert.ok(
      entry.figures.length + entry.tables.length > 0,
      `${entry.id} lists no figure or table`,
    );
    for (const file of [...entry.figures, ...entry.tables]) {
      assert.match(file, /^[A-Za-z0-9_.-]+\.(png|svg|md)$/, `${entry.id}: bad file ${file}`);
    }
  }
  for (const section of SECTION_ORDER) assert.ok(SECTION_TITLES[section].length > 0);
});

Deno.test("CATALOGUE's items from outside the spec's tables say where the spec asks for them", () => {
  const outside = CATALOGUE.filter((entry) => entry.origin !== undefined);
  assert.deepEqual(outside.map((entry) => entry.id), ["authors-model"]);
  for (const entry of outside) assert.match(entry.origin!, /spec/);
});

Deno.test("UNREPRODUCIBLE lists the spec's section 5 with reasons", () => {
  const sources = UNREPRODUCIBLE.map((entry) => entry.source).join(" ");
  for (const slide of ["S53", "S6", "S20", "S29", "S41", "S19"]) {
    assert.ok(sources.includes(slide), `slide ${slide} missing from UNREPRODUCIBLE`);
  }
  for (const entry of UNREPRODUCIBLE) assert.ok(entry.reason.length > 0);
});

Deno.test("catalogueItem() finds an entry and names the known ids when it cannot", () => {
  assert.equal(catalogueItem("airy").section, "size");
  assert.throws(() => catalogueItem("nope"), /Cannot find catalogue item "nope".*ae-d1/);
});
