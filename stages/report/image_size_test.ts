import assert from "node:assert/strict";
import { pngSize, svgSize } from "./image_size.ts";
import { encodePng } from "./_png.ts";

Deno.test("pngSize() reads width and height from the IHDR chunk", () => {
  const png = encodePng(7, 3, new Uint8Array(7 * 3 * 4));
  assert.deepEqual(pngSize(png), { width: 7, height: 3 });
});

Deno.test("pngSize() returns null for bytes that are not a PNG", () => {
  assert.equal(pngSize(new TextEncoder().encode("GIF89a and some more bytes here")), null);
  assert.equal(pngSize(new Uint8Array(4)), null);
});

Deno.test("svgSize() reads width/height attributes, else the viewBox", () => {
  assert.deepEqual(svgSize(`<svg width="360" height="120px" viewBox="0 0 1 1">`), {
    width: 360,
    height: 120,
  });
  assert.deepEqual(svgSize(`<?xml?><svg xmlns="x" viewBox="0 0 40 30"></svg>`), {
    width: 40,
    height: 30,
  });
  assert.equal(svgSize(`<svg width="100%" height="50%"></svg>`), null);
  assert.equal(svgSize("not svg"), null);
});
