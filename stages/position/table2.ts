/**
 * Stage `table2`: P-Tab 2 (and its twin on S31), the hand-crafted position encoder
 * (`handcrafted.ts`) applied to every one-hot vector of size 8, layer by layer, compared
 * cell by cell with the table as the paper prints it and as the slides print it.
 *
 * The two printings differ only in how vectors are written: the paper writes index 0 on the
 * left; S31 writes every vector right to left (index 0 on the right), keeping the columns in
 * the same order (u(3) = 8, 7, …, 1 in both). Read left to right, S31's first column would be
 * δ_7, whose u(1) is [0, 0, 0, 1], not the [0, 0, 0, 2] printed: only the right-to-left reading
 * is consistent, and S33's base case (δ0 = [0, 1] ⇒ E1(δ0) = 2) writes vectors the same way.
 *
 * @module
 */

import { type Check, check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { encodeLayers, oneHot, PHI } from "./handcrafted.ts";

/** One column of the table: the input and the three layer outputs. */
export interface Table2Column {
  /** The input x. */
  x: number[];
  /** u(1) (size 4). */
  u1: number[];
  /** u(2) (size 2). */
  u2: number[];
  /** u(3) (size 1). */
  u3: number[];
}

/**
 * REFERENCE, typed by hand from the paper (P-Tab 2, "Results of all possible one-hot vectors
 * of size eight in the simple linear neural network described in Section 5"), columns in the
 * paper's order, vectors written as printed (index 0 on the left). This is what our
 * computation is checked against; it is never used to produce the table.
 */
export const PAPER_TABLE2: readonly Table2Column[] = [
  { x: [1, 0, 0, 0, 0, 0, 0, 0], u1: [2, 0, 0, 0], u2: [4, 0], u3: [8] },
  { x: [0, 1, 0, 0, 0, 0, 0, 0], u1: [1, 1, 0, 0], u2: [3, 1], u3: [7] },
  { x: [0, 0, 1, 0, 0, 0, 0, 0], u1: [0, 2, 0, 0], u2: [2, 2], u3: [6] },
  { x: [0, 0, 0, 1, 0, 0, 0, 0], u1: [0, 1, 1, 0], u2: [1, 3], u3: [5] },
  { x: [0, 0, 0, 0, 1, 0, 0, 0], u1: [0, 0, 2, 0], u2: [0, 4], u3: [4] },
  { x: [0, 0, 0, 0, 0, 1, 0, 0], u1: [0, 0, 1, 1], u2: [0, 3], u3: [3] },
  { x: [0, 0, 0, 0, 0, 0, 1, 0], u1: [0, 0, 0, 2], u2: [0, 2], u3: [2] },
  { x: [0, 0, 0, 0, 0, 0, 0, 1], u1: [0, 0, 0, 1], u2: [0, 1], u3: [1] },
];

/**
 * REFERENCE, typed by hand from the talk (S31, titled there "Table 1"), columns in the
 * slide's order, vectors exactly as printed on the slide (left to right on the page).
 */
export const SLIDES_TABLE2: readonly Table2Column[] = [
  { x: [0, 0, 0, 0, 0, 0, 0, 1], u1: [0, 0, 0, 2], u2: [0, 4], u3: [8] },
  { x: [0, 0, 0, 0, 0, 0, 1, 0], u1: [0, 0, 1, 1], u2: [1, 3], u3: [7] },
  { x: [0, 0, 0, 0, 0, 1, 0, 0], u1: [0, 0, 2, 0], u2: [2, 2], u3: [6] },
  { x: [0, 0, 0, 0, 1, 0, 0, 0], u1: [0, 1, 1, 0], u2: [3, 1], u3: [5] },
  { x: [0, 0, 0, 1, 0, 0, 0, 0], u1: [0, 2, 0, 0], u2: [4, 0], u3: [4] },
  { x: [0, 0, 1, 0, 0, 0, 0, 0], u1: [1, 1, 0, 0], u2: [3, 0], u3: [3] },
  { x: [0, 1, 0, 0, 0, 0, 0, 0], u1: [2, 0, 0, 0], u2: [2, 0], u3: [2] },
  { x: [1, 0, 0, 0, 0, 0, 0, 0], u1: [1, 0, 0, 0], u2: [1, 0], u3: [1] },
];

const ROWS = ["x", "u1", "u2", "u3"] as const;
const ROW_LABEL: Record<(typeof ROWS)[number], string> = {
  x: "x",
  u1: "u(1)",
  u2: "u(2)",
  u3: "u(3)",
};

/** Our table: column a is δ_a (a = 0..n−1) and its layer outputs, index 0 on the left. */
export function computeTable2(n = 8): Table2Column[] {
  return Array.from({ length: n }, (_, a) => {
    const x = oneHot(n, a);
    const [u1, u2, u3] = encodeLayers(x);
    return { x, u1, u2, u3 };
  });
}

/** Every vector of the table written right to left (S31's way of printing). */
export function reverseVectors(table: readonly Table2Column[]): Table2Column[] {
  return table.map((c) => ({
    x: [...c.x].reverse(),
    u1: [...c.u1].reverse(),
    u2: [...c.u2].reverse(),
    u3: [...c.u3].reverse(),
  }));
}

/** Result of a cell-by-cell comparison. */
export interface CellComparison {
  /** Cells (one vector each: x, u(1), u(2), u(3) of one column) compared. */
  cells: number;
  /** Cells equal in every entry. */
  equal: number;
  /** Scalar entries compared. */
  entries: number;
  /** Scalar entries equal. */
  equalEntries: number;
  /** The differing cells. */
  mismatches: { column: number; row: string; ours: number[]; reference: number[] }[];
}

/** Compares two tables cell by cell (and entry by entry). */
export function compareTables(
  ours: readonly Table2Column[],
  reference: readonly Table2Column[],
): CellComparison {
  const result: CellComparison = {
    cells: 0,
    equal: 0,
    entries: 0,
    equalEntries: 0,
    mismatches: [],
  };
  const columns = Math.max(ours.length, reference.length);
  for (let col = 0; col < columns; col++) {
    for (const row of ROWS) {
      const a = ours[col]?.[row] ?? [], b = reference[col]?.[row] ?? [];
      result.cells++;
      const len = Math.max(a.length, b.length);
      let same = a.length === b.length;
      for (let i = 0; i < len; i++) {
        result.entries++;
        if (a[i] === b[i]) result.equalEntries++;
        else same = false;
      }
      if (same) result.equal++;
      else result.mismatches.push({ column: col, row: ROW_LABEL[row], ours: a, reference: b });
    }
  }
  return result;
}

function vec(v: readonly number[]): string {
  return `[${v.join(", ")}]`;
}

/** Markdown: the table in two blocks of four columns, as the paper lays it out. */
export function table2Markdown(table: readonly Table2Column[]): string {
  const lines: string[] = [];
  for (let start = 0; start < table.length; start += 4) {
    const block = table.slice(start, start + 4);
    lines.push(`| x | ${block.map((c) => `\`${vec(c.x)}\``).join(" | ")} |`);
    lines.push(`| --- | ${block.map(() => "---").join(" | ")} |`);
    for (const row of ROWS.slice(1)) {
      lines.push(`| ${ROW_LABEL[row]} | ${block.map((c) => `\`${vec(c[row])}\``).join(" | ")} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

const CONVENTION =
  "Filter φ = [1, 2, 1], subsampling by 2 keeping the even positions 0, 2, 4, …, " +
  "zero outside the signal, no bias, no non-linearity: u(ℓ)(t) = Σ_{i∈{−1,0,1}} φ(i) " +
  "u(ℓ−1)(2t − i), with u(0) = x (P Eqs. 13–14). Exact integer arithmetic.";

function comparisonLine(what: string, c: CellComparison): string {
  return `${what}: ${c.equal} of ${c.cells} cells equal (${c.equalEntries} of ${c.entries} entries)` +
    (c.mismatches.length
      ? `; differing: ${
        c.mismatches.map((m) =>
          `column ${m.column} ${m.row} ours ${vec(m.ours)} vs ${vec(m.reference)}`
        )
          .join("; ")
      }.`
      : ".");
}

/** Stage `table2`: P-Tab 2 and S31, computed and checked against both printings. */
export const table2Stage = defineStage({
  id: "table2",
  description:
    "Hand-crafted [1,2,1] position encoder on every one-hot vector of size 8 (P-Tab 2, S31)",
  module: import.meta.url,
  params: {},
  inputs: {},
  outputs: ["table2.md", "table2.json", "table2_slides.md", "checks.json"],
  estimate: () => 0.1,
  async run(ctx) {
    const ours = computeTable2(8);
    const slidesWay = reverseVectors(ours);
    const vsPaper = compareTables(ours, PAPER_TABLE2);
    const vsSlides = compareTables(slidesWay, SLIDES_TABLE2);
    const outputs = ours.map((c) => c.u3[0]);
    const inverted = outputs.every((v, a) => v === 8 - a);
    ctx.log(comparisonLine("paper", vsPaper));
    ctx.log(comparisonLine("slides", vsSlides));

    const md = [
      "# Table 2: the hand-crafted position encoder on every one-hot vector of size 8",
      "",
      `${CONVENTION} Vectors are written with index 0 on the left, as in the paper (P-Tab 2).`,
      "Column a holds x = δ_a, a = 0 … 7.",
      "",
      table2Markdown(ours),
      comparisonLine("Compared with the paper's Table 2 as printed", vsPaper),
      "",
      `The output u(3) is 8 − a for every a: ${inverted ? "yes" : "no"} (${outputs.join(", ")}).`,
      "",
    ].join("\n");
    const slidesMd = [
      '# Table 2 as printed on slide 31 ("Table 1" in the talk)',
      "",
      `${CONVENTION}`,
      "",
      "The slide prints the same columns in the same order (a = 0 … 7, u(3) = 8 … 1) but writes " +
      "every vector in reverse order, index 0 on the right: x = δ_0 appears as " +
      "`[0, 0, 0, 0, 0, 0, 0, 1]`. This is the table below, our vectors reversed. Read left to " +
      "right, the slide's first column would be δ_7, whose u(1) is `[0, 0, 0, 1]`, not the " +
      "`[0, 0, 0, 2]` printed; so the right-to-left reading is the only consistent one (S33 " +
      "writes δ0 = [0, 1] the same way).",
      "",
      table2Markdown(slidesWay),
      comparisonLine("Compared with S31 as printed", vsSlides),
      "",
    ].join("\n");
    const json = {
      n: 8,
      filter: [...PHI],
      subsampling: "by 2, keeping even positions 0, 2, 4, … (filter centred there)",
      boundary: "zero outside the signal (u(j) = 0 for j < 0 or j ≥ size)",
      formula: "u(ℓ)(t) = Σ_{i∈{−1,0,1}} φ(i) u(ℓ−1)(2t − i), u(0) = x",
      indexOrder: "index 0 first (left), as in the paper",
      columns: ours.map((c, a) => ({ a, ...c, output: c.u3[0] })),
      paperReference: PAPER_TABLE2,
      slidesReference: SLIDES_TABLE2,
      slidesReading:
        "S31 writes each vector right to left (index 0 last); columns in the same order",
      comparison: { paper: vsPaper, slides: vsSlides },
    };
    const checks: Check[] = [
      check(
        "table2",
        "cells (x, u(1), u(2), u(3) of the 8 columns) equal to the paper's Table 2 as printed",
        vsPaper.equal,
        "==",
        vsPaper.cells,
        {
          entries: vsPaper.entries,
          equalEntries: vsPaper.equalEntries,
          mismatches: vsPaper.mismatches,
        },
      ),
      check(
        "table2",
        "cells equal to the S31 table as printed, our vectors written right to left",
        vsSlides.equal,
        "==",
        vsSlides.cells,
        {
          entries: vsSlides.entries,
          equalEntries: vsSlides.equalEntries,
          mismatches: vsSlides.mismatches,
        },
      ),
      check("table2", "u(3) = 8 − a for every one-hot δ_a, a = 0..7", inverted, "==", true, {
        outputs,
      }),
    ];
    await Deno.writeTextFile(ctx.outPath("table2.md"), md);
    await Deno.writeTextFile(ctx.outPath("table2_slides.md"), slidesMd);
    await Deno.writeTextFile(ctx.outPath("table2.json"), JSON.stringify(json, null, 2) + "\n");
    await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
  },
});

export default table2Stage;
