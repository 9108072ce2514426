/**
 * Stage `pca-arch` (S45–S47): the progressive architecture of the PCA-like autoencoder, drawn
 * from the configurations saved with the three trained steps on ellipses (never typed by
 * hand), with a table of every part's layers and trainable parameters per step.
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { writeFigure } from "../../lib/figures/render.ts";
import { renderTable } from "../../lib/figures/table.ts";
import { defineStage, type OutputRef } from "../../pipeline/stage.ts";
import { stableJson } from "../../lib/ml/npy.ts";
import {
  parameterCount,
  partSummary,
  progressiveDiagramSvg,
  stepsFromConfigs,
  sub,
} from "./arch_diagram.ts";
import { type LatentModelConfig, readLatentModel, validateLatentConfig } from "./latent_model.ts";

const STEPS = [1, 2, 3];

/** The loss of step k as drawn (two lines for k > 1). */
export function stepLossText(k: number, loss: string): string {
  const rec = loss === "bce" ? "BCE(x̂, x)" : "MSE(x̂, x)";
  if (k === 1) return `L = ${rec}`;
  const terms = Array.from({ length: k - 1 }, (_, i) => `Cov(z${sub(i + 1)}, z${sub(k)})²`);
  const sum = k === 2 ? terms[0] : `(1/${k - 1})·[${terms.join(" + ")}]`;
  return `L = ${rec}\n+ λ_cov · ${sum}`;
}

/** The `pca-arch` item stage. */
export const pcaArchItem = defineStage({
  id: "pca-arch",
  description:
    "S45–S47: the progressive PCA-like architecture, drawn from the trained steps' configurations",
  module: import.meta.url,
  params: {},
  inputs: Object.fromEntries(STEPS.flatMap((k) => [
    [`step${k}Json`, `train-pcaae-ellipses-${k}:model.json`],
    [`step${k}Bin`, `train-pcaae-ellipses-${k}:model.bin`],
  ])) as Record<string, OutputRef>,
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "parameters.md",
    "parameters.json",
    "checks.json",
  ],
  estimate: () => 2,
  async run(ctx) {
    const configs: LatentModelConfig[] = [];
    const losses: string[] = [];
    const lambdas: number[] = [];
    for (const k of STEPS) {
      const { config, header } = await readLatentModel(
        ctx.inputs[`step${k}Json`],
        ctx.inputs[`step${k}Bin`],
      );
      validateLatentConfig(config);
      configs.push(config);
      const params =
        (header.training as { params?: { loss?: string; covLambda?: number } } | undefined)?.params;
      if (!params?.loss) {
        throw new Error(
          `Cannot draw step ${k}: its model.json records no training loss; rebuild train-pcaae-ellipses-${k}`,
        );
      }
      losses.push(params.loss);
      if (typeof params.covLambda !== "number") {
        throw new Error(
          `Cannot draw step ${k}: its model.json records no covLambda; rebuild train-pcaae-ellipses-${k}`,
        );
      }
      lambdas.push(params.covLambda);
    }
    const steps = stepsFromConfigs(configs, (k) => stepLossText(k, losses[k - 1]))
      .map((s) => ({ ...s, lambdaCov: lambdas[s.k - 1] }));
    const svg = progressiveDiagramSvg(
      steps,
      "PCA-like autoencoder: the code grows one component per step",
    );
    await writeFigure(ctx.outPath("figure"), svg, { steps });
    const rows = steps.map((s) => {
      const encParams = s.encoders.map(parameterCount);
      const trained = encParams[encParams.length - 1] + parameterCount(s.decoder);
      return [
        `step ${s.k}`,
        s.encoders.length,
        encParams.join(" + "),
        parameterCount(s.decoder),
        trained,
        encParams.slice(0, s.frozen).reduce((a, b) => a + b, 0),
      ];
    });
    await renderTable({
      title: "Parameters per step of the PCA-like autoencoder",
      columns: [
        "step",
        "code size",
        "encoder parameters",
        "decoder parameters",
        "trained at this step",
        "frozen",
      ],
      rows,
      notes: [
        `Encoder: ${
          partSummary(steps[0].encoders[0])
        }; batch normalisation without scale and shift on its output.`,
        ...steps.map((s) => `D${sub(s.k)}: ${partSummary(s.decoder)}.`),
      ],
    }, ctx.outPath("parameters"));
    const checks = [
      check(
        "pca-arch",
        "encoders in the last step (one per code component)",
        configs[configs.length - 1].encoders.length,
        "report",
        null,
      ),
      check(
        "pca-arch",
        "parameters trained at the last step (newest encoder + fresh decoder)",
        rows[rows.length - 1][4] as number,
        "report",
        null,
        {
          perStep: rows.map((r) => r[4]),
        },
      ),
    ];
    await Deno.writeTextFile(ctx.outPath("checks.json"), stableJson(checks) + "\n");
  },
});
