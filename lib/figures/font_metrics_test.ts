import assert from "node:assert/strict";
import { isBold, textWidth } from "./font_metrics.ts";

Deno.test("textWidth() reads DejaVu Sans advance widths", () => {
  // Advance widths in font units (2048 per em) published for DejaVu Sans.
  assert.equal(textWidth(" ", 2048), 651);
  assert.equal(textWidth("a", 2048), 1255);
  assert.equal(textWidth("0", 2048), 1303);
  assert.equal(textWidth("", 12), 0);
});

Deno.test("textWidth() adds characters and scales with the size", () => {
  const a = textWidth("radius r", 11);
  assert.ok(Math.abs(textWidth("radius r", 22) - 2 * a) < 1e-9);
  assert.ok(Math.abs(textWidth("ra", 11) - textWidth("r", 11) - textWidth("a", 11)) < 1e-9);
  assert.ok(textWidth("radius", 12, true) > textWidth("radius", 12));
  // Non-Latin glyphs used in our labels are in the font.
  assert.ok(textWidth("ψ₃×", 12) > 10);
});

Deno.test("isBold() recognises CSS bold weights", () => {
  assert.equal(isBold("bold"), true);
  assert.equal(isBold(700), true);
  assert.equal(isBold("600"), true);
  assert.equal(isBold("normal"), false);
  assert.equal(isBold(400), false);
  assert.equal(isBold(undefined), false);
});
