/**
 * The trainings behind the hole, regularisation and λ items (P§4.4, P-Figs 6–8, S22–S26):
 * one stage per (regulariser, seed) on `data-hole`, `train-reg-<regulariser>-s<seed>`, and
 * one per value of λ of ψ3 in the sweep, `train-lambda-<λ>` (the sweep's value shared with
 * the ψ3 row of `reg` reuses `train-reg-psi3-s1`).
 *
 * Choices the paper leaves open, fixed here and written into the parameters' docs:
 * - Loss scale: `sum`, P Eq. 1 as printed (‖x − D(E(x))‖² summed over the 4096 pixels,
 *   averaged over the batch), so λ weighs a penalty against a per-image squared error. In
 *   the authors' Keras scale (per-pixel mean) every λ is 4096 times stronger: in a trial
 *   (batch 32, 300 updates) ψ3 with λ = 1 had already pulled the encoder's kernels to zero
 *   and the code was a constant, so the whole sweep 0.1…100 of P-Fig 8 would collapse. In
 *   the sum scale the sweep keeps a working code at small λ and collapses at the top, as
 *   P-Fig 8 reports (where exactly depends on the training length and seed: see `lambda`).
 * - λ of every regulariser in `reg`: 1 (the authors' code's default `lambda_reg = 1.0`),
 *   in the scale above. ψ1's neighbour: a random one of the 5 nearest training radii.
 *   Denoising noise: η ~ N(0, 0.1²) per pixel.
 * - Code profile: the authors' code's architecture and training (`lib/ml/authors_code.ts`),
 *   in its loss scale (`mean`), where λ = 1 is the code's `lambda_reg` default as it ran.
 * - Seeds: 5 per regulariser in the paper profile. The quick profile trains the first 2
 *   seeds of `none` and ψ3 (the per-seed check compares those two) and the first seed of
 *   ψ1, ψ2, denoising and contractive; the other seeds' stages run 0 updates there (they
 *   exist so that the DAG is the same in both profiles) and the item stages refuse to read
 *   a model trained for 0 updates.
 *
 * @module
 */
import { measuredStepTime } from "../../lib/ml/step_times.ts";
import { AUTHORS_CODE_TRAINING } from "../../lib/ml/authors_code.ts";
import type { AnyStage } from "../../pipeline/stage.ts";
import {
  trainStage,
  type TrainStageOptions,
  type TrainStageParams,
} from "../../lib/ml/train_stage.ts";

/** Seeds per regulariser in the paper profile (P-Fig 7: five runs). */
export const PAPER_SEEDS = 5;

/**
 * The quick profile's training recipe (2-core CPU): small batches and a larger step than
 * the paper's. A batch of 300 costs about 0.95 s per update here, so a training's share of
 * the quick budget (about 50 s) affords some 50 of them, far from a trained network;
 * batches of 8 at 0.003 reach a usable fit (mean IoU ≈ 0.9 outside the hole) in 1500
 * updates, about 50 s. Longer runs (8000 updates at 0.001) sharpen the hole's failure, but
 * cost 5 times more.
 */
export const QUICK_RECIPE = { iterations: 1500, batchSize: 8, learningRate: 0.003 } as const;

/** Parameters a regulariser's λ lives in. */
export type LambdaParam =
  | "latentDistanceLambda"
  | "weightDecayLambda"
  | "encoderWeightDecayLambda"
  | "denoisingLambda"
  | "contractiveLambda";

/** One row of P-Fig 7 (plus S24's denoising and the contractive term). */
export interface Regulariser {
  /** Short key used in stage ids. */
  key: "none" | "psi1" | "psi2" | "psi3" | "denoising" | "contractive";
  /** Label in figures and tables. */
  label: string;
  /** Short label (column headers). */
  short: string;
  /** The training parameter holding its λ; null for no regularisation. */
  param: LambdaParam | null;
  /** Its λ (sum scale, see the module documentation). */
  lambda: number;
  /** Seeds trained in the quick profile. */
  quickSeeds: number;
}

/** λ of ψ3 in the sweep of P-Fig 8. */
export const LAMBDAS: readonly number[] = [0.1, 1, 10, 50, 100];

/** The regularisers compared in `reg`, in P-Fig 7's order, then S24's and the extra row. */
export const REGULARISERS: readonly Regulariser[] = [
  { key: "none", short: "none", label: "no regularisation", param: null, lambda: 0, quickSeeds: 2 },
  {
    key: "psi1",
    short: "ψ1",
    label: "ψ1 latent distance",
    param: "latentDistanceLambda",
    lambda: 1,
    quickSeeds: 1,
  },
  {
    key: "psi2",
    short: "ψ2",
    label: "ψ2 weight decay, encoder + decoder",
    param: "weightDecayLambda",
    lambda: 1,
    quickSeeds: 1,
  },
  {
    key: "psi3",
    short: "ψ3",
    label: "ψ3 weight decay, encoder only",
    param: "encoderWeightDecayLambda",
    lambda: 1,
    quickSeeds: 2,
  },
  {
    key: "denoising",
    short: "denoising",
    label: "denoising (S24)",
    param: "denoisingLambda",
    lambda: 1,
    quickSeeds: 1,
  },
  {
    key: "contractive",
    short: "contractive",
    label: "contractive",
    param: "contractiveLambda",
    lambda: 1,
    quickSeeds: 1,
  },
];

/** The regulariser with this key. */
export function regulariser(key: Regulariser["key"]): Regulariser {
  const r = REGULARISERS.find((x) => x.key === key);
  if (!r) {
    throw new Error(
      `Cannot find regulariser "${key}"; use one of ${REGULARISERS.map((x) => x.key).join(", ")}`,
    );
  }
  return r;
}

/** Id of the training stage of a regulariser and seed (1-based). */
export function regTrainingId(key: Regulariser["key"], seed: number): string {
  return `train-reg-${key}-s${seed}`;
}

/** The λ of ψ3 as it appears in a stage id: `0.1` → `0p1`. */
export function lambdaTag(lambda: number): string {
  return String(lambda).replace(".", "p");
}

/**
 * Id of the training stage of ψ3 with weight λ (seed 1): the `reg` item's ψ3 seed-1 stage
 * when λ is its value, else `train-lambda-<λ>`.
 */
export function lambdaTrainingId(lambda: number): string {
  const psi3 = regulariser("psi3");
  return lambda === psi3.lambda ? regTrainingId("psi3", 1) : `train-lambda-${lambdaTag(lambda)}`;
}

type Overrides = NonNullable<TrainStageOptions["params"]>;

/**
 * Seconds a training takes on one core of this project's 2-core CPU (tfjs' CPU backend is
 * single-threaded), measured (CPU time) on the disk autoencoder with the fast kernels: about
 * 8 ms per update plus 3 ms per example (33 ms per update at batch 8, 0.95 s at batch 300),
 * times 1.3 with ψ1 (the neighbours' codes), 2.1 with the denoising term (a second
 * reconstruction), 2.3 with the contractive term (a double backward pass); plus about 1.5 s
 * to start and read the data. A GPU backend is taken as 20 times faster.
 */
export function trainingSeconds(p: TrainStageParams, backend: string): number {
  const factor = 1 + (p.latentDistanceLambda > 0 ? 0.3 : 0) + (p.denoisingLambda > 0 ? 1.1 : 0) +
    (p.contractiveLambda > 0 ? 1.3 : 0);
  // The disk model's measured step (../../lib/ml/step_times.json, which the code hash counts
  // as code: recalibrating re-keys the trainings), times the regularisers' extra work.
  const t = measuredStepTime("disk", "cpu", { fixed: 0.007, perImage: 0.0004 });
  const perUpdate = (t.fixed + t.perImage * p.batchSize) * factor;
  return 1.5 + (p.iterations * perUpdate) / (backend === "cpu" ? 1 : 20);
}

/** Training parameters shared by every stage of this group. */
function commonParams(quickIterations: number): Overrides {
  return {
    loss: { default: "sum" },
    iterations: { default: 10_000, quick: quickIterations },
    batchSize: { default: 300, quick: QUICK_RECIPE.batchSize },
    learningRate: { default: 0.001, quick: QUICK_RECIPE.learningRate },
    logEvery: { default: 100, quick: 50 },
    checkpointEvery: { default: 1000, quick: 500 },
  };
}

const LAMBDA_DOCS: Record<LambdaParam, string> = {
  latentDistanceLambda:
    "λ of ψ1 (P§4.4.1), latent distance preservation with a random one of the 5 nearest training radii; 1 = the authors' code's default lambda_reg, in the sum scale of P Eq. 1",
  weightDecayLambda:
    "λ of ψ2 (P§4.4.1), l2 of encoder and decoder kernels; 1 = the authors' code's default lambda_reg, in the sum scale of P Eq. 1",
  encoderWeightDecayLambda:
    "λ of ψ3 (P§4.4.1), l2 of the encoder kernels only; 1 = the authors' code's default lambda_reg, in the sum scale of P Eq. 1 (P-Fig 8 sweeps 0.1 to 100)",
  denoisingLambda:
    "λ of S24's denoising term ‖D(E(x + η)) − x‖², η ~ N(0, 0.1²); 1 weighs it like the data term",
  contractiveLambda:
    "λ of the contractive term ‖∂E/∂x‖²_F (Rifai et al.); 1 = the authors' code's default lambda_reg, in the sum scale",
};

const LOSS_DOC =
  "sum: P Eq. 1 as printed, ‖x − D(E(x))‖² summed over pixels (averaged over the batch), the scale λ refers to here; mean (the authors' Keras code) makes every λ 4096× stronger and collapses ψ3 already at λ = 1";
const QUICK_DOC =
  ` (quick: batch ${QUICK_RECIPE.batchSize}, learning rate ${QUICK_RECIPE.learningRate}, ${QUICK_RECIPE.iterations} updates, what a 2-core CPU affords)`;

function makeTraining(
  id: string,
  description: string,
  seed: number,
  quickIterations: number,
  lambdas: Partial<Record<LambdaParam, number>>,
): AnyStage {
  const params: Overrides = { ...commonParams(quickIterations), seed: { default: seed } };
  for (const [name, value] of Object.entries(lambdas)) {
    params[name as LambdaParam] = { default: value };
  }
  const stage = trainStage({
    id,
    description,
    dataset: "data-hole",
    params,
    code: AUTHORS_CODE_TRAINING,
    module: import.meta.url,
  });
  stage.estimate = (p, backend) => trainingSeconds(p, backend);
  // The generic docs of the training parameters, sharpened with this group's choices.
  const doc = (name: keyof TrainStageParams, text: string) => {
    stage.params[name] = { ...stage.params[name], doc: text };
  };
  doc("loss", LOSS_DOC);
  for (const name of Object.keys(LAMBDA_DOCS) as LambdaParam[]) doc(name, LAMBDA_DOCS[name]);
  doc(
    "iterations",
    stage.params.iterations.doc + QUICK_DOC +
      (quickIterations === 0 ? "; 0 in quick: this seed is not used by the quick profile" : ""),
  );
  return stage;
}

/** Training stages of `reg` (and of `hole`: `train-reg-none-s1`), every regulariser × 5 seeds. */
export const regTrainings: AnyStage[] = REGULARISERS.flatMap((r) =>
  Array.from({ length: PAPER_SEEDS }, (_, i) => {
    const seed = i + 1;
    const lambdas = r.param ? { [r.param]: r.lambda } : {};
    return makeTraining(
      regTrainingId(r.key, seed),
      `AE on data-hole, ${r.label}${r.param ? ` (λ = ${r.lambda})` : ""}, seed ${seed} (P-Fig 7)`,
      seed,
      seed <= r.quickSeeds ? QUICK_RECIPE.iterations : 0,
      lambdas,
    );
  })
);

/** Training stages of the λ sweep not already in {@linkcode regTrainings}. */
export const lambdaTrainings: AnyStage[] = LAMBDAS
  .filter((l) => lambdaTrainingId(l) !== regTrainingId("psi3", 1))
  .map((l) =>
    makeTraining(
      lambdaTrainingId(l),
      `AE on data-hole, ψ3 with λ = ${l}, seed 1 (P-Fig 8)`,
      1,
      QUICK_RECIPE.iterations,
      { encoderWeightDecayLambda: l },
    )
  );
