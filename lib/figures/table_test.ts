import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodePng } from "./_decode_png.ts";
import {
  formatCell,
  renderTable,
  type Table,
  tableToJson,
  tableToMarkdown,
  tableToSvg,
} from "./table.ts";

const TABLE: Table = {
  title: "Encoder",
  columns: ["layer", "shape", "parameters"],
  rows: [["conv 1", "32×32×8", 80], ["conv 2", "16×16×4", 292], ["a|b", null, 0.5]],
  notes: ["Biases included."],
};

Deno.test("tableToMarkdown() writes a GitHub table with numeric columns right-aligned", () => {
  assert.equal(
    tableToMarkdown(TABLE),
    [
      "**Encoder**",
      "",
      "| layer | shape | parameters |",
      "| --- | --- | ---: |",
      "| conv 1 | 32×32×8 | 80 |",
      "| conv 2 | 16×16×4 | 292 |",
      "| a\\|b |  | 0.5 |",
      "",
      "Biases included.",
      "",
    ].join("\n"),
  );
});

Deno.test("formatCell() formats numbers to significant digits", () => {
  assert.equal(formatCell(0.123456), "0.1235");
  assert.equal(formatCell(1234), "1234");
  assert.equal(formatCell(0.000081), "8.1e\u22125");
  assert.equal(formatCell(-2.5), "\u22122.5");
  assert.equal(formatCell(true), "yes");
  assert.equal(formatCell(null), "");
  assert.equal(formatCell(Number.NaN), "NaN");
  assert.equal(formatCell(1 / 3, 2), "0.33");
});

Deno.test("tableToJson() keeps raw values", () => {
  assert.deepEqual(tableToJson(TABLE).rows, TABLE.rows);
});

Deno.test("tableToSvg() draws every cell", () => {
  const svg = tableToSvg(TABLE);
  for (const s of ["Encoder", "layer", "32×32×8", "292", "a|b", "Biases included."]) {
    assert.ok(svg.includes(`>${s}</text>`), s);
  }
});

Deno.test("tableToMarkdown() rejects a row of the wrong length", () => {
  assert.throws(
    () => tableToMarkdown({ columns: ["a", "b"], rows: [[1]] }),
    /Cannot write table "": row 0 has 1 cells for 2 columns/,
  );
});

Deno.test("renderTable() writes Markdown, JSON and on request SVG and PNG", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plain = await renderTable(TABLE, join(dir, "t"));
    assert.equal(plain.svg, undefined);
    assert.equal(await readFile(plain.md, "utf8"), tableToMarkdown(TABLE));
    const files = await renderTable(TABLE, join(dir, "u"), { image: true });
    const png = decodePng(new Uint8Array(await readFile(files.png!)));
    const w = Number((await readFile(files.svg!, "utf8")).match(/width="(\d+)"/)![1]);
    assert.equal(png.width, 2 * w);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
