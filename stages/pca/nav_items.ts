/**
 * Stages `nav-ae` and `nav-pca` (S49): latent navigation of the standard autoencoder (d = 3)
 * and of the PCA-like autoencoder (three steps) trained on ellipses, and the measurements on
 * fresh ellipses (`data-ellipses-test`, never trained on):
 *
 * - the correlation matrix of the code components (S44's second criterion: independent
 *   components); check: every |off-diagonal| ≤ 0.1 for the PCA-like model;
 * - |Pearson| of each component with the attributes of `attributes.ts` (area S = Σx, extent
 *   ratios H = L_h/L_v and V = L_d/L_a), the authors' notebook's measure; check:
 *   |Pearson(z1, S)| ≥ 0.95 for the PCA-like model (the notebook: 0.977);
 * - the per-pixel reconstruction error of each step and of the baseline.
 *
 * `nav-pca` writes the comparison tables (`correlations`, `decorrelation`, `reconstruction`,
 * each `.md` + `.json`); `nav-ae` its own model's table and report-only checks.
 *
 * @module
 */
import { type Check, check } from "../../lib/common/checks.ts";
import { renderTable } from "../../lib/figures/table.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { readNpyFloat32, stableJson } from "../../lib/ml/npy.ts";
import { measureAttributes } from "./attributes.ts";
import type { LatentModel } from "./latent_model.ts";
import { loadModelInput, modelInputs, renderNavigation } from "./navigation.ts";
import {
  correlationTable,
  decorrelationTable,
  type ModelSummary,
  reconstructionTable,
  summarise,
} from "./summary.ts";

/** Attribute names, in the order of `measureAttributes`' arrays. */
export const ELLIPSE_ATTRIBUTES = ["area S", "H = L_h/L_v", "V = L_d/L_a"];

/** The authors' notebook (chieupham/PCAAE, `Introduction_PCAAE.ipynb`): |corr| with S, H, V. */
export const NOTEBOOK = {
  pcaae: [[0.9768, 0.0154, 0.0284], [0.1321, 0.7882, 0.0343], [0.1146, 0.0190, 0.7445]],
  ae: [[0.9349, 0.4635, 0.5575], [0.0650, 0.8026, 0.0328], [0.3591, 0.0187, 0.5427]],
};

/** Bars of the catalogue (REPRODUCTION.md §4, `nav-pca`). */
export const BARS = { maxOffDiagonal: 0.1, areaCorrelation: 0.95 };

async function testAttributes(
  path: string,
): Promise<{ images: Float32Array; attributes: Float64Array[] }> {
  const t = await readNpyFloat32(path);
  const a = measureAttributes(t.data, t.shape[1]);
  return { images: t.data, attributes: [a.area, a.hvRatio, a.diagRatio] };
}

/** The notes under the correlation table. */
function correlationNotes(): string[] {
  return [
    "Fresh ellipses (data-ellipses-test). S = Σx (grey mass); L_h, L_v = mass of the central row, column; L_d, L_a = mass of the main and anti-diagonal.",
    `Authors' notebook, PCA-like: z1–S ${NOTEBOOK.pcaae[0][0]}, z2–H ${
      NOTEBOOK.pcaae[1][1]
    }, z3–V ${NOTEBOOK.pcaae[2][2]}; standard: z1–S ${NOTEBOOK.ae[0][0]}, z2–H ${
      NOTEBOOK.ae[1][1]
    }, z3–V ${NOTEBOOK.ae[2][2]}.`,
  ];
}

/** Report-only checks describing a model (largest correlations per attribute, decorrelation). */
export function describeChecks(
  item: string,
  who: string,
  s: ModelSummary,
  names: string[],
): Check[] {
  const out: Check[] = [
    check(
      item,
      `${who}: max |off-diagonal correlation| between code components`,
      s.maxOffDiagonal,
      "report",
      null,
      {
        matrix: s.correlation,
      },
    ),
  ];
  names.forEach((name, j) => {
    const col = s.attributes.map((r) => r[j]);
    const best = col.reduce((b, v, i) => (v > col[b] ? i : b), 0);
    out.push(
      check(
        item,
        `${who}: largest |Pearson| with ${name} (component z${best + 1})`,
        col[best],
        "report",
        null,
        { perComponent: col },
      ),
    );
  });
  out.push(
    check(
      item,
      `${who}: reconstruction error (mean squared error per pixel)`,
      s.mse,
      "report",
      null,
    ),
  );
  return out;
}

/** `nav-ae`: navigation of the standard autoencoder with d = 3. */
export const navAeItem = defineStage({
  id: "nav-ae",
  description:
    "S49: latent navigation of the standard autoencoder (d = 3) on ellipses, and its code statistics",
  module: import.meta.url,
  params: {},
  inputs: { ...modelInputs("ae", "train-ae-ellipses"), test: "data-ellipses-test:images.npy" },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "correlations.md",
    "correlations.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 8,
  async run(ctx) {
    const { images, attributes } = await testAttributes(ctx.inputs.test);
    const ae = await loadModelInput(ctx, "ae");
    try {
      const s = await summarise(ae, images, attributes);
      await renderNavigation(
        ctx.outPath("figure"),
        "Standard autoencoder (d = 3): z_i from −2σ to +2σ, other components 0",
        [
          { model: ae, std: s.std, label: "" },
        ],
      );
      await renderTable(
        correlationTable(
          [{ model: "standard", summary: s }],
          ELLIPSE_ATTRIBUTES,
          "Standard autoencoder: |correlation| of code components with ellipse attributes",
          correlationNotes(),
        ),
        ctx.outPath("correlations"),
      );
      await Deno.writeTextFile(
        ctx.outPath("checks.json"),
        stableJson(describeChecks("nav-ae", "standard autoencoder", s, ELLIPSE_ATTRIBUTES)) + "\n",
      );
    } finally {
      ae.dispose();
    }
  },
});

/** `nav-pca`: navigation of the PCA-like autoencoder, the checks, and the comparison tables. */
export const navPcaItem = defineStage({
  id: "nav-pca",
  description:
    "S49: latent navigation of the PCA-like autoencoder on ellipses; decorrelation and area checks; comparison with the standard autoencoder",
  module: import.meta.url,
  params: {},
  inputs: {
    ...modelInputs("step1", "train-pcaae-ellipses-1"),
    ...modelInputs("step2", "train-pcaae-ellipses-2"),
    ...modelInputs("step3", "train-pcaae-ellipses-3"),
    ...modelInputs("ae", "train-ae-ellipses"),
    test: "data-ellipses-test:images.npy",
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "correlations.md",
    "correlations.json",
    "decorrelation.md",
    "decorrelation.json",
    "reconstruction.md",
    "reconstruction.json",
    "codes.svg",
    "codes.png",
    "codes.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 15,
  async run(ctx) {
    const { images, attributes } = await testAttributes(ctx.inputs.test);
    const models: LatentModel[] = [];
    try {
      for (const name of ["step1", "step2", "step3", "ae"]) {
        models.push(await loadModelInput(ctx, name));
      }
      const summaries: ModelSummary[] = [];
      for (const m of models) summaries.push(await summarise(m, images, attributes));
      const pca = summaries[2], ae = summaries[3];
      await renderNavigation(
        ctx.outPath("figure"),
        "PCA-like autoencoder (3 steps): z_i from −2σ to +2σ, other components 0",
        [
          { model: models[2], std: pca.std, label: "" },
        ],
      );
      // Each component against the area: shows a monotone code, and one that folds the area
      // onto both signs (which Pearson's r alone cannot tell from no relation).
      const n = pca.codes.length / pca.d;
      await renderLineChart({
        title: "PCA-like autoencoder: each code component against the area, fresh ellipses",
        subtitle: `${n} images; S = Σx (grey mass)`,
        x: { title: "area S" },
        y: { title: "code" },
        series: Array.from({ length: pca.d }, (_, j) => ({
          name: `z${j + 1}`,
          x: attributes[0],
          y: Float64Array.from({ length: n }, (_, i) => pca.codes[i * pca.d + j]),
          mark: "point" as const,
          panel: `z${j + 1}`,
        })),
        independent: "y",
        columns: pca.d,
        width: 220,
        height: 180,
        legend: "none",
      }, ctx.outPath("codes"));
      const both = [{ model: "PCA-like", summary: pca }, { model: "standard", summary: ae }];
      await renderTable(
        correlationTable(
          both,
          ELLIPSE_ATTRIBUTES,
          "|Correlation| of code components with ellipse attributes (S49)",
          correlationNotes(),
        ),
        ctx.outPath("correlations"),
      );
      await renderTable(
        decorrelationTable(both, "Correlations between code components, fresh ellipses", [
          `Bar for the PCA-like model: every |off-diagonal| ≤ ${BARS.maxOffDiagonal}.`,
        ]),
        ctx.outPath("decorrelation"),
      );
      await renderTable(
        reconstructionTable([
          ...summaries.slice(0, 3).map((s, i) => ({
            model: `PCA-like, step ${i + 1}`,
            d: s.d,
            mse: s.mse,
          })),
          { model: "standard", d: ae.d, mse: ae.mse },
        ], "Reconstruction error on fresh ellipses"),
        ctx.outPath("reconstruction"),
      );
      const checks: Check[] = [
        check(
          "nav-pca",
          "max |off-diagonal correlation| between the PCA-like code components, fresh ellipses",
          pca.maxOffDiagonal,
          "<=",
          BARS.maxOffDiagonal,
          {
            matrix: pca.correlation,
            standardAutoencoder: ae.maxOffDiagonal,
          },
        ),
        check(
          "nav-pca",
          "|Pearson(z1, area S = Σx)| of the PCA-like autoencoder, fresh ellipses",
          pca.attributes[0][0],
          ">=",
          BARS.areaCorrelation,
          {
            notebook: NOTEBOOK.pcaae[0][0],
            perComponent: pca.attributes.map((r) => r[0]),
          },
        ),
        check(
          "nav-pca",
          "|Spearman(z1, S)| of the PCA-like autoencoder: any monotone code of the area scores 1 (Pearson's r, above, asks for a straight line)",
          pca.rankAttributes[0][0],
          "report",
          null,
          { perComponent: pca.rankAttributes.map((r) => r[0]) },
        ),
        check(
          "nav-pca",
          "|Pearson(|z1 − mean|, S)| of the PCA-like autoencoder: the area folded onto both signs of z1 (see codes.png)",
          pca.foldedAttributes[0][0],
          "report",
          null,
          { perComponent: pca.foldedAttributes.map((r) => r[0]) },
        ),
        check(
          "nav-pca",
          "|Pearson(z2, H = L_h/L_v)| of the PCA-like autoencoder (notebook: 0.788)",
          pca.attributes[1][1],
          "report",
          null,
          {
            notebook: NOTEBOOK.pcaae[1][1],
          },
        ),
        check(
          "nav-pca",
          "|Pearson(z3, V = L_d/L_a)| of the PCA-like autoencoder (notebook: 0.745)",
          pca.attributes[2][2],
          "report",
          null,
          {
            notebook: NOTEBOOK.pcaae[2][2],
          },
        ),
        check(
          "nav-pca",
          "reconstruction error per pixel of the PCA-like autoencoder after step 3 (steps 1, 2 in details)",
          pca.mse,
          "report",
          null,
          {
            perStep: summaries.slice(0, 3).map((s) => s.mse),
            standardAutoencoder: ae.mse,
          },
        ),
        ...describeChecks("nav-pca", "standard autoencoder", ae, ELLIPSE_ATTRIBUTES),
      ];
      await Deno.writeTextFile(ctx.outPath("checks.json"), stableJson(checks) + "\n");
    } finally {
      for (const m of models) m.dispose();
    }
  },
});
