/**
 * Stage `prop3`: P Prop. 3 and its proof (§5.2), S32–S37. The hand-crafted cascade E_L
 * (`handcrafted.ts`) with L layers, applied to every one-hot vector δ_a of size n = 2^L, for
 * every L from 1 to `maxLayers`, in exact integer arithmetic; the outputs are set against
 * each indexing in which the proposition is stated.
 *
 * What holds, and the paper's off-by-one. With a numbered from 0 (x_0 … x_{n−1}, as P §5.2
 * says) and L the number of filter-and-subsample layers (the paper's "hidden layers",
 * n = 2^L), E_L(δ_a) = 2^L − a. That is the slides' statement (S32, S34 Eq. 11), the
 * paper's Eq. (15) E(x) = Σ (2^L − i) x_i, its base case (E_1(δ_0) = 2, E_1(δ_1) = 1) and
 * its Eqs. (16)–(18). The paper's text before the proposition ("n − a + 1 … if we number
 * the elements of x from x_0 to x_{2^L−1}") and the proof's induction hypothesis
 * (u^(L) = 2^L − a + 1) are one too large for 0-based a; they hold for a counted from 1.
 * The stage measures all of these rather than asserting them.
 *
 * @module
 */

import { type Check, check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { encode, encodeLayers, oneHot, PHI } from "./handcrafted.ts";

/** Counts for one depth L. */
export interface Prop3Row {
  /** Number of layers. */
  L: number;
  /** Input size 2^L. */
  n: number;
  /** One-hot inputs tried (= n). */
  cases: number;
  /** Cases with E_L(δ_a) = 2^L − a, a numbered from 0. */
  holdsZeroBased: number;
  /** Cases with E_L(δ_a) = 2^L − a + 1, a numbered from 0 (the paper's text taken literally). */
  holdsPlusOneZeroBased: number;
  /** Cases with E_L(δ_a) = 2^L − a' + 1 where a' = a + 1 is the position counted from 1. */
  holdsPlusOneOneBased: number;
  /** Cases where every intermediate layer value is a non-negative integer. */
  nonNegativeIntegerLayers: number;
  /** Cases with E = b(2^L − a) for the scaled filters bφ, b ∈ {−1, 3}. */
  holdsScaled: number;
  /** Cases with E = a + 1 when subsampling keeps odd positions instead (Keras "same"). */
  oddPositionsGiveAPlusOne: number;
  /** The outputs E_L(δ_a), a = 0..n−1, for L ≤ 4 (short enough to print). */
  outputs?: number[];
}

/** Counts every case for L = 1..maxLayers. */
export function prop3Rows(maxLayers: number): Prop3Row[] {
  const rows: Prop3Row[] = [];
  for (let L = 1; L <= maxLayers; L++) {
    const n = 2 ** L;
    const row: Prop3Row = {
      L,
      n,
      cases: 0,
      holdsZeroBased: 0,
      holdsPlusOneZeroBased: 0,
      holdsPlusOneOneBased: 0,
      nonNegativeIntegerLayers: 0,
      holdsScaled: 0,
      oddPositionsGiveAPlusOne: 0,
    };
    const outputs: number[] = [];
    for (let a = 0; a < n; a++) {
      const x = oneHot(n, a);
      const layers = encodeLayers(x);
      const e = layers[layers.length - 1][0];
      outputs.push(e);
      row.cases++;
      if (e === n - a) row.holdsZeroBased++;
      if (e === n - a + 1) row.holdsPlusOneZeroBased++;
      if (e === n - (a + 1) + 1) row.holdsPlusOneOneBased++;
      if (layers.every((u) => u.every((v) => Number.isInteger(v) && v >= 0))) {
        row.nonNegativeIntegerLayers++;
      }
      const scaledOk = [-1, 3].every((b) =>
        encode(x, { filter: [b * PHI[0], b * PHI[1], b * PHI[2]] }) === b ** L * (n - a)
      );
      if (scaledOk) row.holdsScaled++;
      if (encode(x, { offset: 1 }) === a + 1) row.oddPositionsGiveAPlusOne++;
    }
    if (L <= 4) row.outputs = outputs;
    rows.push(row);
  }
  return rows;
}

/** Stage `prop3`: E_L(δ_a) = 2^L − a for every a and every L up to `maxLayers`. */
export const prop3Stage = defineStage({
  id: "prop3",
  description: "Prop. 3: the [1,2,1] cascade maps δ_a to 2^L − a, checked for every a, L = 1..10",
  module: import.meta.url,
  params: {
    maxLayers: {
      type: "integer",
      default: 10,
      min: 1,
      max: 20,
      doc: "largest depth L checked (inputs of size 2^L); the spec asks for L = 1..10",
    },
  },
  inputs: {},
  outputs: ["prop3.json", "prop3.md", "checks.json"],
  estimate: (p) => 2 ** p.maxLayers * 1e-5 * p.maxLayers,
  async run(ctx) {
    const maxLayers = ctx.params.maxLayers;
    const rows = prop3Rows(maxLayers);
    const sum = (key: keyof Prop3Row) => rows.reduce((s, r) => s + (r[key] as number), 0);
    const total = sum("cases");
    const holds = sum("holdsZeroBased");
    const plusOne = sum("holdsPlusOneZeroBased");
    const oneBased = sum("holdsPlusOneOneBased");
    const scaled = sum("holdsScaled");
    const odd = sum("oddPositionsGiveAPlusOne");
    const examples = {
      "[1,0,0,0]": encodeLayers([1, 0, 0, 0]),
      "[0,0,0,1]": encodeLayers([0, 0, 0, 1]),
    };
    const examplesOk = JSON.stringify(examples["[1,0,0,0]"]) === "[[2,0],[4]]" &&
      JSON.stringify(examples["[0,0,0,1]"].at(-1)) === "[1]";
    ctx.log(`E_L(δ_a) = 2^L − a in ${holds} of ${total} cases (L = 1..${maxLayers})`);
    const json = {
      network: "filter φ = [1, 2, 1], subsampling by 2 at even positions, zero outside, " +
        "no bias, no non-linearity; L layers for n = 2^L (see table2.json)",
      layersChecked: [1, maxLayers],
      totalCases: total,
      statements: {
        holds: {
          statement: "E_L(δ_a) = 2^L − a, with a = 0 … 2^L − 1 numbered from 0 and L the number " +
            "of filter-and-subsample layers (n = 2^L)",
          sources: "S32, S34 (Eq. 11); P Eq. (15), the base case and Eqs. (16)–(18)",
          cases: holds,
          of: total,
        },
        paperTextLiteral: {
          statement: "E_L(δ_a) = 2^L − a + 1 (P §5.2: 'n − a + 1 … if we number the elements of " +
            "x from x_0'; the proof's hypothesis u^(L) = 2^L − a + 1), a numbered from 0",
          cases: plusOne,
          of: total,
          verdict: plusOne === 0
            ? "never holds: off by one, contradicting the paper's own Eq. (15) and base case"
            : "holds in some cases",
        },
        paperTextOneBased: {
          statement: "the same 2^L − a' + 1 with a' = a + 1 the position counted from 1",
          cases: oneBased,
          of: total,
          verdict: "identical to 2^L − a: the text's formula is right for positions counted from 1",
        },
        layerCount: "No L/L+1 offset once L counts the filter-and-subsample layers, which the " +
          "paper calls 'hidden layers': its one-hidden-layer base case has x ∈ R² (L = 1), and " +
          "the induction step (a layer added in front, x ∈ R^{2^{L+1}}) gives 2^{L+1} − a in " +
          "Eqs. (16)–(18), which is the statement at L + 1. The proof's last sentence says it " +
          "extracts 'the position k'; it means a (k = ⌊a/2⌋ is only the induction's index).",
        scaledFilter: {
          statement: "with φ' = bφ, E_L(δ_a) = b^L (2^L − a) (b = −1, 3): still the position, " +
            "up to the factor b^L (the paper's 'any variant φ' = bφ also extracts the position')",
          cases: scaled,
          of: total,
        },
        oddPositions: {
          statement: "subsampling at odd positions instead (what a Keras/TensorFlow stride-2 " +
            "convolution with padding 'same' does on an even size: padding only after the end) " +
            "gives E_L(δ_a) = a + 1, the position in direct order",
          cases: odd,
          of: total,
        },
      },
      section51Examples: examples,
      perLayer: rows,
    };
    const checks: Check[] = [
      check(
        "prop3",
        `one-hot inputs δ_a with E_L(δ_a) = 2^L − a exactly (a from 0, every a, L = 1..${maxLayers})`,
        holds,
        "==",
        total,
        { perLayer: rows.map((r) => ({ L: r.L, holds: r.holdsZeroBased, of: r.cases })) },
      ),
      check(
        "prop3",
        "cases where the paper's wording 2^L − a + 1 holds with a numbered from 0, as it says " +
          "(it holds for a counted from 1)",
        plusOne,
        "report",
        null,
        { oneBasedHolds: oneBased, of: total },
      ),
      check(
        "prop3",
        "P §5.1 examples, n = 4: [1,0,0,0] gives u(1) = [2,0], u(2) = 4; [0,0,0,1] gives u(2) = 1",
        examplesOk,
        "==",
        true,
        examples,
      ),
      check(
        "prop3",
        "scaled filters bφ (b = −1, 3) give b^L (2^L − a) in every case",
        scaled,
        "==",
        total,
      ),
    ];
    await Deno.writeTextFile(ctx.outPath("prop3.json"), JSON.stringify(json, null, 2) + "\n");
    await Deno.writeTextFile(ctx.outPath("prop3.md"), prop3Markdown(rows));
    await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
  },
});

/** The per-depth counts as a Markdown table (a = 0..2^L − 1, numbered from 0). */
export function prop3Markdown(rows: readonly Prop3Row[]): string {
  const lines = [
    "| L | n = 2^L | cases | E_L(δ_a) = 2^L − a | = 2^L − a + 1 (paper's wording, a from 0) | scaled filters |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.L} | ${r.n} | ${r.cases} | ${r.holdsZeroBased} | ${r.holdsPlusOneZeroBased} | ${r.holdsScaled} |`
    ),
  ];
  return lines.join("\n") + "\n";
}

export default prop3Stage;
