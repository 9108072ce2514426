import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { chartToSvg } from "./chart.ts";
import {
  lineChart,
  lineChartRows,
  logTicks,
  panelHeader,
  powerLabel,
  renderLineChart,
} from "./line_chart.ts";

const OPTS = {
  title: "Latent code against radius",
  x: { title: "radius r" },
  y: { title: "latent code z" },
  series: [
    { name: "seed 1", x: [1, 2, 3], y: [0.1, 0.4, Number.NaN] },
    { name: "seed 2", x: [1, 2, 3], y: [0.2, 0.5, 0.8], dash: "dashed" as const },
    { name: "area", x: [1, 3], y: [0.1, 0.9], mark: "point" as const },
  ],
  bands: [{ from: 11, to: 18, label: "hole" }],
};

Deno.test("lineChartRows() holds points, gaps and bands", () => {
  const rows = lineChartRows(OPTS);
  const pts = rows.filter((r) => r.kind === "series");
  assert.equal(pts.length, 8);
  assert.equal(pts[2].y, null, "NaN becomes a gap");
  assert.deepEqual(rows.filter((r) => r.kind === "band"), [
    { kind: "band", panel: "", x0: 11, x1: 18, xm: 14.5, label: "hole" },
  ]);
});

Deno.test("lineChart() renders the series names, band label and titles", async () => {
  const svg = await chartToSvg(lineChart(OPTS));
  for (
    const s of [
      "Latent code against radius",
      "radius r",
      "latent code z",
      "seed 1",
      "seed 2",
      "area",
      "hole",
    ]
  ) {
    assert.ok(svg.includes(`>${s}</text>`), s);
  }
});

Deno.test("lineChart() makes one panel per series.panel, bands in every panel", async () => {
  const series = ["r = 4", "r = 9"].flatMap((panel) => [
    { name: "input", panel, x: [0, 1], y: [0, 1], dash: "dashed" as const },
    { name: "output", panel, x: [0, 1], y: [0, 0.9] },
  ]);
  const o = { x: { title: "t" }, y: { title: "y" }, series, bands: [{ from: 0.2, to: 0.4 }] };
  const spec = lineChart(o);
  assert.deepEqual((spec.facet as { sort: string[] }).sort, ["r = 4", "r = 9"]);
  assert.equal(lineChartRows(o).filter((r) => r.kind === "band").length, 2);
  const svg = await chartToSvg(spec);
  assert.ok(svg.includes(">r = 4</text>") && svg.includes(">r = 9</text>"));
});

Deno.test("logTicks() and powerLabel() give decades with superscript exponents", () => {
  assert.deepEqual(logTicks(1e-4, 1), [1e-4, 1e-3, 1e-2, 0.1, 1]);
  assert.deepEqual(logTicks(0.1, 1), [0.1, 0.2, 0.5, 1]);
  assert.equal(powerLabel(1e-3), "10\u207b\u00b3");
  assert.equal(powerLabel(100), "10\u00b2");
  assert.equal(powerLabel(0.2), "2\u00d710\u207b\u00b9");
});

Deno.test("lineChart() labels a log axis with powers of ten", async () => {
  const svg = await chartToSvg(lineChart({
    x: { title: "iteration" },
    y: { title: "loss", type: "log" },
    series: [{ name: "loss", x: [1, 2, 3], y: [0.5, 0.01, 0.0002] }],
  }));
  for (const s of ["10\u207b\u2074", "10\u207b\u00b2", "10\u2070"]) {
    assert.ok(svg.includes(`>${s}</text>`), s);
  }
});

Deno.test("lineChart() with a compact axis labels each tick on its own: 0, 500, 1k", async () => {
  const svg = await chartToSvg(lineChart({
    x: { title: "update", compact: true, domain: [0, 2000], tickCount: 4 },
    y: { title: "loss" },
    series: [{ name: "loss", x: [0, 1000, 2000], y: [3, 2, 1] }],
  }));
  for (const s of ["0", "500", "1k", "1.5k", "2k"]) assert.ok(svg.includes(`>${s}</text>`), s);
  assert.ok(!svg.includes(">0k</text>") && !svg.includes(">0.5k</text>"));
});

Deno.test("lineChart() rejects series of unequal lengths and ambiguous rules", () => {
  assert.throws(
    () =>
      lineChart({
        x: { title: "x" },
        y: { title: "y" },
        series: [{ name: "s", x: [1, 2], y: [1] }],
      }),
    /Cannot plot series "s": x has 2 values and y 1/,
  );
  assert.throws(
    () => lineChart({ x: { title: "x" }, y: { title: "y" }, series: [], rules: [{ x: 1, y: 2 }] }),
    /give exactly one of x and y/,
  );
});

Deno.test("renderLineChart() writes the series as the figure data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await renderLineChart(OPTS, join(dir, "z"));
    const data = JSON.parse(await readFile(files.json, "utf8"));
    assert.equal(data.series.length, 3);
    assert.deepEqual(data.series[1].y, [0.2, 0.5, 0.8]);
    assert.deepEqual(data.series[0].y, [0.1, 0.4, null]);
    assert.equal(data.bands[0].label, "hole");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderLineChart() draws labelled rules in independent panels without warnings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const warnings: string[] = [];
    const o = {
      x: { title: "input radius" },
      y: { title: "reconstructed radius" },
      series: [
        { name: "ae", panel: "all", x: [0, 18, 30], y: [0, 18, 19] },
        { name: "ae", panel: "zoom", x: [14, 18, 24], y: [14, 18, 18.6] },
      ],
      rules: [{ y: 18, label: "R = 18", labelAt: "start" as const }, {
        x: 18,
        label: "R",
        panel: "zoom",
      }],
      independent: "xy" as const,
    };
    const spec = lineChart(o);
    assert.deepEqual(spec.resolve, { scale: { x: "independent", y: "independent" } });
    const files = await renderLineChart(o, join(dir, "p"), { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(warnings, []);
    const svg = await readFile(files.svg, "utf8");
    assert.equal(svg.split(">R = 18</text>").length - 1, 4, "label and its halo in two panels");
    assert.equal(svg.split(">R</text>").length - 1, 2, "label and its halo in the zoom panel");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("panelHeader() puts a title wider than its panel on two lines, at the comma nearest the middle", () => {
  assert.equal(panelHeader(["no regularisation", "ψ1, λ = 1"], 220), null);
  const header = panelHeader(["ψ2 weight decay, encoder + decoder, λ = 1", "short"], 220);
  assert.ok(header);
  assert.equal(
    header.labelExpr,
    'datum.value === "ψ2 weight decay, encoder + decoder, λ = 1" ? ' +
      '["ψ2 weight decay,","encoder + decoder, λ = 1"] : datum.value',
  );
});
