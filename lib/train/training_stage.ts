/**
 * The one training-stage contract: every stage that trains a model is made by
 * {@linkcode trainingStage} from a model family's four parts (load the inputs, train one run,
 * save the trained models, free a model), and the factory does the rest the same way for all:
 *
 * - the stage is marked `training: true` and `compute: true`, and writes `loss.json` in the one
 *   format of `./loss_file.ts` beside the family's model files;
 * - runs: one per seed the family plans (one by default, seeded `ctx.rng.fork("train")`), one
 *   after the other, each checkpointing into its own scratch directory (`checkpoints`, or
 *   `checkpoints-<k>` when there are several), with progress over all runs and log lines
 *   prefixed by the run's label;
 * - the manifest's facts (`./records.ts`: update time, updates run, resumed-from per run), and one
 *   closing log line per run;
 * - grouping (optional): a family that can step several stages' models together supplies the
 *   group key and a `trainGroup` returning one run per member; each member then saves, writes
 *   its loss file and records its facts exactly as alone.
 *
 * The family's model code, its step and its loop settings stay in the family's module; the loop
 * itself is `./loop.ts`'s, which every family's `train` calls.
 *
 * @module
 */
import type { Context, GroupSpec, OutputRef, ParamDefs, Stage } from "../../pipeline/stage.ts";
import { lossFileText, type RunLoss } from "./loss_file.ts";
import { recordTraining, type RunFacts } from "./records.ts";

/** The file every training stage writes its curves to. */
export const LOSS_FILE = "loss.json";

/** One model a stage trains: its index, label and training seed. */
export interface RunPlan {
  /** 0, 1, …: run 0 is the stage's model where only one is used. */
  readonly index: number;
  /** `""` for a stage's only model; otherwise how logs and the loss file name it. */
  readonly label: string;
  /** The training seed (initial weights and batch order). */
  readonly seed: number;
}

/** Where one run checkpoints, logs and reports progress (made by the factory). */
export interface RunIo {
  /** The run's own checkpoint directory, kept across interrupted attempts. */
  readonly checkpointDir: string;
  /** Progress of this run's updates. */
  onProgress(step: number, total: number, values?: Record<string, number>): void;
  /** A log line of this run. */
  onLog(message: string): void;
}

/** What a family's `train` returns for one run: the model, its curves and its facts. */
export interface TrainedRun<M> extends RunFacts {
  /** The trained model (the factory frees it with the family's `dispose`). */
  readonly model: M;
  /** Its curves (label and seed those of the run's plan). */
  readonly loss: RunLoss;
}

/** A model family's parts of a training stage. */
export interface TrainingStageOptions<P, D, M> {
  /** Stage id. */
  id: string;
  /** One line for `dag`. */
  description: string;
  /**
   * `import.meta.url` of the module that defines the stage: its code (every option given to the
   * family's factory there included) is part of the key.
   */
  module: string;
  /** Parameter declarations (every setting that changes the result). */
  params: ParamDefs;
  /** Inputs: local name → `"stage-id:output-name"`. */
  inputs: Record<string, OutputRef>;
  /** The family's model files (the factory adds `loss.json`). */
  models: readonly string[];
  /** Rough cost in seconds (see `Stage.estimate`). */
  estimate: (params: P, backend: string, threads: number) => number;
  /** The runs of the stage; one, seeded `ctx.rng.fork("train")`, when absent. */
  runs?: (ctx: Context<P>) => RunPlan[];
  /** Reads and checks the inputs (once per stage, or once for a whole group). */
  load(ctx: Context<P>): Promise<D>;
  /** Trains one run through the engine (`./loop.ts`). */
  train(ctx: Context<P>, data: D, run: RunPlan, io: RunIo): Promise<TrainedRun<M>>;
  /** Writes the family's model files from the trained runs, in plan order. */
  save(ctx: Context<P>, data: D, runs: readonly TrainedRun<M>[]): Promise<void>;
  /** Frees a trained model. */
  dispose(model: M): void;
  /** Frees what `load` holds, if anything. */
  release?(data: D): void;
  /** Several stages' models stepped together (see `Stage.group`). */
  group?: {
    /** The group key, or null to train alone. */
    key: GroupSpec<P>["key"];
    /** Trains one run per member (`ctxs[k]`'s plan is its only run); the data are ctxs[0]'s. */
    trainGroup(ctxs: Context<P>[], data: D): Promise<TrainedRun<M>[]>;
  };
}

/** The one run of a stage that plans none: seeded from `ctx.rng.fork("train")`. */
export function singleRun(ctx: Pick<Context, "rng">): RunPlan {
  return { index: 0, label: "", seed: ctx.rng.fork("train").seed };
}

/**
 * Where run `plan` of a stage with `runs` runs checkpoints, logs and reports progress: its own
 * checkpoint directory (`checkpoints`, or `checkpoints-<index>` among several), and, among
 * several, progress over all runs and log lines prefixed by its label. A family that trains a
 * stage's run outside the factory (a group's member) uses it, so that a checkpoint saved there
 * resumes alone and the other way round.
 */
export function runIo(ctx: Context<unknown>, plan: RunPlan, runs = 1): RunIo {
  const many = runs > 1;
  const prefix = many ? `${plan.label}: ` : "";
  return {
    checkpointDir: `${ctx.scratchDir}/checkpoints${many ? `-${plan.index}` : ""}`,
    onProgress: (step, total, values) =>
      ctx.progress(
        many
          ? { step: plan.index * total + step, total: runs * total, values, phase: plan.label }
          : { step, total, values },
      ),
    onLog: (m) => ctx.log(prefix + m),
  };
}

/** A training stage from a model family's parts (see the module documentation). */
export function trainingStage<P, D, M>(o: TrainingStageOptions<P, D, M>): Stage<P> {
  const plans = (ctx: Context<P>) => o.runs ? o.runs(ctx) : [singleRun(ctx)];

  /** Saves, writes the loss file and records the facts of one stage's trained runs. */
  async function finish(ctx: Context<P>, data: D, trained: readonly TrainedRun<M>[]) {
    for (const t of trained) {
      const last = t.loss.records.at(-1);
      const objective = t.loss.curves.find((c) => c.role === "objective")?.name;
      const prefix = t.loss.label ? `${t.loss.label}: ` : "";
      ctx.log(
        `${prefix}${t.stepsRun} updates in ${t.seconds.toFixed(1)} s` +
          (last && objective
            ? `; last ${objective} ${Number(last[objective]).toPrecision(4)}`
            : ""),
      );
    }
    await o.save(ctx, data, trained);
    await Deno.writeTextFile(ctx.outPath(LOSS_FILE), lossFileText(trained.map((t) => t.loss)));
    recordTraining(ctx.record, trained);
  }

  const stage: Stage<P> = {
    id: o.id,
    description: o.description,
    module: o.module,
    params: o.params,
    inputs: o.inputs,
    outputs: [...o.models, LOSS_FILE],
    compute: true,
    training: true,
    estimate: o.estimate,
    async run(ctx) {
      const data = await o.load(ctx);
      const trained: TrainedRun<M>[] = [];
      try {
        const runs = plans(ctx);
        for (const plan of runs) {
          trained.push(await o.train(ctx, data, plan, runIo(ctx, plan, runs.length)));
        }
        await finish(ctx, data, trained);
      } finally {
        for (const t of trained) o.dispose(t.model);
        o.release?.(data);
      }
    },
  };
  const group = o.group;
  if (group) {
    stage.group = {
      key: group.key,
      async run(ctxs) {
        // Members of a group read inputs of the same bytes (the runner groups them so).
        const data = await o.load(ctxs[0]);
        let trained: TrainedRun<M>[] = [];
        try {
          trained = await group.trainGroup(ctxs, data);
          for (const [k, ctx] of ctxs.entries()) await finish(ctx, data, [trained[k]]);
        } finally {
          for (const t of trained) o.dispose(t.model);
          o.release?.(data);
        }
      },
    };
  }
  return stage;
}
