/**
 * Stage `weights` (S12): the learned 3×3 filters of the disk autoencoder, shown as they are.
 * S12's point is that they are hard to read, which is why the paper turns to the latent space
 * and to ablations; there is no numerical claim.
 *
 * One row per layer, every (input channel, output channel) filter of it; each layer is divided
 * by its largest |w| (given in the row label) so that layers of different scales are all
 * visible on one diverging scale (blue negative, red positive).
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { describeArchitecture } from "../../lib/ml/model.ts";
import { readWeights } from "../../lib/ml/weights_io.ts";
import { type GridCell, renderImageGrid } from "../../lib/figures/image_grid.ts";
import { sig, weightInputs, writeChecks } from "./stage_util.ts";

/** One layer's filters, each kh×kw, with the layer's largest |w|. */
export interface LayerFilters {
  /** Row label, e.g. `enc 1 (1→8)`. */
  label: string;
  /** The filters, row-major kh×kw each, ordered by output channel then input channel. */
  filters: Float32Array[];
  /** Largest |w| of the layer. */
  maxAbs: number;
}

/**
 * Splits a kernel in TensorFlow layout into its 2-D filters. Encoder kernels are
 * [kh, kw, c_in, c_out], decoder kernels [kh, kw, c_out, c_in]; either way filter (a, b) of
 * the last two axes is w[·, ·, a, b], and filters are listed with the output channel outermost.
 */
export function splitKernel(
  kernel: Float32Array,
  shape: readonly number[],
  part: "encoder" | "decoder",
): Float32Array[] {
  const [kh, kw, c2, c3] = shape;
  const out: Float32Array[] = [];
  const outCh = part === "encoder" ? c3 : c2, inCh = part === "encoder" ? c2 : c3;
  for (let o = 0; o < outCh; o++) {
    for (let i = 0; i < inCh; i++) {
      const [a, b] = part === "encoder" ? [i, o] : [o, i];
      const f = new Float32Array(kh * kw);
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) f[y * kw + x] = kernel[((y * kw + x) * c2 + a) * c3 + b];
      }
      out.push(f);
    }
  }
  return out;
}

/** Stage `weights`. */
export const weightsStage = defineStage({
  id: "weights",
  description: "learned 3×3 filters of the disk autoencoder (S12)",
  module: import.meta.url,
  params: {
    pixelScale: { type: "integer", default: 8, min: 1, doc: "display pixels per filter tap" },
  },
  inputs: weightInputs("train-ae"),
  outputs: ["figure.svg", "figure.png", "figure.json", "checks.json"],
  estimate: () => 2,
  async run(ctx) {
    const w = await readWeights(ctx.inputs.weights, ctx.inputs.bin);
    const rows = describeArchitecture(w.config);
    const [kh, kw] = w.config.kernelSize;
    const layers: LayerFilters[] = rows.map((row) => {
      const kernel = w.values[`${row.part}_${row.index}_kernel`];
      let maxAbs = 0;
      for (const v of kernel) maxAbs = Math.max(maxAbs, Math.abs(v));
      const [cin, cout] = [row.inShape[2], row.outShape[2]];
      return {
        label: `${row.part === "encoder" ? "enc" : "dec"} ${
          row.index + 1
        } (${cin}→${cout}), max |w| ${sig(maxAbs, 2)}`,
        filters: splitKernel(kernel, row.kernelShape, row.part),
        maxAbs,
      };
    });
    const width = Math.max(...layers.map((l) => l.filters.length));
    const cells: (GridCell | null)[][] = layers.map((l) => {
      const row: (GridCell | null)[] = l.filters.map((f) => ({
        image: { width: kw, height: kh, data: f.map((v) => (l.maxAbs > 0 ? v / l.maxAbs : 0)) },
      }));
      while (row.length < width) row.push(null);
      return row;
    });
    await renderImageGrid({
      title: "Learned 3×3 filters of the disk autoencoder (each layer divided by its largest |w|)",
      rowLabels: layers.map((l) => l.label),
      cells,
      range: [-1, 1],
      colormap: "diverging",
      colorbar: true,
      colorbarTitle: "w / max |w| of the layer",
      pixelScale: ctx.params.pixelScale,
      gap: 3,
    }, ctx.outPath("figure"));
    const count = layers.reduce((s, l) => s + l.filters.length, 0);
    await writeChecks(ctx.outPath("checks.json"), [
      check(
        "weights",
        "3×3 filters rendered (every filter of every layer)",
        count,
        "report",
        null,
        {
          perLayer: layers.map((l) => ({
            layer: l.label,
            filters: l.filters.length,
            maxAbs: l.maxAbs,
          })),
        },
      ),
    ]);
  },
});
