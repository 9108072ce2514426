/**
 * Dataset stages of Diracs (P§5.3–5.4): one-hot vectors at every integer position, or
 * triangular Diracs at positions drawn uniformly on [0, n − 1], each with the code z that
 * stands for its position (`diracs.ts`).
 *
 * Outputs: `images.npy` (float32 [count, n], the signals, in the layout the training core
 * reads as [count, 1, n, 1]), `positions.npy` (float64 [count], a), `codes.npy` (float32
 * [count, 1], z) and `dataset.json` (the parameters and a few statistics).
 *
 * @module
 */
import { defineStage, type Stage } from "../../pipeline/stage.ts";
import { stableJson, writeNpy } from "../../lib/ml/npy.ts";
import {
  CODE_SCALES,
  type CodeScale,
  DIRAC_KINDS,
  type DiracKind,
  diracSet,
  integerPositions,
  uniformPositions,
} from "./diracs.ts";

/** Options of {@linkcode diracDatasetStage}; each becomes a parameter's default. */
export interface DiracDatasetOptions {
  /**
   * `import.meta.url` of the module that defines the stage: its code, every option given here
   * included, joins the cache key (the factory's own code comes with it, as an import).
   */
  module: string;
  /** Stage id. */
  id: string;
  /** One line for `dag`. */
  description: string;
  /** Dirac shape. */
  kind: DiracKind;
  /** `integers`: every a in 0..n−1 once; `uniform`: `count` draws on [0, n − 1]. */
  positions: "integers" | "uniform";
  /** Number of signals for `uniform` (ignored for `integers`). */
  count?: number;
  /** How z stands for a. */
  codeScale: CodeScale;
}

/** The parameters of a Dirac dataset stage. */
export type DiracDatasetParams = {
  n: number;
  kind: string;
  positions: string;
  count: number;
  codeScale: string;
  seed: number;
};

/** A stage writing a set of Diracs and their codes. */
export function diracDatasetStage(o: DiracDatasetOptions): Stage<DiracDatasetParams> {
  return defineStage({
    id: o.id,
    description: o.description,
    module: o.module,
    params: {
      n: { type: "integer", default: 64, min: 2, doc: "signal size n (P§5.4: 64)" },
      kind: {
        type: "string",
        default: o.kind,
        choices: DIRAC_KINDS,
        doc:
          "onehot: δ_a (P§5.3, the encoder's signals); triangular: max(0, 1 − |t − a|) (P Eq. 19); " +
          "two-sample: S39 Eq. 13 (equal to triangular at integer t)",
      },
      positions: {
        type: "string",
        default: o.positions,
        choices: ["integers", "uniform"],
        doc:
          "integers: every a = 0..n−1 once (all one-hot vectors there are); uniform: a ~ U(0, n − 1), sampled continuously (P§5.4)",
      },
      count: {
        type: "integer",
        default: o.count ?? 3000,
        min: 1,
        doc: "signals drawn when positions = uniform (3000, as the disk training sets of P§4.1)",
      },
      codeScale: {
        type: "string",
        default: o.codeScale,
        choices: CODE_SCALES,
        doc:
          "code z for position a: samples (z = a) or unit (z = a / (n − 1) ∈ [0, 1], the scale of Glorot-initialised layers)",
      },
      seed: {
        type: "integer",
        default: 1,
        doc: "seed label of the uniform draw: changes every position",
      },
    },
    inputs: {},
    outputs: ["images.npy", "positions.npy", "codes.npy", "dataset.json"],
    estimate: (p) => 0.2 + (p.positions === "uniform" ? p.count : p.n) * p.n * 1e-7,
    async run(ctx) {
      const p = ctx.params;
      const positions = p.positions === "integers"
        ? integerPositions(p.n)
        : uniformPositions(p.count, 0, p.n - 1, ctx.rng.fork("positions"));
      const set = diracSet(p.kind as DiracKind, p.n, positions, p.codeScale as CodeScale);
      await writeNpy(ctx.outPath("images.npy"), { data: set.signals, shape: [set.count, p.n] });
      await writeNpy(ctx.outPath("positions.npy"), { data: set.positions, shape: [set.count] });
      await writeNpy(ctx.outPath("codes.npy"), { data: set.codes, shape: [set.count, 1] });
      let lo = Infinity, hi = -Infinity;
      for (const a of set.positions) [lo, hi] = [Math.min(lo, a), Math.max(hi, a)];
      const meta = {
        params: p,
        count: set.count,
        positionRange: [lo, hi],
        layout:
          "images.npy: float32 [count, n]; positions.npy: float64 [count] (a); codes.npy: float32 [count, 1] (z)",
      };
      await Deno.writeTextFile(ctx.outPath("dataset.json"), stableJson(meta) + "\n");
    },
  });
}
