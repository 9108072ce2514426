/**
 * An architecture diagram from a list of layers (name, tensor shape, the operation that
 * produced it): one box per tensor, top to bottom, box width growing with the spatial size
 * (log scale) so an autoencoder reads as an hourglass, arrows labelled with the operations,
 * and brackets naming groups of layers (encoder, code, decoder).
 *
 * @module
 */

import { textWidth } from "./font_metrics.ts";
import { type FigureFiles, writeFigure, type WriteOptions } from "./render.ts";
import { num, svgDocument, svgLine, svgRect, svgText } from "./svg.ts";
import { COLOR, FONT_SIZE } from "./theme.ts";

/** One tensor of the network. */
export interface DiagramLayer {
  /** Name written left of the box, e.g. `input`, `conv 1`, `code z`. */
  name: string;
  /** Shape, e.g. `[32, 32, 8]` (height, width, channels) or already-formatted text. */
  shape: readonly number[] | string;
  /** Operation from the previous layer to this one, written beside the arrow. */
  op?: string;
  /** Group (e.g. `encoder`): sets the box colour and a bracket on the left. */
  group?: string;
  /** Extra text right of the box, e.g. a parameter count. */
  note?: string;
}

/** Options of {@link diagramSvg}. */
export interface DiagramOptions {
  /** Figure title. */
  title?: string;
  /** Layers from input to output. */
  layers: readonly DiagramLayer[];
}

const tw = (s: string, size: number, bold = false) => Math.ceil(textWidth(s, size, bold));

/** Text of a shape: numbers joined by ×. */
export function shapeText(shape: readonly number[] | string): string {
  return typeof shape === "string" ? shape : shape.join("×");
}

/** Spatial extent used for the box width: the first number of the shape. */
function spatial(shape: readonly number[] | string): number {
  if (typeof shape !== "string") return shape[0] ?? 1;
  const m = shape.match(/\d+(\.\d+)?/);
  return m ? Number(m[0]) : 1;
}

/** The diagram as SVG text. */
export function diagramSvg(o: DiagramOptions): string {
  if (o.layers.length === 0) {
    throw new Error(`Cannot draw diagram "${o.title ?? ""}": it has no layers; fix: pass layers`);
  }
  const size = FONT_SIZE.normal, small = FONT_SIZE.small, margin = 10;
  const boxH = 26, gapH = 28, minBoxW = 70, maxBoxW = 210;
  const groups: string[] = [];
  for (const l of o.layers) if (l.group && !groups.includes(l.group)) groups.push(l.group);
  const fill = (g?: string) =>
    g
      ? COLOR.boxes[groups.indexOf(g) % (COLOR.boxes.length - 1)]
      : COLOR.boxes[COLOR.boxes.length - 1];
  const sMax = Math.max(...o.layers.map((l) => spatial(l.shape)), 1);
  const boxW = o.layers.map((l) => {
    const s = spatial(l.shape);
    const w = minBoxW + (maxBoxW - minBoxW) * Math.log2(1 + s) / Math.log2(1 + sMax);
    return Math.max(Math.round(w), tw(shapeText(l.shape), size) + 16);
  });
  const colW = Math.max(...boxW);
  const bracketW = groups.length ? Math.ceil(size * 1.3) + 12 : 0;
  const nameW = Math.max(...o.layers.map((l) => tw(l.name, size)));
  const opW = Math.max(0, ...o.layers.map((l) => (l.op ? tw(l.op, small) : 0)));
  const noteW = Math.max(0, ...o.layers.map((l) => (l.note ? tw(l.note, small) : 0)));
  const nameX = margin + bracketW + nameW; // right edge of names
  const cx = nameX + 14 + Math.ceil(colW / 2); // centre of the boxes
  const noteX = Math.max(cx + colW / 2, cx + 10 + opW) + 14;
  let top = margin;
  const el: string[] = [];
  if (o.title) {
    el.push(svgText(margin, top, o.title, { size: FONT_SIZE.title, bold: true, baseline: "top" }));
    top += Math.ceil(FONT_SIZE.title * 1.8);
  }
  const rowY = o.layers.map((_, i) => top + i * (boxH + gapH));
  o.layers.forEach((l, i) => {
    const y = rowY[i], w = boxW[i];
    el.push(svgRect(
      cx - w / 2,
      y,
      w,
      boxH,
      `rx="3" fill="${fill(l.group)}" ` +
        `stroke="${COLOR.boxStroke}" stroke-width="1"`,
    ));
    el.push(
      svgText(cx, y + boxH / 2, shapeText(l.shape), { size, anchor: "middle", baseline: "middle" }),
    );
    el.push(svgText(nameX, y + boxH / 2, l.name, { size, anchor: "end", baseline: "middle" }));
    if (l.note) {
      el.push(svgText(noteX, y + boxH / 2, l.note, {
        size: small,
        baseline: "middle",
        fill: COLOR.muted,
      }));
    }
    if (i > 0) {
      // Arrow from the previous box down to this one, the operation written beside it.
      const y0 = rowY[i - 1] + boxH, y1 = y;
      el.push(svgLine(cx, y0, cx, y1 - 6, COLOR.boxStroke, 1.2));
      el.push(
        `<path d="M${num(cx - 4)},${num(y1 - 7)} L${num(cx + 4)},${num(y1 - 7)} ` +
          `L${num(cx)},${num(y1)} Z" fill="${COLOR.boxStroke}"/>`,
      );
      if (l.op) {
        el.push(svgText(cx + 10, (y0 + y1) / 2, l.op, {
          size: small,
          baseline: "middle",
          fill: COLOR.muted,
        }));
      }
    }
  });
  // Brackets over each run of consecutive layers of the same group.
  let i = 0;
  while (i < o.layers.length) {
    const g = o.layers[i].group;
    let j = i;
    while (j + 1 < o.layers.length && o.layers[j + 1].group === g) j++;
    if (g) {
      const bx = margin + Math.ceil(size * 1.3) + 4, y0 = rowY[i] + 2, y1 = rowY[j] + boxH - 2;
      el.push(
        `<path d="M${num(bx + 5)},${num(y0)} H${num(bx)} V${num(y1)} H${num(bx + 5)}" ` +
          `fill="none" stroke="${COLOR.axis}" stroke-width="1.2"/>`,
      );
      el.push(svgText(margin, (y0 + y1) / 2, g, {
        size,
        anchor: "middle",
        baseline: "top",
        rotate: -90,
        fill: COLOR.text,
      }));
    }
    i = j + 1;
  }
  const width = Math.max(
    noteW ? noteX + noteW + margin : Math.max(cx + colW / 2, cx + 10 + opW) + margin,
    o.title ? margin + tw(o.title, FONT_SIZE.title, true) + margin : 0,
  );
  const height = rowY[rowY.length - 1] + boxH + margin;
  return svgDocument(width, height, el);
}

/** Renders a diagram to `<outBase>.svg`, `.png` (2×) and `.json` (the layer list). */
export async function renderDiagram(
  o: DiagramOptions,
  outBase: string,
  opts: WriteOptions = {},
): Promise<FigureFiles> {
  const data = {
    title: o.title ?? null,
    layers: o.layers.map((l) => ({
      name: l.name,
      shape: typeof l.shape === "string" ? l.shape : [...l.shape],
      op: l.op ?? null,
      group: l.group ?? null,
      note: l.note ?? null,
    })),
  };
  return await writeFigure(outBase, diagramSvg(o), data, opts);
}
