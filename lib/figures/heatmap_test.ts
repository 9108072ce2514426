import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodePng, pixelAt } from "./_decode_png.ts";
import { heatmapSvg, renderHeatmap } from "./heatmap.ts";
import { svgToPng } from "./render.ts";

/** 3 rows × 2 columns; only row 0 is bright. */
const BASE = {
  values: Float32Array.from([1, 1, 0, 0, 0, 0]),
  rows: 3,
  cols: 2,
  x: { title: "position t" },
  y: { title: "latent code z", domain: [-1, 1] as const },
  colormap: "grey" as const,
  range: [0, 1] as const,
  colorbarTitle: "output",
  width: 40,
  height: 30,
};

function imageBox(svg: string) {
  const m = svg.match(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/);
  assert.ok(m);
  return { x: +m[1], y: +m[2], w: +m[3], h: +m[4] };
}

Deno.test("heatmapSvg() draws row 0 at the bottom by default, at the top on request", () => {
  for (const [origin, bottomValue, topValue] of [["bottom", 255, 0], ["top", 0, 255]] as const) {
    const svg = heatmapSvg({ ...BASE, yOrigin: origin });
    const b = imageBox(svg);
    // Whole pixels per cell: 40 / 2 columns = 20, 30 / 3 rows = 10.
    assert.deepEqual([b.w, b.h], [40, 30]);
    const png = decodePng(svgToPng(svg));
    const cx = 2 * b.x + 2 * 10;
    assert.equal(pixelAt(png, cx, 2 * (b.y + b.h) - 3)[0], bottomValue, `${origin}: bottom row`);
    assert.equal(pixelAt(png, cx, 2 * b.y + 3)[0], topValue, `${origin}: top row`);
  }
});

Deno.test("heatmapSvg() labels its axes and colour bar", () => {
  const svg = heatmapSvg({ ...BASE, title: "Decoded outputs" });
  for (const s of ["Decoded outputs", "position t", "latent code z", "output", "\u22121", "1"]) {
    assert.ok(svg.includes(`>${s}</text>`), s);
  }
});

Deno.test("heatmapSvg() rejects a values length that does not match", () => {
  assert.throws(
    () => heatmapSvg({ ...BASE, values: new Float32Array(5) }),
    /Cannot draw heatmap of "3x2": it has 5 values/,
  );
});

Deno.test("renderHeatmap() writes the array and is deterministic", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await renderHeatmap(BASE, join(dir, "a"));
    const b = await renderHeatmap(BASE, join(dir, "b"));
    assert.deepEqual(await readFile(a.png), await readFile(b.png));
    const data = JSON.parse(await readFile(a.json, "utf8"));
    assert.deepEqual(data.values, [1, 1, 0, 0, 0, 0]);
    assert.deepEqual(data.y.domain, [-1, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
