import assert from "node:assert/strict";
import type { Check } from "../../lib/common/checks.ts";
import {
  compareTables,
  computeTable2,
  PAPER_TABLE2,
  reverseVectors,
  SLIDES_TABLE2,
  table2Stage,
} from "./table2.ts";
import { fakeContext } from "../../lib/common/_test_context.ts";

Deno.test("computeTable2() equals the paper's Table 2 in every cell", () => {
  const c = compareTables(computeTable2(), PAPER_TABLE2);
  assert.equal(c.equal, 32);
  assert.equal(c.cells, 32);
  assert.equal(c.equalEntries, 120);
  assert.deepEqual(c.mismatches, []);
});

Deno.test("reverseVectors() of our table equals S31 as printed", () => {
  assert.deepEqual(compareTables(reverseVectors(computeTable2()), SLIDES_TABLE2).mismatches, []);
  // Read left to right, S31 is not our table: its first u(1) would belong to δ_7.
  assert.ok(compareTables(computeTable2(), SLIDES_TABLE2).mismatches.length > 0);
});

Deno.test("compareTables() reports a changed cell", () => {
  const altered = computeTable2();
  altered[3].u2 = [1, 4];
  const c = compareTables(altered, PAPER_TABLE2);
  assert.equal(c.equal, 31);
  assert.equal(c.equalEntries, 119);
  assert.deepEqual(c.mismatches, [{ column: 3, row: "u(2)", ours: [1, 4], reference: [1, 3] }]);
});

Deno.test("table2Stage.run() writes its outputs with passing checks", async () => {
  const ctx = await fakeContext("table2", {});
  try {
    await table2Stage.run(ctx);
    for (const name of table2Stage.outputs) {
      assert.ok((await Deno.stat(ctx.outPath(name))).isFile, name);
    }
    const checks = JSON.parse(await Deno.readTextFile(ctx.outPath("checks.json"))) as Check[];
    assert.equal(checks.length, 3);
    assert.ok(checks.every((c) => c.item === "table2" && c.pass === true));
    const md = await Deno.readTextFile(ctx.outPath("table2.md"));
    assert.ok(md.includes("| u(3) | `[8]` | `[7]` | `[6]` | `[5]` |"));
    const slides = await Deno.readTextFile(ctx.outPath("table2_slides.md"));
    assert.ok(slides.includes("`[0, 0, 0, 2]`") && slides.includes("right"));
    const json = JSON.parse(await Deno.readTextFile(ctx.outPath("table2.json")));
    assert.equal(json.columns[1].output, 7);
  } finally {
    await Deno.remove(ctx.outDir, { recursive: true });
  }
});
