import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodePng, pixelAt } from "./_decode_png.ts";
import { imageGridSvg, renderImageGrid } from "./image_grid.ts";
import type { ScalarImage } from "./raster.ts";
import { svgToPng } from "./render.ts";
import { COLOR } from "./theme.ts";

/** 4×4 checkerboard, 0 at the top-left. */
const CHECKER: ScalarImage = {
  width: 4,
  height: 4,
  data: Float32Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2),
};
const HALF: ScalarImage = { width: 4, height: 4, data: new Float32Array(16).fill(0.5) };

/** Positions of the <image> elements of an SVG, in document order. */
function imageBoxes(svg: string): { x: number; y: number; w: number; h: number }[] {
  return [...svg.matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
    .map((m) => ({ x: +m[1], y: +m[2], w: +m[3], h: +m[4] }));
}

function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

const GRID = {
  cells: [[
    { image: CHECKER, border: COLOR.seen, caption: "r = 5" },
    { image: HALF, border: COLOR.unseen, caption: "r = 14" },
  ]],
  pixelScale: 8,
  borderWidth: 3,
};

Deno.test("imageGridSvg() draws the border colours at the expected pixels", () => {
  const svg = imageGridSvg(GRID);
  const boxes = imageBoxes(svg);
  assert.equal(boxes.length, 2);
  const png = decodePng(svgToPng(svg));
  const colors = [COLOR.seen, COLOR.unseen];
  boxes.forEach((b, k) => {
    assert.equal(b.w, 32);
    assert.ok(Number.isInteger(b.x) && Number.isInteger(b.y), "images sit on whole pixels");
    const want = [...rgb(colors[k]), 255];
    // At 2×, the 3 px border becomes the 6 device pixels just outside the image.
    const midY = 2 * (b.y + b.h / 2), midX = 2 * (b.x + b.w / 2);
    for (const d of [1, 3, 6]) {
      assert.deepEqual(pixelAt(png, 2 * b.x - d, midY), want, `left border, cell ${k}`);
      assert.deepEqual(
        pixelAt(png, 2 * (b.x + b.w) + d - 1, midY),
        want,
        `right border, cell ${k}`,
      );
      assert.deepEqual(pixelAt(png, midX, 2 * b.y - d), want, `top border, cell ${k}`);
      assert.deepEqual(
        pixelAt(png, midX, 2 * (b.y + b.h) + d - 1),
        want,
        `bottom border, cell ${k}`,
      );
    }
    // Just outside the border: background white again.
    assert.deepEqual(pixelAt(png, 2 * b.x - 8, midY), [255, 255, 255, 255]);
  });
});

Deno.test("imageGridSvg() keeps image pixels crisp squares at 2x", () => {
  const svg = imageGridSvg(GRID);
  const [b, c] = imageBoxes(svg);
  const png = decodePng(svgToPng(svg));
  // Each image pixel is an 8 px block in the SVG, 16 device pixels in the PNG.
  const x0 = 2 * b.x, y0 = 2 * b.y;
  for (let by = 0; by < 4; by++) {
    for (let bx = 0; bx < 4; bx++) {
      const v = (bx + by) % 2 ? 255 : 0;
      for (const [dx, dy] of [[0, 0], [15, 0], [0, 15], [15, 15], [7, 8]]) {
        assert.deepEqual(
          pixelAt(png, x0 + 16 * bx + dx, y0 + 16 * by + dy),
          [v, v, v, 255],
          `block (${bx}, ${by}) at (${dx}, ${dy})`,
        );
      }
    }
  }
  // 0.5 maps to table entry round(0.5 * 255) = 128.
  assert.deepEqual(pixelAt(png, 2 * c.x + 5, 2 * c.y + 5), [128, 128, 128, 255]);
});

Deno.test("imageGridSvg() writes labels and captions", () => {
  const svg = imageGridSvg({
    ...GRID,
    title: "Disks",
    rowLabels: ["input"],
    colLabels: ["seen", "unseen"],
    legend: [{ color: COLOR.seen, label: "radius seen in training" }],
  });
  for (
    const s of ["Disks", "input", "seen", "unseen", "r = 5", "r = 14", "radius seen in training"]
  ) {
    assert.ok(svg.includes(`>${s}</text>`), s);
  }
});

Deno.test("imageGridSvg() and svgToPng() are deterministic", () => {
  const a = imageGridSvg(GRID), b = imageGridSvg(GRID);
  assert.equal(a, b);
  assert.deepEqual(svgToPng(a), svgToPng(b));
});

Deno.test("imageGridSvg() maps values through the chosen range", () => {
  const ramp: ScalarImage = { width: 2, height: 1, data: Float32Array.from([2, 4]) };
  for (
    const [range, want] of [
      ["shared", [0, 255]],
      [[0, 1], [255, 255]], // clipped
      [[0, 8], [64, 128]],
    ] as const
  ) {
    const svg = imageGridSvg({ cells: [[{ image: ramp }]], range, pixelScale: 4 });
    const [b] = imageBoxes(svg);
    const png = decodePng(svgToPng(svg));
    assert.equal(pixelAt(png, 2 * b.x + 1, 2 * b.y + 1)[0], want[0], `${range} left`);
    assert.equal(pixelAt(png, 2 * b.x + 9, 2 * b.y + 1)[0], want[1], `${range} right`);
  }
});

Deno.test("imageGridSvg() rejects an empty grid and a wrong data length", () => {
  assert.throws(
    () => imageGridSvg({ cells: [[null]] }),
    /Cannot draw image grid: it has no images/,
  );
  assert.throws(
    () =>
      imageGridSvg({ cells: [[{ image: { width: 3, height: 3, data: new Float32Array(8) } }]] }),
    /Cannot draw grid image \(0, 0\) of size "3x3": data has 8 values/,
  );
});

Deno.test("renderImageGrid() writes the values drawn as JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await renderImageGrid(GRID, join(dir, "grid"));
    const data = JSON.parse(await readFile(files.json, "utf8"));
    assert.deepEqual(data.range, [0, 1]);
    assert.deepEqual(data.cells[0][0].values, Array.from(CHECKER.data));
    assert.equal(data.cells[0][1].border, COLOR.unseen);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
