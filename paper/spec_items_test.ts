import assert from "node:assert/strict";
import { parseSpecItemIds } from "./spec_items.ts";

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
