import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodePng } from "./_decode_png.ts";
import { chartToSvg, mergeDeep, renderChart, withTheme } from "./chart.ts";
import { svgToPng } from "./render.ts";

const SPEC = {
  title: "Radius against code",
  data: { values: [{ r: 1, z: 0.1 }, { r: 2, z: 0.4 }, { r: 3, z: 0.9 }] },
  mark: "line",
  encoding: {
    x: { field: "r", type: "quantitative", title: "radius r" },
    y: { field: "z", type: "quantitative", title: "latent code z" },
  },
  width: 200,
  height: 120,
};

/** The width and height declared on the root <svg>. */
function svgSize(svg: string): [number, number] {
  const m = svg.match(/<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/);
  assert.ok(m, "svg has width and height");
  return [Number(m[1]), Number(m[2])];
}

Deno.test("chartToSvg() renders titles and labels in DejaVu Sans", async () => {
  const before = JSON.stringify(SPEC);
  const svg = await chartToSvg(SPEC);
  assert.equal(JSON.stringify(SPEC), before, "the spec is not modified");
  assert.equal(Object.getOwnPropertySymbols(SPEC.data.values[0]).length, 0);
  assert.match(svg, /Radius against code/);
  assert.match(svg, /radius r/);
  assert.match(svg, /latent code z/);
  assert.match(svg, /font-family="DejaVu Sans, sans-serif"/);
  assert.doesNotMatch(svg, /font-family="sans-serif"/);
});

Deno.test("svgToPng() renders a chart at twice its SVG size", async () => {
  const svg = await chartToSvg(SPEC);
  const [w, h] = svgSize(svg);
  const png = decodePng(svgToPng(svg));
  assert.equal(png.width, Math.round(2 * w));
  assert.equal(png.height, Math.round(2 * h));
  // Not blank: the line and text put dark pixels on the white background.
  let dark = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 100) dark++;
  assert.ok(dark > 200, `dark pixels: ${dark}`);
});

Deno.test("chartToSvg() and svgToPng() give identical bytes when run twice", async () => {
  const a = await chartToSvg(SPEC), b = await chartToSvg(SPEC);
  assert.equal(a, b);
  assert.deepEqual(svgToPng(a), svgToPng(b));
});

Deno.test("renderChart() writes the SVG, the 2x PNG and the data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await renderChart(SPEC, join(dir, "sub", "fig"));
    assert.equal(files.svg, join(dir, "sub", "fig.svg"));
    const svg = await readFile(files.svg, "utf8");
    const png = decodePng(new Uint8Array(await readFile(files.png)));
    assert.equal(png.width, 2 * svgSize(svg)[0]);
    const data = JSON.parse(await readFile(files.json, "utf8"));
    assert.deepEqual(data.values, SPEC.data.values);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withTheme() keeps the spec's own config above the theme", () => {
  const themed = withTheme({ ...SPEC, config: { axis: { labelFontSize: 20 } } });
  const config = themed.config as Record<string, Record<string, unknown>>;
  assert.equal(config.axis.labelFontSize, 20);
  assert.equal(config.axis.titleFontSize, 12);
  assert.deepEqual(mergeDeep({ a: { b: 1, c: [1] } }, { a: { c: [2] } }), { a: { b: 1, c: [2] } });
});

Deno.test("chartToSvg() throws on an invalid spec", async () => {
  await assert.rejects(
    () => chartToSvg({ ...SPEC, encoding: { x: { field: "r", type: "bogus" } } }),
    /Cannot render chart "Radius against code": Invalid field type/,
  );
});

Deno.test("chartToSvg() reports vega-lite warnings to the sink", async () => {
  const warnings: string[] = [];
  const x = { ...SPEC.encoding.x, aggregate: "foo" };
  await chartToSvg({ ...SPEC, encoding: { ...SPEC.encoding, x } }, (m) => warnings.push(m));
  assert.match(warnings.join("\n"), /Invalid aggregation operator "foo"/);
  assert.ok(warnings.length > 0);
});
