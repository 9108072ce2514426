import assert from "node:assert/strict";
import { colormapHex, colormapIndex, colormapRgb, colormapTable } from "./colormap.ts";

Deno.test("colormapTable() has 256 RGB entries for every map", () => {
  for (const name of ["grey", "viridis", "diverging"] as const) {
    assert.equal(colormapTable(name).length, 256 * 3);
  }
});

Deno.test("colormapHex() gives the published ends of viridis and grey", () => {
  assert.equal(colormapHex("viridis", 0), "#440154");
  assert.equal(colormapHex("viridis", 1), "#fde725");
  assert.equal(colormapHex("grey", 0), "#000000");
  assert.equal(colormapHex("grey", 1), "#ffffff");
  assert.deepEqual(colormapRgb("grey", 0.5), [128, 128, 128]);
  // Diverging: blue low, near-white middle, red high.
  const [r0, , b0] = colormapRgb("diverging", 0), [r1, , b1] = colormapRgb("diverging", 1);
  assert.ok(b0 > r0 && r1 > b1);
  assert.ok(colormapRgb("diverging", 0.5).every((v) => v > 235));
});

Deno.test("colormapIndex() clips and sends NaN to the low end", () => {
  assert.equal(colormapIndex(-3), 0);
  assert.equal(colormapIndex(7), 255);
  assert.equal(colormapIndex(Number.NaN), 0);
});

Deno.test("colormapTable() rejects an unknown name", () => {
  // deno-lint-ignore no-explicit-any
  assert.throws(() => colormapTable("jet" as any), /Cannot use colour map "jet": unknown/);
});
