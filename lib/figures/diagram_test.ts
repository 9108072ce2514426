import assert from "node:assert/strict";
import { diagramSvg, shapeText } from "./diagram.ts";
import { svgToPng } from "./render.ts";

const LAYERS = [
  { name: "input x", shape: [64, 64, 1], group: "encoder" },
  {
    name: "conv 1",
    shape: [32, 32, 8],
    op: "conv 3×3, stride 2",
    group: "encoder",
    note: "80 parameters",
  },
  { name: "code z", shape: "1×1×1", op: "conv 3×3, stride 2", group: "code" },
];

Deno.test("diagramSvg() draws names, shapes, operations, notes and groups", () => {
  const svg = diagramSvg({ title: "Autoencoder", layers: LAYERS });
  for (
    const s of [
      "Autoencoder",
      "input x",
      "64×64×1",
      "32×32×8",
      "1×1×1",
      "conv 3×3, stride 2",
      "80 parameters",
      "encoder",
      "code",
    ]
  ) {
    assert.ok(svg.includes(`>${s}</text>`), s);
  }
  // One box per layer, one arrowhead per transition.
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 3);
  assert.equal((svg.match(/ Z" fill=/g) ?? []).length, 2);
});

Deno.test("diagramSvg() makes boxes wider for larger spatial sizes", () => {
  const svg = diagramSvg({ layers: LAYERS });
  const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) =>
    +m[1]
  );
  assert.ok(widths[0] > widths[1] && widths[1] > widths[2], String(widths));
});

Deno.test("diagramSvg() renders deterministically", () => {
  const a = diagramSvg({ layers: LAYERS }), b = diagramSvg({ layers: LAYERS });
  assert.equal(a, b);
  assert.deepEqual(svgToPng(a), svgToPng(b));
});

Deno.test("shapeText() joins dimensions with ×", () => {
  assert.equal(shapeText([16, 16, 4]), "16×16×4");
  assert.equal(shapeText("n"), "n");
});

Deno.test("diagramSvg() rejects an empty layer list", () => {
  assert.throws(() => diagramSvg({ layers: [] }), /Cannot draw diagram "": it has no layers/);
});
