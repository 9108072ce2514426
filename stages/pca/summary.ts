/**
 * What the item stages measure on a trained latent model with fresh images: the codes'
 * correlation matrix, |Pearson| of each component with each attribute, the components'
 * spread (σ for the navigation), the per-pixel reconstruction error; the navigation images
 * (S49); and the tables these make.
 *
 * @module
 */
import type { Table } from "../../lib/figures/table.ts";
import type { LatentModel } from "./latent_model.ts";
import { decodeCodes, encodeImages, reconstructionMse } from "./latent_eval.ts";
import {
  attributeCorrelations,
  componentMoments,
  correlationMatrix,
  foldedAttributeCorrelations,
  maxOffDiagonal,
  navigationCodes,
  rankAttributeCorrelations,
} from "./latent_stats.ts";

/** Measurements of one model on fresh images. */
export interface ModelSummary {
  /** Code size d. */
  d: number;
  /** d × d correlation matrix of the components. */
  correlation: number[][];
  /** Largest |off-diagonal| correlation. */
  maxOffDiagonal: number;
  /** |Pearson| of component i (rows) with attribute j (columns). */
  attributes: number[][];
  /** |Spearman| of component i with attribute j: 1 for any monotone relation. */
  rankAttributes: number[][];
  /** |Pearson| of |z_i − mean_i| with attribute j: high where a code folds an attribute. */
  foldedAttributes: number[][];
  /** The codes of the images, n × d row-major (for scatter plots; not for JSON). */
  codes: Float32Array;
  /** Mean of each component. */
  mean: number[];
  /** Standard deviation of each component (σ of the navigation). */
  std: number[];
  /** Mean over images and pixels of (D(E(x)) − x)². */
  mse: number;
}

/** Measures a model on images with their attributes. */
export async function summarise(
  model: LatentModel,
  images: Float32Array,
  attributes: readonly ArrayLike<number>[],
): Promise<ModelSummary> {
  const d = model.latentSize;
  const codes = await encodeImages(model, images);
  const correlation = correlationMatrix(codes, d);
  const { mean, std } = componentMoments(codes, d);
  return {
    d,
    correlation,
    maxOffDiagonal: maxOffDiagonal(correlation),
    attributes: attributeCorrelations(codes, d, attributes),
    rankAttributes: rankAttributeCorrelations(codes, d, attributes),
    foldedAttributes: foldedAttributeCorrelations(codes, d, attributes),
    codes: Float32Array.from(codes),
    mean,
    std,
    mse: await reconstructionMse(model, images),
  };
}

/** Decoded images of the navigation: d rows of `steps` images (z_i from −span·σ_i to +span·σ_i). */
export function navigationImages(
  model: LatentModel,
  std: readonly number[],
  steps = 9,
  span = 2,
): Promise<Float32Array> {
  return decodeCodes(model, navigationCodes(std, steps, span));
}

/** Column labels of a navigation row: −2σ … +2σ. */
export function navigationLabels(steps = 9, span = 2): string[] {
  return Array.from({ length: steps }, (_, s) => {
    const t = -span + (2 * span * s) / (steps - 1);
    if (t === 0) return "0";
    const v = Math.abs(t);
    return `${t < 0 ? "−" : "+"}${Number.isInteger(v) ? v : v.toFixed(1)}σ`;
  });
}

/** One model's rows in the correlation table. */
export interface LabelledSummary {
  /** Model name, e.g. `PCA-like`. */
  model: string;
  /** Its measurements. */
  summary: ModelSummary;
}

/** |Pearson| of every component with every attribute, model after model. */
export function correlationTable(
  models: LabelledSummary[],
  attributeNames: string[],
  title: string,
  notes: string[] = [],
): Table {
  return {
    title,
    columns: ["model", "component", ...attributeNames.map((a) => `|corr| with ${a}`)],
    rows: models.flatMap((m) =>
      m.summary.attributes.map((row, i) => [m.model, `z${i + 1}`, ...row.map(finite)])
    ),
    digits: 3,
    notes,
  };
}

/** The correlation matrices' off-diagonal entries, one row per model. */
export function decorrelationTable(
  models: LabelledSummary[],
  title: string,
  notes: string[] = [],
): Table {
  const d = Math.max(...models.map((m) => m.summary.d));
  const pairs: [number, number][] = [];
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) pairs.push([i, j]);
  return {
    title,
    columns: [
      "model",
      ...pairs.map(([i, j]) => `corr(z${i + 1}, z${j + 1})`),
      "max |off-diagonal|",
    ],
    rows: models.map((m) => [
      m.model,
      ...pairs.map((
        [i, j],
      ) => (i < m.summary.d && j < m.summary.d ? finite(m.summary.correlation[i][j]) : null)),
      finite(m.summary.maxOffDiagonal),
    ]),
    digits: 3,
    notes,
  };
}

/** Per-pixel reconstruction error of each model (or step). */
export function reconstructionTable(
  rows: { model: string; d: number; mse: number }[],
  title: string,
  notes: string[] = [],
): Table {
  return {
    title,
    columns: ["model", "code size d", "mean squared error per pixel"],
    rows: rows.map((r) => [r.model, r.d, finite(r.mse)]),
    digits: 4,
    notes,
  };
}

function finite(v: number): number | string {
  return Number.isFinite(v) ? v : "n/a";
}
