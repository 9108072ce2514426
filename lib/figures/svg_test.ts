import assert from "node:assert/strict";
import { esc, num, svgDocument, svgText } from "./svg.ts";

Deno.test("esc() escapes XML special characters", () => {
  assert.equal(esc(`a<b & "c">`), "a&lt;b &amp; &quot;c&quot;&gt;");
});

Deno.test("num() writes at most two decimals and never -0", () => {
  assert.equal(num(1.23456), "1.23");
  assert.equal(num(2), "2");
  assert.equal(num(-0.001), "0");
});

Deno.test("svgText() places the baseline for top and middle alignment", () => {
  assert.equal(
    svgText(10, 20, "r < 5", { size: 10, baseline: "top", anchor: "middle" }),
    `<text x="10" y="27.3" font-size="10" text-anchor="middle" fill="#1a1a1a">r &lt; 5</text>`,
  );
  assert.match(
    svgText(0, 0, "z", { size: 12, rotate: -90 }),
    /transform="translate\(0,0\) rotate\(-90\)"/,
  );
});

Deno.test("svgDocument() sets the size, a white background and the theme font", () => {
  const svg = svgDocument(10.2, 5, ["<g/>"]);
  assert.match(
    svg,
    /width="11" height="5" viewBox="0 0 11 5" font-family="DejaVu Sans, sans-serif"/,
  );
  assert.match(svg, /<rect width="11" height="5" fill="#ffffff"\/>\n<g\/>\n<\/svg>/);
});
