/**
 * The progressive architecture of the PCA-like autoencoder (S45), drawn from the trained
 * models' configurations: one panel per step k, with the input x feeding k parallel encoders
 * (E_1 … E_{k−1} frozen, E_k trained), each followed by the parameter-free batch
 * normalisation, the concatenation of z_1 … z_k, the fresh decoder D_k and the loss of that
 * step. A footer gives each part's layers (kernel, stride, depths, parameters), from the same
 * configurations. The figure kit's diagram is a straight chain, hence this hand-made SVG.
 *
 * @module
 */
import { textWidth } from "../../lib/figures/font_metrics.ts";
import { num, svgDocument, svgLine, svgRect, svgText } from "../../lib/figures/svg.ts";
import { COLOR, FONT_SIZE } from "../../lib/figures/theme.ts";
import { type AutoencoderConfig, describeArchitecture } from "../../lib/ml/model.ts";
import type { LatentModelConfig } from "./latent_model.ts";

/** One step as drawn. */
export interface StepDrawing {
  /** Step number k (1-based). */
  k: number;
  /** Encoder configurations E_1 … E_k. */
  encoders: AutoencoderConfig[];
  /** The decoder D_k. */
  decoder: AutoencoderConfig;
  /** Number of frozen encoders (k − 1 for the PCA-like steps). */
  frozen: number;
  /** The loss of the step, as text (lines separated by newlines). */
  loss: string;
  /** λ_cov of the step, when it has a covariance term. */
  lambdaCov?: number;
}

/** Trainable parameters of a configuration (kernels and biases of every layer). */
export function parameterCount(c: AutoencoderConfig): number {
  return describeArchitecture(c).reduce((s, r) => s + r.params, 0);
}

const ACTIVATION_NAME: Record<string, string> = {
  leaky_relu: "leaky ReLU",
  linear: "linear",
  relu: "ReLU",
  sigmoid: "sigmoid",
};

/**
 * One line describing a part, e.g. `6 × conv 3×3 /2, depths 1→8→4→4→3→2→1, leaky ReLU 0.2
 * (last layer linear), biases, 706 parameters`.
 */
export function partSummary(c: AutoencoderConfig): string {
  const rows = describeArchitecture(c);
  const depths = [rows[0].inShape[2], ...rows.map((r) => r.outShape[2])];
  const hidden = rows[0].activation, last = rows[rows.length - 1].activation;
  const name = (a: string) => ACTIVATION_NAME[a] + (a === "leaky_relu" ? ` ${c.alpha}` : "");
  const acts = rows.length > 1 && hidden !== last
    ? `${name(hidden)} (last layer ${name(last)})`
    : name(last);
  const bias = rows[0].bias ? "biases" : "no biases";
  return `${rows.length} × ${rows[0].op}, depths ${depths.join("→")}, ${acts}, ${bias}, ${
    parameterCount(c)
  } parameters`;
}

/** The steps of a sequence of saved PCA-like models (step k's configuration each). */
export function stepsFromConfigs(
  configs: LatentModelConfig[],
  lossText: (k: number) => string,
): StepDrawing[] {
  return configs.map((c, i) => ({
    k: i + 1,
    encoders: c.encoders,
    decoder: c.decoder,
    frozen: c.encoders.length - 1,
    loss: lossText(c.encoders.length),
  }));
}

const TRAINED = "#cfe3f5";
const FROZEN = "#e6e6e6";
const FRESH = "#fde3cf";

/** A trapezoid, wide side on top (`down` = narrowing downwards) or at the bottom. */
function trapezoid(
  cx: number,
  y: number,
  wTop: number,
  wBottom: number,
  h: number,
  fill: string,
  dashed: boolean,
): string {
  const pts = [
    [cx - wTop / 2, y],
    [cx + wTop / 2, y],
    [cx + wBottom / 2, y + h],
    [cx - wBottom / 2, y + h],
  ].map(([a, b]) => `${num(a)},${num(b)}`).join(" ");
  return `<polygon points="${pts}" fill="${fill}" stroke="${COLOR.boxStroke}" stroke-width="1.2"${
    dashed ? ' stroke-dasharray="4 3"' : ""
  }/>`;
}

function arrow(x0: number, y0: number, x1: number, y1: number): string {
  const a = Math.atan2(y1 - y0, x1 - x0), L = 6, s = 3.5;
  const bx = x1 - L * Math.cos(a), by = y1 - L * Math.sin(a);
  const p1 = [bx + s * Math.sin(a), by - s * Math.cos(a)],
    p2 = [bx - s * Math.sin(a), by + s * Math.cos(a)];
  return svgLine(x0, y0, bx, by, COLOR.boxStroke, 1.1) +
    `<path d="M${num(p1[0])},${num(p1[1])} L${num(x1)},${num(y1)} L${num(p2[0])},${
      num(p2[1])
    } Z" fill="${COLOR.boxStroke}"/>`;
}

/** The figure as SVG text. */
export function progressiveDiagramSvg(steps: StepDrawing[], title?: string): string {
  if (steps.length === 0) {
    throw new Error(`Cannot draw the progressive architecture: no step given`);
  }
  const size = FONT_SIZE.normal, small = FONT_SIZE.small, margin = 14;
  const colW = 84, panelGap = 34;
  const maxK = Math.max(...steps.map((s) => s.encoders.length));
  const panelW = Math.max(maxK * colW, 200);
  const el: string[] = [];
  let top = margin;
  if (title) {
    el.push(svgText(margin, top, title, { size: FONT_SIZE.title, bold: true, baseline: "top" }));
    top += Math.ceil(FONT_SIZE.title * 1.9);
  }
  const yTitle = top,
    yIn = yTitle + 26,
    yEnc = yIn + 50,
    encH = 58,
    yBn = yEnc + encH + 16,
    bnH = 20;
  const yZ = yBn + bnH + 20, yCat = yZ + 16, catH = 22, yDec = yCat + catH + 22, decH = 58;
  const yOut = yDec + decH + 22, yLoss = yOut + 34;
  steps.forEach((st, p) => {
    const x0 = margin + p * (panelW + panelGap), cx = x0 + panelW / 2;
    const [H, W, C] = st.decoder.inputShape;
    el.push(
      svgText(cx, yTitle, `step ${st.k}`, {
        size: size + 1,
        bold: true,
        anchor: "middle",
        baseline: "top",
      }),
    );
    // Input.
    el.push(
      svgRect(cx - 46, yIn, 92, 22, `rx="3" fill="${COLOR.boxes[4]}" stroke="${COLOR.boxStroke}"`),
    );
    el.push(
      svgText(cx, yIn + 11, `x  ${H}×${W}×${C}`, { size, anchor: "middle", baseline: "middle" }),
    );
    const k = st.encoders.length;
    const cols = Array.from({ length: k }, (_, i) => x0 + panelW / 2 + (i - (k - 1) / 2) * colW);
    cols.forEach((ex, i) => {
      const frozen = i < st.frozen;
      el.push(arrow(cx, yIn + 22, ex, yEnc - 2));
      el.push(trapezoid(ex, yEnc, colW - 12, 30, encH, frozen ? FROZEN : TRAINED, frozen));
      el.push(
        svgText(ex, yEnc + 16, `E${sub(i + 1)}`, {
          size: size + 1,
          bold: true,
          anchor: "middle",
          baseline: "middle",
        }),
      );
      el.push(
        svgText(ex, yEnc + 32, frozen ? "frozen" : "trained", {
          size: small - 1,
          anchor: "middle",
          baseline: "middle",
          fill: COLOR.muted,
        }),
      );
      el.push(arrow(ex, yEnc + encH, ex, yBn - 1));
      el.push(
        svgRect(
          ex - 20,
          yBn,
          40,
          bnH,
          `rx="3" fill="${COLOR.boxes[3]}" stroke="${COLOR.boxStroke}"`,
        ),
      );
      el.push(
        svgText(ex, yBn + bnH / 2, "BN", { size: small, anchor: "middle", baseline: "middle" }),
      );
      el.push(svgLine(ex, yBn + bnH, ex, yCat, COLOR.boxStroke, 1.1));
      el.push(svgText(ex + 5, yZ, `z${sub(i + 1)}`, { size: small, baseline: "middle" }));
    });
    // Concatenation and decoder.
    const catW = Math.max(90, (k - 1) * colW + 50);
    el.push(
      svgRect(
        cx - catW / 2,
        yCat,
        catW,
        catH,
        `rx="3" fill="${COLOR.boxes[2]}" stroke="${COLOR.boxStroke}"`,
      ),
    );
    const zs = Array.from({ length: k }, (_, i) => `z${sub(i + 1)}`);
    const cat = k === 1 ? "z = z₁" : k <= 4 ? `z = (${zs.join(", ")})` : `z = (z₁, …, z${sub(k)})`;
    el.push(
      svgText(cx, yCat + catH / 2, cat, { size: small, anchor: "middle", baseline: "middle" }),
    );
    el.push(arrow(cx, yCat + catH, cx, yDec - 1));
    el.push(trapezoid(cx, yDec, 30, colW - 12, decH, FRESH, false));
    el.push(
      svgText(cx, yDec + 26, `D${sub(st.k)}`, {
        size: size + 1,
        bold: true,
        anchor: "middle",
        baseline: "middle",
      }),
    );
    el.push(
      svgText(cx, yDec + 43, "fresh", {
        size: small - 1,
        anchor: "middle",
        baseline: "middle",
        fill: COLOR.muted,
      }),
    );
    el.push(arrow(cx, yDec + decH, cx, yOut - 1));
    el.push(
      svgRect(cx - 46, yOut, 92, 22, `rx="3" fill="${COLOR.boxes[4]}" stroke="${COLOR.boxStroke}"`),
    );
    el.push(
      svgText(cx, yOut + 11, `x̂  ${H}×${W}×${C}`, { size, anchor: "middle", baseline: "middle" }),
    );
    st.loss.split("\n").forEach((line, i) => {
      el.push(
        svgText(cx, yLoss + i * (small + 5), line, {
          size: small,
          anchor: "middle",
          baseline: "top",
        }),
      );
    });
  });
  // Footer: the parts, from the configurations of the last step.
  const last = steps[steps.length - 1];
  const lines = [
    `${last.encoders.map((_, i) => `E${sub(i + 1)}`).join(", ")}, each: ${
      partSummary(last.encoders[last.encoders.length - 1])
    }`,
    "BN: batch normalisation without learned scale and shift (zero mean, unit variance over the batch; population statistics at inference)",
    ...steps.map((s) => `D${sub(s.k)}: ${partSummary(s.decoder)}`),
  ];
  const lambdas = steps.filter((s) => s.frozen > 0 && s.lambdaCov !== undefined);
  if (lambdas.length > 0) {
    lines.push(
      `λ_cov: ${
        lambdas.map((s) => `${s.lambdaCov} (step ${s.k})`).join(", ")
      }; Cov(zᵢ, zₖ) = batch mean of zᵢ·zₖ (the codes have zero mean)`,
    );
  }
  const yFoot = yLoss + 3 * (small + 5) + 10;
  const legend: [string, string, boolean][] = [[TRAINED, "trained at this step", false], [
    FROZEN,
    "frozen (trained at an earlier step)",
    true,
  ], [
    FRESH,
    "new decoder (the previous one is discarded)",
    false,
  ]];
  let lx = margin;
  for (const [fill, label, dashed] of legend) {
    el.push(
      svgRect(
        lx,
        yFoot,
        14,
        12,
        `fill="${fill}" stroke="${COLOR.boxStroke}"${dashed ? ' stroke-dasharray="3 2"' : ""}`,
      ),
    );
    el.push(svgText(lx + 20, yFoot + 6, label, { size: small, baseline: "middle" }));
    lx += 20 + Math.ceil(textWidth(label, small)) + 22;
  }
  lines.forEach((line, i) => {
    el.push(
      svgText(margin, yFoot + 24 + i * (small + 6), line, {
        size: small,
        baseline: "top",
        fill: COLOR.muted,
      }),
    );
  });
  const width = Math.max(
    margin * 2 + steps.length * panelW + (steps.length - 1) * panelGap,
    lx + margin,
    ...lines.map((l) => margin * 2 + Math.ceil(textWidth(l, small))),
    title ? margin * 2 + Math.ceil(textWidth(title, FONT_SIZE.title, true)) : 0,
  );
  const height = yFoot + 24 + lines.length * (small + 6) + margin;
  return svgDocument(width, height, el);
}

/** A subscript number (1 → ₁). */
export function sub(i: number): string {
  return String(i).replace(/\d/g, (c) => "₀₁₂₃₄₅₆₇₈₉"[Number(c)]);
}
