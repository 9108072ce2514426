/**
 * Stage `enc-weights` (P-Fig 9, S38): the filters a position encoder learns, set against the
 * hand-crafted [1, 2, 1] of P Eq. 13.
 *
 * The encoder of P§5.3 (1-D, n = 64, six stride-2 layers of depth 1, filter size 3, biases
 * and leaky ReLU) is trained two ways, since the paper does not say which it used: by
 * regressing the position of one-hot inputs directly (`train-pos-enc-regress`), and inside an
 * autoencoder with the decoder of P§5.4 (`train-pos-enc-ae`). For each, and each of its runs,
 * every layer's filter is compared with ±[1, 2, 1] by the cosine on its effective taps
 * (`metrics.ts`: the last layer's third tap only ever multiplies the zero padding). The check
 * decides on the share of the direct regression's seeds that recover [1, 2, 1] (a majority);
 * run 0 and the autoencoder route are reported.
 *
 * Figures: `figure` (bars: each layer's normalised filter beside [1, 2, 1], both trainings),
 * `codes` (the encoder's output on every one-hot input: Prop. 3 predicts a line), `runs` (a
 * table of every run).
 *
 * @module
 */
import { type Check, check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { renderChart, type VegaLiteSpec } from "../../lib/figures/chart.ts";
import { renderLineChart } from "../../lib/figures/line_chart.ts";
import { renderTable } from "../../lib/figures/table.ts";
import { PALETTE } from "../../lib/figures/theme.ts";
import { encodeBatched } from "../../lib/ml/analysis.ts";
import { readNpy, readNpyFloat32, stableJson } from "../../lib/ml/npy.ts";
import { compareWithPhi, type FilterComparison, linearFit } from "./metrics.ts";
import { type PositionRun, type PositionRuns, runModel } from "./train_position.ts";

/** Share of seeds above which a result is what training does "in practice" (P§5.3). */
const MAJORITY = 0.5;

/** The catalogue's bar: every layer's |cosine| with [1, 2, 1] at least this. */
export const COSINE_BAR = 0.95;

/** The two trainings, in the order they are drawn. */
export const TRAININGS = [
  { key: "regress", label: "direct regression of the position", short: "regression" },
  { key: "ae", label: "inside an autoencoder with the §5.4 decoder", short: "autoencoder" },
] as const;

/** One run's filters compared with [1, 2, 1]. */
export interface RunFilters {
  /** Run index (0 = the main run). */
  index: number;
  /** Training seed. */
  seed: number;
  /** Final training loss. */
  finalLoss: number;
  /** One comparison per layer, input side first. */
  layers: FilterComparison[];
  /** Smallest |cosine| over the layers (effective taps). */
  minAbsCosine: number;
  /** Smallest |cosine| over the layers, all three taps. */
  minAbsCosineAllTaps: number;
  /** Whether every layer reaches the bar. */
  recovers: boolean;
}

/** Compares every layer of an encoder with [1, 2, 1]; `n` is the input size. */
export function runFilters(run: PositionRun, n: number): RunFilters {
  const layers: FilterComparison[] = [];
  for (let l = 0, size = n; size > 1; l++, size /= 2) {
    const w = run.weights[`encoder_${l}_kernel`];
    if (!w) {
      throw new Error(
        `Cannot read the filter of encoder layer ${l}: run ${run.index} has no "encoder_${l}_kernel"`,
      );
    }
    layers.push(compareWithPhi(w, size));
  }
  const minAbsCosine = Math.min(...layers.map((c) => Math.abs(c.cosine)));
  return {
    index: run.index,
    seed: run.seed,
    finalLoss: run.finalLoss,
    layers,
    minAbsCosine,
    minAbsCosineAllTaps: Math.min(...layers.map((c) => Math.abs(c.cosineAllTaps))),
    recovers: minAbsCosine >= COSINE_BAR,
  };
}

/** The bar chart of P-Fig 9: one panel per (training, layer), taps −1, 0, +1. */
export function filterChartSpec(panels: { training: string; run: RunFilters }[]): VegaLiteSpec {
  const rows: Record<string, string | number>[] = [];
  const TAPS = ["−1", "0", "+1"];
  let lo = 0;
  for (const { training, run } of panels) {
    run.layers.forEach((c, l) => {
      const layer = `layer ${l + 1}`;
      c.normalised.forEach((v, k) => {
        if (Number.isFinite(v)) {
          rows.push({ training, layer, tap: TAPS[k], kind: "learned", value: v });
          lo = Math.min(lo, v);
        } else {
          rows.push({ training, layer, tap: TAPS[k], kind: "pad", value: 0, text: "pad" });
        }
        if (Number.isFinite(c.reference[k])) {
          rows.push({ training, layer, tap: TAPS[k], kind: "[1, 2, 1]", value: c.reference[k] });
        }
      });
      rows.push({
        training,
        layer,
        tap: "0",
        kind: "label",
        value: 1.12,
        text: `cos ${c.cosine.toFixed(3)}`,
      });
    });
  }
  const domain = [Math.min(-0.2, Math.floor(lo * 10) / 10), 1.2];
  const x = { field: "tap", type: "ordinal", sort: TAPS, axis: { title: "tap", labelAngle: 0 } };
  return {
    title: {
      text: "Filters learned by the position encoder, next to [1, 2, 1]",
      subtitle: [
        "rows: encoder trained by direct regression of the position a / 63, or inside an autoencoder with the §5.4 decoder (run 0 of each)",
        "bars: learned filter, divided by its norm, sign flipped to match +[1, 2, 1]; black ticks: [1, 2, 1] / ‖[1, 2, 1]‖",
        "cos: cosine with [1, 2, 1] (sign kept); layer 6's tap +1 only meets the zero padding (pad)",
      ],
    },
    data: { values: rows },
    facet: {
      row: {
        field: "training",
        type: "nominal",
        sort: panels.map((p) => p.training),
        header: { title: null, labelFontSize: 12 },
      },
      column: { field: "layer", type: "nominal", header: { title: null, labelFontSize: 12 } },
    },
    spec: {
      width: 78,
      height: 120,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'learned'" }],
          mark: { type: "bar", width: 16 },
          encoding: {
            x,
            y: {
              field: "value",
              type: "quantitative",
              scale: { domain },
              axis: { title: "normalised weight", tickCount: 5 },
            },
            color: {
              field: "training",
              type: "nominal",
              scale: {
                domain: panels.map((p) => p.training),
                range: PALETTE.slice(0, panels.length),
              },
              legend: null,
            },
          },
        },
        {
          transform: [{ filter: "datum.kind === '[1, 2, 1]'" }],
          mark: { type: "tick", color: "#000000", thickness: 2, size: 22 },
          encoding: { x, y: { field: "value", type: "quantitative" } },
        },
        {
          transform: [{ filter: "datum.kind === 'pad'" }],
          mark: { type: "text", fontSize: 9, color: "#555555", dy: -6 },
          encoding: { x, y: { field: "value", type: "quantitative" }, text: { field: "text" } },
        },
        {
          transform: [{ filter: "datum.kind === 'label'" }],
          mark: { type: "text", fontSize: 10, color: "#1a1a1a" },
          encoding: { x, y: { field: "value", type: "quantitative" }, text: { field: "text" } },
        },
      ],
    },
    resolve: { scale: { x: "independent" } },
  };
}

/** Stage `enc-weights`. */
export const encWeightsStage = defineStage({
  id: "enc-weights",
  description:
    "Filters learned by the position encoder (regression and autoencoder) against [1, 2, 1] (P-Fig 9, S38)",
  module: import.meta.url,
  params: {},
  inputs: {
    regress: "train-pos-enc-regress:runs.json",
    ae: "train-pos-enc-ae:runs.json",
    images: "data-pos-onehot:images.npy",
    positions: "data-pos-onehot:positions.npy",
  },
  outputs: [
    "figure.svg",
    "figure.png",
    "figure.json",
    "codes.svg",
    "codes.png",
    "codes.json",
    "runs.md",
    "runs.json",
    "metrics.json",
    "checks.json",
  ],
  compute: true,
  estimate: () => 6,
  async run(ctx) {
    const images = await readNpyFloat32(ctx.inputs.images);
    const positions = Array.from((await readNpy(ctx.inputs.positions)).data);
    const n = images.shape[1];
    const results: Record<
      string,
      { runs: RunFilters[]; codes: number[]; fit: ReturnType<typeof linearFit> }
    > = {};
    for (const t of TRAININGS) {
      const runs = JSON.parse(await Deno.readTextFile(ctx.inputs[t.key])) as PositionRuns;
      const filters = runs.runs.map((r) => runFilters(r, n));
      // Run 0's code for every one-hot input: Prop. 3 predicts an affine function of a.
      const model = runModel(runs, 0);
      let codes: number[];
      try {
        codes = Array.from(await encodeBatched(model, images.data));
      } finally {
        model.dispose();
      }
      results[t.key] = { runs: filters, codes, fit: linearFit(positions, codes) };
      for (const f of filters) {
        ctx.log(
          `${t.short} run ${f.index}: loss ${f.finalLoss.toExponential(3)}, cos ${
            f.layers.map((c) => c.cosine.toFixed(3)).join(" ")
          }`,
        );
      }
    }

    await renderChart(
      filterChartSpec(TRAININGS.map((t) => ({ training: t.short, run: results[t.key].runs[0] }))),
      ctx.outPath("figure"),
    );
    await renderLineChart({
      title: "Encoder output on every one-hot input δ_a (run 0)",
      subtitle: "Prop. 3: with [1, 2, 1] filters the code is an affine function of a",
      x: { title: "position a of the one" },
      y: { title: "code z = E(δ_a)" },
      series: TRAININGS.flatMap((t) => {
        const r = results[t.key];
        return [
          {
            name: "E(δ_a)",
            panel: `${t.short} (R² of a line ${r.fit.r2.toFixed(4)})`,
            x: positions,
            y: r.codes,
            mark: "point" as const,
          },
          {
            name: "least-squares line",
            panel: `${t.short} (R² of a line ${r.fit.r2.toFixed(4)})`,
            x: [positions[0], positions[positions.length - 1]],
            y: [positions[0], positions[positions.length - 1]].map((a) =>
              r.fit.slope * a + r.fit.intercept
            ),
            dash: "dashed" as const,
            color: "#555555",
          },
        ];
      }),
      independent: "y",
      legend: "bottom",
    }, ctx.outPath("codes"));
    const layerCount = results.regress.runs[0].layers.length;
    await renderTable({
      title: "Every run: |cosine| of each layer's filter with [1, 2, 1]",
      columns: [
        "training",
        "run",
        "final loss",
        ...Array.from({ length: layerCount }, (_, l) => `layer ${l + 1}`),
        "min",
        `all ≥ ${COSINE_BAR}`,
      ],
      rows: TRAININGS.flatMap((t) =>
        results[t.key].runs.map((r) => [
          t.short,
          r.index,
          r.finalLoss,
          ...r.layers.map((c) => Math.abs(c.cosine)),
          r.minAbsCosine,
          r.recovers,
        ])
      ),
      digits: 3,
      notes: [
        "Cosine on the effective taps; the last layer's third tap only multiplies the zero padding (TensorFlow 'same' padding) and keeps its initial value.",
        "Run 0 is the one drawn and checked; the other runs differ only by the seed.",
      ],
    }, ctx.outPath("runs"));

    const metrics = Object.fromEntries(TRAININGS.map((t) => [t.key, results[t.key]]));
    await Deno.writeTextFile(
      ctx.outPath("metrics.json"),
      stableJson({ bar: COSINE_BAR, ...metrics }) + "\n",
    );

    // The decision is on the share of seeds, not on run 0: P§5.3 says "training a neural
    // network with the above architecture leads to the hand-crafted weights in practice", a
    // claim about what training usually does, so a majority of seeds must recover [1, 2, 1].
    // It is decided on the direct regression of the position (the encoder of P§5.3 trained
    // alone; the paper names no other target) and reported for the autoencoder route. Run 0's
    // rows, which decided before, stay as reported rows.
    const checks: Check[] = [];
    for (const t of TRAININGS) {
      const runs = results[t.key].runs;
      const ok = runs.filter((r) => r.recovers).length;
      checks.push(check(
        "enc-weights",
        `${t.short}: fraction of runs (seeds) whose every layer has |cosine| ≥ ${COSINE_BAR}` +
          (t.key === "regress"
            ? " (a majority: P§5.3, training finds the filter in practice)"
            : ""),
        ok / runs.length,
        t.key === "regress" ? ">" : "report",
        t.key === "regress" ? MAJORITY : null,
        { runs: runs.length, recovering: ok, minAbsCosinePerRun: runs.map((r) => r.minAbsCosine) },
      ));
    }
    for (const t of TRAININGS) {
      const main = results[t.key].runs[0];
      checks.push(check(
        "enc-weights",
        `${t.short}, run 0: smallest |cosine| with [1, 2, 1] over the ${main.layers.length} layers (bar ${COSINE_BAR}; decided before the seeds' share was)`,
        main.minAbsCosine,
        "report",
        null,
        {
          cosinePerLayer: main.layers.map((c) => c.cosine),
          cosineAllTapsPerLayer: main.layers.map((c) => c.cosineAllTaps),
          weightsPerLayer: main.layers.map((c) => c.weights),
          finalLoss: main.finalLoss,
          seed: main.seed,
          note: "effective taps: layer 6's third tap only multiplies the zero padding",
        },
      ));
    }
    checks.push(check(
      "enc-weights",
      "direct regression, run 0: R² of a line through the codes E(δ_a) against a (Prop. 3: 1)",
      results.regress.fit.r2,
      "report",
      null,
      {
        slope: results.regress.fit.slope,
        intercept: results.regress.fit.intercept,
        autoencoderR2: results.ae.fit.r2,
      },
    ));
    await Deno.writeTextFile(ctx.outPath("checks.json"), JSON.stringify(checks, null, 2) + "\n");
  },
});
