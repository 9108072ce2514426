import assert from "node:assert/strict";
import { parseSpecItemIds, parseSpecQuotes } from "./spec_items.ts";

Deno.test("parseSpecItemIds() reads the first column of id-keyed tables only", () => {
  const markdown = [
    "# Title",
    "| id | source | what |",
    "| --- | --- | --- |",
    "| a-1 | P-Fig 1 | thing |",
    "| `b2` | S3 | other |",
    "",
    "text between tables",
    "| name | value |",
    "| --- | --- |",
    "| not-an-item | 3 |",
    "",
    "| id | source |",
    "|:---:|---|",
    "| c | S4 |",
  ].join("\n");
  assert.deepEqual(parseSpecItemIds(markdown), ["a-1", "b2", "c"]);
});

Deno.test("parseSpecItemIds() returns nothing for a text without tables", () => {
  assert.deepEqual(parseSpecItemIds("no tables here\n| lonely"), []);
});

Deno.test("parseSpecQuotes() reads the quoted phrases of each item's row", () => {
  const markdown = [
    'Text with a "quote" outside tables.',
    "| id | source | check |",
    "| --- | --- | --- |",
    '| a | P-Fig 1 | claims "one thing" and “another” |',
    "| `b` | S3 | none |",
    "",
    "| name | value |",
    "| --- | --- |",
    '| x | "not an item" |',
  ].join("\n");
  assert.deepEqual(parseSpecQuotes(markdown), [
    { id: "a", quote: "one thing" },
    { id: "a", quote: "another" },
  ]);
});
