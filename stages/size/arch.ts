/**
 * Stage `arch` (P-Fig 1, P-Tab 1, S9): the architecture diagram and parameter table of the
 * disk autoencoder, generated from the configuration saved beside the weights of the model
 * actually trained (`train-ae:weights.json`), never typed by hand. The training settings of
 * P-Tab 1's lower half (learning rate, batch size, algorithm) come from the same file.
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import {
  type AutoencoderConfig,
  describeArchitecture,
  latentSize,
  type LayerRow,
} from "../../lib/ml/model.ts";
import { readWeights } from "../../lib/ml/weights_io.ts";
import { type DiagramLayer, renderDiagram } from "../../lib/figures/diagram.ts";
import { type Table, tableToJson, tableToMarkdown } from "../../lib/figures/table.ts";
import { weightInputs, writeChecks, writeJson } from "./stage_util.ts";

/**
 * REFERENCE, typed from the paper (P-Tab 1): the depths from the input to the code. Used only
 * to check the trained configuration against, never to build anything.
 */
export const PAPER_DEPTHS: readonly number[] = [1, 8, 4, 4, 3, 2, 1];

/** The words of an activation for the diagram and the table. */
function activationText(a: string, alpha: number): string {
  return a === "leaky_relu" ? `leaky ReLU (α = ${alpha})` : a === "linear" ? "none" : a;
}

/** One line per layer: the operation as P-Fig 1 / S9 describe it. */
export function layerOperation(row: LayerRow, config: AutoencoderConfig): string {
  const [kh, kw] = config.kernelSize;
  const [sh, sw] = config.strides;
  const k = `${kh}×${kw}`;
  const s = sh === sw ? `${sh}` : `${sh}×${sw}`;
  const bias = row.bias ? " + bias" : "";
  const act = activationText(row.activation, config.alpha);
  return row.part === "encoder"
    ? `conv ${k}, stride ${s}${bias}, ${act}`
    : `zero-insertion ×${s}, conv ${k}${bias}, ${act}`;
}

/** The diagram's layers (input, then one box per layer's output), from the configuration. */
export function diagramLayers(config: AutoencoderConfig): DiagramLayer[] {
  const rows = describeArchitecture(config);
  const layers: DiagramLayer[] = [{ name: "input x", shape: rows[0].inShape, group: "encoder" }];
  const nEnc = rows.filter((r) => r.part === "encoder").length;
  const nDec = rows.length - nEnc;
  for (const row of rows) {
    const isCode = row.part === "encoder" && row.index === nEnc - 1;
    const isOutput = row.part === "decoder" && row.index === nDec - 1;
    layers.push({
      name: isCode
        ? "code z"
        : isOutput
        ? "output y"
        : `${row.part === "encoder" ? "enc" : "dec"} ${row.index + 1}`,
      shape: row.outShape,
      op: layerOperation(row, config),
      group: isCode ? "code" : row.part,
      note: `${row.params} parameters`,
    });
  }
  return layers;
}

/** The parameter table (one row per layer and a total), from the configuration. */
export function layerTable(config: AutoencoderConfig): Table {
  const rows = describeArchitecture(config);
  const total = rows.reduce((s, r) => s + r.params, 0);
  return {
    title: "Layers of the trained disk autoencoder (P-Fig 1, P-Tab 1)",
    columns: ["part", "layer", "operation", "input", "output", "kernel", "parameters"],
    rows: [
      ...rows.map((r) => [
        r.part,
        r.index + 1,
        layerOperation(r, config),
        r.inShape.join("×"),
        r.outShape.join("×"),
        r.kernelShape.join("×"),
        r.params,
      ]),
      ["total", null, "", "", "", "", total],
    ],
    notes: [
      `Code size d = ${
        latentSize(config)
      }. Kernels in TensorFlow layout: encoder [kh, kw, c_in, c_out], ` +
      "decoder [kh, kw, c_out, c_in]. Generated from the configuration saved with the trained weights.",
    ],
  };
}

/** Training facts `trainStage` saves under `training` in `weights.json`. */
interface TrainingFacts {
  params?: { iterations?: number; batchSize?: number; learningRate?: number; loss?: string };
  count?: number;
}

/** P-Tab 1's lower half, from the configuration and the training facts. */
export function settingsTable(config: AutoencoderConfig, training: TrainingFacts): Table {
  const p = training.params ?? {};
  return {
    title: "Training settings of the trained model (P-Tab 1)",
    columns: ["parameter", "value"],
    rows: [
      ["spatial filter size", config.kernelSize.join("×")],
      ["non-linearity", activationText(config.hiddenActivation, config.alpha)],
      [
        "code / output activation",
        `${activationText(config.latentActivation, config.alpha)} / ${
          activationText(config.outputActivation, config.alpha)
        }`,
      ],
      ["learning algorithm", "Adam (β₁ 0.9, β₂ 0.999, ε 1e-7)"],
      ["learning rate", p.learningRate ?? null],
      ["batch size", p.batchSize ?? null],
      ["iterations", p.iterations ?? null],
      ["training images", training.count ?? null],
      [
        "loss",
        p.loss === "mean"
          ? "per-pixel mean squared error"
          : p.loss === "sum"
          ? "squared error per image"
          : null,
      ],
    ],
  };
}

/** Stage `arch`. */
export const archStage = defineStage({
  id: "arch",
  description:
    "architecture diagram and parameter table of the trained disk autoencoder (P-Fig 1, P-Tab 1, S9)",
  module: import.meta.url,
  params: {},
  inputs: weightInputs("train-ae"),
  outputs: ["figure.svg", "figure.png", "figure.json", "table.md", "table.json", "checks.json"],
  estimate: () => 1,
  async run(ctx) {
    const w = await readWeights(ctx.inputs.weights, ctx.inputs.bin);
    const config = w.config;
    const training = (w.header.training ?? {}) as TrainingFacts;
    const rows = describeArchitecture(config);
    const tableTotal = rows.reduce((s, r) => s + r.params, 0);
    const stored = Object.values(w.values).reduce((s, v) => s + v.length, 0);
    const binValues = (await Deno.stat(ctx.inputs.bin)).size / 4;

    await renderDiagram(
      {
        title: `Disk autoencoder as trained (d = ${latentSize(config)})`,
        layers: diagramLayers(config),
      },
      ctx.outPath("figure"),
    );
    const layers = layerTable(config), settings = settingsTable(config, training);
    await Deno.writeTextFile(
      ctx.outPath("table.md"),
      tableToMarkdown(layers) + "\n" + tableToMarkdown(settings),
    );
    await writeJson(ctx.outPath("table.json"), {
      layers: tableToJson(layers),
      settings: tableToJson(settings),
      config,
    });

    const enc = config.encoderDepths ?? [], dec = config.decoderDepths ?? [];
    const p = training.params ?? {};
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "arch",
        "parameters in the table (from the configuration) = float32 values in the trained weights.bin",
        tableTotal,
        "==",
        binValues,
        {
          tableTotal,
          valuesInWeightsJson: stored,
          valuesInWeightsBin: binValues,
        },
      ),
      check(
        "arch",
        "encoder depths 1 8 4 4 3 2 1 and mirrored decoder depths, as P-Tab 1",
        JSON.stringify(enc) === JSON.stringify(PAPER_DEPTHS) &&
          JSON.stringify(dec) === JSON.stringify([...PAPER_DEPTHS].reverse()),
        "==",
        true,
        { encoderDepths: enc, decoderDepths: dec, paper: [...PAPER_DEPTHS] },
      ),
      check(
        "arch",
        "3×3 filters, stride 2, biases, leaky ReLU α = 0.2 in every layer, code size d = 1",
        config.kernelSize.join() === "3,3" && config.strides.join() === "2,2" &&
          config.encoderBias &&
          config.decoderBias && config.alpha === 0.2 && config.hiddenActivation === "leaky_relu" &&
          latentSize(config) === 1,
        "==",
        true,
        {
          kernelSize: config.kernelSize,
          strides: config.strides,
          alpha: config.alpha,
          d: latentSize(config),
        },
      ),
      check(
        "arch",
        "Adam learning rate of the trained model (P-Tab 1: 0.001; the quick profile uses its own)",
        p.learningRate ?? null,
        "report",
        null,
        {
          paper: 0.001,
        },
      ),
      check(
        "arch",
        "batch size of the trained model (P-Tab 1: 300; the quick profile uses fewer)",
        p.batchSize ?? null,
        "report",
        null,
        {
          paper: 300,
          iterations: p.iterations ?? null,
        },
      ),
    ]);
  },
});
