/**
 * Stage `grey` (S50): disks of varying radius and grey level, the talk's failure case ("the
 * second axis of the PCA autoencoder is not well learned"). The PCA-like autoencoder (two
 * steps) and the standard one (d = 2) are measured on fresh disks as `nav-pca` does: the
 * correlation matrix of the codes, |Pearson| of each component with the area πr², the grey
 * level g and the grey mass Σx (≈ g·πr², the product of the two), the reconstruction error
 * per step; and their navigations are drawn. Every check is report-only: the failure is the
 * expected finding.
 *
 * @module
 */
import { type Check, check } from "../../lib/common/checks.ts";
import { renderTable } from "../../lib/figures/table.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { readNpy, readNpyFloat32, stableJson } from "../../lib/ml/npy.ts";
import { measureAttributes } from "./attributes.ts";
import type { LatentModel } from "./latent_model.ts";
import { describeChecks } from "./nav_items.ts";
import { loadModelInput, modelInputs, renderNavigation } from "./navigation.ts";
import {
  correlationTable,
  decorrelationTable,
  type ModelSummary,
  reconstructionTable,
  summarise,
} from "./summary.ts";

/** Attribute names, in the order the stage passes them. */
export const GREY_ATTRIBUTES = ["area πr²", "grey level g", "mass Σx"];

/** The `grey` item stage. */
export const greyItem = defineStage({
  id: "grey",
  description:
    "S50: disks of varying radius and grey level, the PCA-like autoencoder's failure case; navigation and code statistics",
  module: import.meta.url,
  params: {},
  inputs: {
    ...modelInputs("step1", "train-pcaae-grey-1"),
    ...modelInputs("step2", "train-pcaae-grey-2"),
    ...modelInputs("ae", "train-ae-grey"),
    test: "data-grey-test:images.npy",
    testParams: "data-grey-test:params.npy",
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
    "checks.json",
  ],
  compute: true,
  estimate: () => 12,
  async run(ctx) {
    const test = await readNpyFloat32(ctx.inputs.test);
    const params = (await readNpy(ctx.inputs.testParams)).data;
    const n = test.shape[0];
    const area = Float64Array.from({ length: n }, (_, i) => Math.PI * params[2 * i] ** 2);
    const grey = Float64Array.from({ length: n }, (_, i) => params[2 * i + 1]);
    const mass = measureAttributes(test.data, test.shape[1]).area;
    const attributes = [area, grey, mass];
    const models: LatentModel[] = [];
    try {
      for (const name of ["step1", "step2", "ae"]) models.push(await loadModelInput(ctx, name));
      const summaries: ModelSummary[] = [];
      for (const m of models) summaries.push(await summarise(m, test.data, attributes));
      const [step1, pca, ae] = summaries;
      await renderNavigation(
        ctx.outPath("figure"),
        "Disks of varying radius and grey level: z_i from −2σ to +2σ, other components 0",
        [
          { model: models[1], std: pca.std, label: "PCA-like " },
          { model: models[2], std: ae.std, label: "standard " },
        ],
      );
      const both = [{ model: "PCA-like", summary: pca }, { model: "standard", summary: ae }];
      await renderTable(
        correlationTable(
          both,
          GREY_ATTRIBUTES,
          "|Correlation| of code components with the disks' attributes (S50)",
          [
            "Fresh disks (data-grey-test); r, g as drawn; Σx measured on the image.",
          ],
        ),
        ctx.outPath("correlations"),
      );
      await renderTable(
        decorrelationTable(both, "Correlations between code components, fresh grey disks"),
        ctx.outPath("decorrelation"),
      );
      await renderTable(
        reconstructionTable([
          { model: "PCA-like, step 1", d: step1.d, mse: step1.mse },
          { model: "PCA-like, step 2", d: pca.d, mse: pca.mse },
          { model: "standard", d: ae.d, mse: ae.mse },
        ], "Reconstruction error on fresh grey disks"),
        ctx.outPath("reconstruction"),
      );
      const checks: Check[] = [
        check(
          "grey",
          "PCA-like: max |off-diagonal correlation| between code components (nav-pca's bar 0.1, not applied)",
          pca.maxOffDiagonal,
          "report",
          null,
          {
            matrix: pca.correlation,
          },
        ),
        check(
          "grey",
          "PCA-like: |Pearson(z1, area πr²)| (nav-pca's bar 0.95, not applied)",
          pca.attributes[0][0],
          "report",
          null,
          {
            perComponent: pca.attributes.map((r) => r[0]),
          },
        ),
        check(
          "grey",
          "PCA-like: |Pearson(z2, grey level g)|",
          pca.attributes[1][1],
          "report",
          null,
          {
            perComponent: pca.attributes.map((r) => r[1]),
          },
        ),
        check("grey", "PCA-like: |Pearson(z1, mass Σx)|", pca.attributes[0][2], "report", null),
        check(
          "grey",
          "PCA-like: reconstruction error per pixel after step 2 (step 1 in details)",
          pca.mse,
          "report",
          null,
          {
            step1: step1.mse,
            relativeGainOfStep2: step1.mse > 0 ? 1 - pca.mse / step1.mse : null,
          },
        ),
        ...describeChecks("grey", "standard autoencoder", ae, GREY_ATTRIBUTES),
      ];
      await Deno.writeTextFile(ctx.outPath("checks.json"), stableJson(checks) + "\n");
    } finally {
      for (const m of models) m.dispose();
    }
  },
});
