/**
 * The one `loss.json` format every training stage writes (`./training_stage.ts` writes it, the
 * `training-curves` stage and the item stages read it):
 *
 * ```json
 * { "runs": [ { "label": "", "seed": 123,
 *               "curves": [ { "name": "loss", "role": "objective" },
 *                           { "name": "data", "role": "data" } ],
 *               "records": [ { "step": 50, "loss": 1.5, "data": 1.5 } ],
 *               "kept": { … } } ] }
 * ```
 *
 * One entry per trained model (a stage may train several seeds): its label (`""` for a stage's
 * only model, `seed 2`, `run 1`), its training seed, the curves it logs with what each one
 * measures, and one flat record per logged update. The curves are declared by the family that
 * trains, so no reader guesses a role from a name. `kept` is present where the training kept
 * the weights of another update than the last (`keepBest`).
 *
 * `JSON.stringify` writes a NaN or infinite loss (a diverged training) as `null`: it is read
 * back as NaN, so the divergence shows in tables instead of failing the read.
 *
 * @module
 */
import { stableJson } from "../ml/npy.ts";
import type { Json } from "../../pipeline/stage.ts";
import type { KeptUpdate } from "./loop.ts";

/**
 * What a curve measures: a loss the training minimises (`objective`), the data (fidelity)
 * term of it, a regulariser's term (raw, before its weight λ), or a quantity only watched
 * (`monitor`: the DCGAN's mean scores, which are probabilities, not losses).
 */
export type CurveRole = "objective" | "data" | "regulariser" | "monitor";

const ROLES: readonly CurveRole[] = ["objective", "data", "regulariser", "monitor"];

/** A curve's name and role, as a run declares it. */
export interface CurveDecl {
  readonly name: string;
  readonly role: CurveRole;
}

/** One logged update of a run: its number and a value per declared curve. */
export type LossRow = { readonly step: number } & Readonly<Record<string, number>>;

/** One trained model's part of a loss file, as a training writes it. */
export interface RunLoss {
  /** `""` for a stage's only model; `seed s` or `run k` where a stage trains several. */
  readonly label: string;
  /** The training seed (initial weights and batch order). */
  readonly seed: number;
  /** The logged curves, objectives first. */
  readonly curves: readonly CurveDecl[];
  /** One row per logged update, increasing. */
  readonly records: readonly LossRow[];
  /** The update whose weights the training kept, where not the last. */
  readonly kept?: KeptUpdate;
}

/** One logged quantity of one run, a value per logged step. */
export interface LossCurve extends CurveDecl {
  /** One value per logged step (NaN where the file has `null`). */
  readonly values: readonly number[];
}

/** One trained model of a stage, read. */
export interface TrainingRun {
  /** `seed s` or `run k` where the stage trained several; `""` for a stage's only model. */
  readonly label: string;
  /** The training seed. */
  readonly seed: number;
  /** The logged update numbers, increasing. */
  readonly steps: readonly number[];
  /** In the order the run declares them (objectives first). */
  readonly curves: readonly LossCurve[];
}

/** The loss file of one training stage, read. */
export interface StageLoss {
  /** The training stage's id. */
  readonly stage: string;
  /** Its models (none only for a malformed file, which is refused instead). */
  readonly runs: readonly TrainingRun[];
}

/** The text of a `loss.json` holding `runs` (stable key order, one trailing newline). */
export function lossFileText(runs: readonly RunLoss[]): string {
  return stableJson({ runs: runs as unknown as Json }) + "\n";
}

/**
 * A run's loss from the engine's records `{ step, loss, terms: { name: value } }` (the
 * autoencoders'): `loss` is the objective, the term called `data` the fidelity term, every
 * other term a regulariser's.
 */
export function termRunLoss(
  label: string,
  seed: number,
  records: readonly { step: number; loss: number; terms: Record<string, number> }[],
  kept?: KeptUpdate | null,
): RunLoss {
  const terms = [...new Set(records.flatMap((r) => Object.keys(r.terms)))];
  return {
    label,
    seed,
    curves: [
      { name: "loss", role: "objective" },
      ...terms.map((name): CurveDecl => ({ name, role: name === "data" ? "data" : "regulariser" })),
    ],
    records: records.map((r) => ({ step: r.step, loss: r.loss, ...r.terms })),
    ...(kept ? { kept } : {}),
  };
}

/**
 * A run's loss from records that hold each declared curve as a field of their own (the PCA-like
 * autoencoder's `{ step, loss, reconstruction, covariance }`, the DCGAN's `{ step,
 * discriminator, … }`): the step and the declared fields are kept, in that order.
 */
export function fieldRunLoss<R extends { step: number }>(
  label: string,
  seed: number,
  curves: readonly CurveDecl[],
  records: readonly R[],
): RunLoss {
  return {
    label,
    seed,
    curves,
    records: records.map((r) => {
      const row: Record<string, number> = { step: r.step };
      for (const c of curves) row[c.name] = (r as unknown as Record<string, number>)[c.name];
      return row as LossRow;
    }),
  };
}

/** A read failure with the path inside the file where it happened. */
class LossFileError extends Error {}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function fail(where: string, why: string): never {
  throw new LossFileError(`${where} ${why}`);
}

function array(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) fail(where, `is ${describe(v)}, not an array`);
  return v;
}

function object(v: unknown, where: string, what: string): Obj {
  if (!isObject(v)) fail(where, `is ${describe(v)}, not ${what}`);
  return v;
}

/** A logged value: a number, or `null` (a NaN or infinity written by JSON.stringify). */
function value(v: unknown, where: string): number {
  if (v === null) return NaN;
  if (typeof v !== "number") fail(where, `is ${describe(v)}, not a number`);
  return v;
}

function steps(records: readonly Obj[], where: string): number[] {
  const out: number[] = [];
  records.forEach((r, i) => {
    const s = r.step;
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      fail(`${where}[${i}].step`, `is ${describe(s)}, not an update number`);
    }
    if (out.length > 0 && s <= out[out.length - 1]) {
      fail(`${where}[${i}].step`, `is ${s}, not after the previous step ${out[out.length - 1]}`);
    }
    out.push(s);
  });
  return out;
}

function curveDecls(v: unknown, where: string): CurveDecl[] {
  return array(v, where).map((c, i) => {
    const o = object(c, `${where}[${i}]`, "a curve");
    if (typeof o.name !== "string" || o.name === "step") {
      fail(`${where}[${i}].name`, `is ${describe(o.name)}, not a curve name`);
    }
    if (!ROLES.includes(o.role as CurveRole)) {
      fail(`${where}[${i}].role`, `is ${describe(o.role)}, not one of ${ROLES.join(", ")}`);
    }
    return { name: o.name, role: o.role as CurveRole };
  });
}

function run(v: unknown, k: number): TrainingRun {
  const where = `runs[${k}]`;
  const o = object(v, where, "a run");
  if (typeof o.label !== "string") fail(`${where}.label`, `is ${describe(o.label)}, not a label`);
  if (typeof o.seed !== "number") fail(`${where}.seed`, `is ${describe(o.seed)}, not a seed`);
  const decls = curveDecls(o.curves, `${where}.curves`);
  const rs = array(o.records, `${where}.records`).map((r, i) =>
    object(r, `${where}.records[${i}]`, "a record")
  );
  return {
    label: o.label,
    seed: o.seed,
    steps: steps(rs, `${where}.records`),
    curves: decls.map((d) => ({
      ...d,
      values: rs.map((r, i) => value(r[d.name], `${where}.records[${i}].${d.name}`)),
    })),
  };
}

/**
 * Reads the parsed JSON of training stage `stage`'s `loss.json`. Throws
 * `Cannot read loss of "<stage>": <why>; fix: …` when it is not in the format above.
 */
export function parseLossFile(stage: string, json: unknown): StageLoss {
  try {
    const o = object(json, "the file", "an object");
    if (!("runs" in o)) {
      fail("the file", `has the fields ${describe(Object.keys(o))}, not runs`);
    }
    return { stage, runs: array(o.runs, "runs").map(run) };
  } catch (e) {
    if (!(e instanceof LossFileError)) throw e;
    throw new Error(
      `Cannot read loss of "${stage}": ${e.message}; fix: rerun the stage ` +
        `(deno task reproduce --force ${stage})`,
    );
  }
}

/** Reads `loss.json` of training stage `stage` from `path` (see {@link parseLossFile}). */
export async function readLossFile(stage: string, path: string): Promise<StageLoss> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(
      `Cannot read loss of "${stage}": ${(e as Error).message}; fix: rerun the stage ` +
        `(deno task reproduce ${stage})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Cannot read loss of "${stage}": loss.json is not valid JSON (${(e as Error).message}); ` +
        `fix: rerun the stage (deno task reproduce --force ${stage})`,
    );
  }
  return parseLossFile(stage, json);
}
