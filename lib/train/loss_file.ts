/**
 * Reads the `loss.json` of any training stage into one shape: runs (one per seed or run), each
 * with its logged steps and curves (the objective being minimised, and the raw terms of it).
 *
 * The four formats, as their writers write them:
 *
 * - `autoencoder` (`../ml/train_stage.ts`: train-ae, train-reg-*, train-lambda-*, …):
 *   `{ terms, records: [{ step, loss, terms: { name: value } }] }`.
 * - `pca` (`../pca/train_stages.ts`: train-ae-ellipses, train-pcaae-*, …):
 *   `{ terms: ["reconstruction", "covariance"], records: [{ step, loss, reconstruction,
 *   covariance }] }`: the terms are fields of the record itself.
 * - `position` (`../position/train_position.ts`: train-pos-*): the `autoencoder` format of
 *   run 0, plus `runs: [{ index, records }]` holding every run (run 0 included).
 * - `dcgan` (`../dcgan/train_stage.ts`): `{ seeds: [{ seed, trainingSeed, records: [{ step,
 *   discriminator, generator, realScore, fakeScore }] }] }`: two losses minimised in turn, and
 *   two scores (mean probabilities, not losses: left out).
 *
 * `JSON.stringify` writes a NaN or infinite loss (a diverged training) as `null`: it is read
 * back as NaN, so the divergence shows in the table instead of failing the read.
 *
 * @module
 */

/** The writer a `loss.json` comes from (see the module's documentation). */
export type LossFormat = "autoencoder" | "pca" | "position" | "dcgan";

/**
 * What a curve measures: a loss the training minimises (`objective`), the data (fidelity)
 * term of it, or a regulariser's term (raw, before its weight λ).
 */
export type CurveRole = "objective" | "data" | "regulariser";

/** One logged quantity of one run, a value per logged step. */
export interface LossCurve {
  /** Its name in the file (`loss`, `data`, `covariance`, `discriminator`, …). */
  readonly name: string;
  /** What it measures. */
  readonly role: CurveRole;
  /** One value per logged step (NaN where the file has `null` or nothing). */
  readonly values: readonly number[];
}

/** One trained model of a stage. */
export interface TrainingRun {
  /** `run k` or `seed s` where the format has several; `""` for a stage's only model. */
  readonly label: string;
  /** The logged update numbers, increasing. */
  readonly steps: readonly number[];
  /** Objectives first, then terms, in the file's order. */
  readonly curves: readonly LossCurve[];
}

/** The loss file of one training stage, read. */
export interface StageLoss {
  /** The training stage's id. */
  readonly stage: string;
  /** The format it was written in. */
  readonly format: LossFormat;
  /** Its models (none only for a malformed file, which is refused instead). */
  readonly runs: readonly TrainingRun[];
}

/** Term names of the data (fidelity) term; every other term is a regulariser's. */
const DATA_TERMS: ReadonlySet<string> = new Set(["data", "reconstruction"]);

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

function records(v: unknown, where: string): Obj[] {
  return array(v, where).map((r, i) => {
    if (!isObject(r)) fail(`${where}[${i}]`, `is ${describe(r)}, not a record`);
    return r;
  });
}

function termNames(v: unknown): string[] {
  const names = array(v, "terms");
  names.forEach((n, i) => {
    if (typeof n !== "string") fail(`terms[${i}]`, `is ${describe(n)}, not a term name`);
  });
  return names as string[];
}

function termRole(name: string): CurveRole {
  return DATA_TERMS.has(name) ? "data" : "regulariser";
}

/** Records of the `autoencoder` format: `{ step, loss, terms: { name: value } }`. */
function nestedRun(
  label: string,
  v: unknown,
  terms: readonly string[],
  where: string,
): TrainingRun {
  const rs = records(v, where);
  const loss = rs.map((r, i) => value(r.loss, `${where}[${i}].loss`));
  const curves: LossCurve[] = [{ name: "loss", role: "objective", values: loss }];
  for (const name of terms) {
    const values = rs.map((r, i) => {
      if (!isObject(r.terms)) {
        fail(`${where}[${i}].terms`, `is ${describe(r.terms)}, not an object`);
      }
      // A term a record does not log (none does today) is a gap, not an error.
      return name in r.terms ? value(r.terms[name], `${where}[${i}].terms.${name}`) : NaN;
    });
    curves.push({ name, role: termRole(name), values });
  }
  return { label, steps: steps(rs, where), curves };
}

/** Records of the `pca` format: `{ step, loss, <term>: value }`. */
function flatRun(v: unknown, terms: readonly string[]): TrainingRun {
  const rs = records(v, "records");
  const curves: LossCurve[] = [
    {
      name: "loss",
      role: "objective",
      values: rs.map((r, i) => value(r.loss, `records[${i}].loss`)),
    },
    ...terms.map((name) => ({
      name,
      role: termRole(name),
      values: rs.map((r, i) => value(r[name], `records[${i}].${name}`)),
    })),
  ];
  return { label: "", steps: steps(rs, "records"), curves };
}

function dcganRuns(v: unknown): TrainingRun[] {
  return array(v, "seeds").map((s, k) => {
    const where = `seeds[${k}]`;
    if (!isObject(s)) fail(where, `is ${describe(s)}, not a seed's record`);
    if (typeof s.seed !== "number") fail(`${where}.seed`, `is ${describe(s.seed)}, not a number`);
    const rs = records(s.records, `${where}.records`);
    const curve = (name: string): LossCurve => ({
      name,
      role: "objective",
      values: rs.map((r, i) => value(r[name], `${where}.records[${i}].${name}`)),
    });
    return {
      label: `seed ${s.seed}`,
      steps: steps(rs, `${where}.records`),
      curves: [curve("discriminator"), curve("generator")],
    };
  });
}

function positionRuns(v: unknown, terms: readonly string[]): TrainingRun[] {
  return array(v, "runs").map((r, k) => {
    if (!isObject(r)) fail(`runs[${k}]`, `is ${describe(r)}, not a run`);
    if (typeof r.index !== "number") {
      fail(`runs[${k}].index`, `is ${describe(r.index)}, not a number`);
    }
    return nestedRun(`run ${r.index}`, r.records, terms, `runs[${k}].records`);
  });
}

/** Which writer wrote `v` (throws a {@link LossFileError} for none of them). */
function formatOf(v: Obj): LossFormat {
  if ("seeds" in v) return "dcgan";
  if ("runs" in v) return "position";
  if (!("records" in v) || !("terms" in v)) {
    fail(
      "the file",
      `has the fields ${describe(Object.keys(v))}, not records and terms, nor seeds`,
    );
  }
  const first = Array.isArray(v.records) ? v.records[0] : undefined;
  // No record to tell (a stage run for 0 updates): either reading gives the same empty run.
  return isObject(first) && !("terms" in first) ? "pca" : "autoencoder";
}

/**
 * Reads the parsed JSON of training stage `stage`'s `loss.json`. Throws
 * `Cannot read loss of "<stage>": <why>; <fix>` when it is in none of the known formats.
 */
export function parseLossFile(stage: string, json: unknown): StageLoss {
  try {
    if (!isObject(json)) fail("the file", `is ${describe(json)}, not an object`);
    const format = formatOf(json);
    switch (format) {
      case "dcgan":
        return { stage, format, runs: dcganRuns(json.seeds) };
      case "position":
        return { stage, format, runs: positionRuns(json.runs, termNames(json.terms)) };
      case "pca":
        return { stage, format, runs: [flatRun(json.records, termNames(json.terms))] };
      case "autoencoder":
        return {
          stage,
          format,
          runs: [nestedRun("", json.records, termNames(json.terms), "records")],
        };
    }
  } catch (e) {
    if (!(e instanceof LossFileError)) throw e;
    throw new Error(
      `Cannot read loss of "${stage}": ${e.message}; fix: rerun the stage ` +
        `(deno task reproduce --force ${stage}), or teach stages/training/loss_file.ts its format`,
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
