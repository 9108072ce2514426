/**
 * Stage `ellipses` (S48): example training images of the ellipse dataset, with their
 * parameters, and the distribution of the parameters actually drawn. No numerical bar: the
 * checks report the set's size, its parameter ranges, and how closely the grey mass Σx (the
 * "area" the codes are correlated with) follows the geometric area πab.
 *
 * @module
 */
import { check } from "../../lib/common/checks.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { defineStage } from "../../pipeline/stage.ts";
import { readNpy, readNpyFloat32, stableJson } from "../../lib/ml/npy.ts";
import { measureAttributes } from "./attributes.ts";
import { correlation } from "./latent_stats.ts";

/** The `ellipses` item stage. */
export const ellipsesItem = defineStage({
  id: "ellipses",
  description: "S48: example ellipses of the training set (two semi-axes and a rotation, blurred)",
  module: import.meta.url,
  params: {
    rows: { type: "integer", default: 3, min: 1, doc: "rows of examples" },
    columns: {
      type: "integer",
      default: 8,
      min: 1,
      doc: "examples per row (the first rows·columns images of the set)",
    },
  },
  inputs: { images: "data-ellipses:images.npy", params: "data-ellipses:params.npy" },
  outputs: ["figure.svg", "figure.png", "figure.json", "checks.json"],
  estimate: () => 3,
  async run(ctx) {
    const { rows, columns } = ctx.params;
    const images = await readNpyFloat32(ctx.inputs.images);
    const params = (await readNpy(ctx.inputs.params)).data;
    const [n, m] = images.shape;
    const P = m * m;
    const shown = Math.min(n, rows * columns);
    const cells = Array.from(
      { length: Math.ceil(shown / columns) },
      (_, r) =>
        Array.from({ length: Math.min(columns, shown - r * columns) }, (_, c) => {
          const i = r * columns + c;
          const [a, b, th] = [params[3 * i], params[3 * i + 1], params[3 * i + 2]];
          return {
            image: { width: m, height: m, data: images.data.subarray(i * P, (i + 1) * P) },
            caption: `a ${a}, b ${b}, ${th}°`,
          };
        }),
    );
    await renderImageGrid({
      title: `Training ellipses (${n} images): semi-axes a, b and rotation θ`,
      cells,
      range: [0, 1],
      legend: [],
    }, ctx.outPath("figure"));
    const area = measureAttributes(images.data, m).area;
    const geometric = Float64Array.from(
      { length: n },
      (_, i) => Math.PI * params[3 * i] * params[3 * i + 1],
    );
    let lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      lo = lo.map((v, j) => Math.min(v, params[3 * i + j]));
      hi = hi.map((v, j) => Math.max(v, params[3 * i + j]));
    }
    let relErr = 0;
    for (let i = 0; i < n; i++) relErr += Math.abs(area[i] - geometric[i]) / geometric[i];
    const checks = [
      check("ellipses", "number of training ellipses", n, "report", null),
      check(
        "ellipses",
        "Pearson correlation of the grey mass Σx with the geometric area πab",
        correlation(area, geometric),
        "report",
        null,
        {
          meanRelativeDifference: relErr / n,
        },
      ),
      check(
        "ellipses",
        "semi-axis range drawn (min a, b)",
        Math.min(lo[0], lo[1]),
        "report",
        null,
        {
          a: [lo[0], hi[0]],
          b: [lo[1], hi[1]],
          thetaDegrees: [lo[2], hi[2]],
        },
      ),
    ];
    await Deno.writeTextFile(ctx.outPath("checks.json"), stableJson(checks) + "\n");
  },
});
