/**
 * The stage contract: the one thing a plugin (a file under `stages/`) implements.
 *
 * A stage is a plain typed object: an id, a description, parameters with documented
 * defaults (and optional `quick`-profile values), named inputs taken from other stages'
 * named outputs, named outputs, and `run(ctx)`. The engine never imports `stages/`; the
 * registry hands it a list of these objects.
 *
 * @module
 */

/** A JSON value: what parameters and manifests are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The declared type of a parameter; overrides from the command line are checked against it. */
export type ParamType = "number" | "integer" | "string" | "boolean" | "number[]" | "string[]";

/** One parameter of a stage: its type, its default (the `paper` profile), and why. */
export interface ParamDef {
  /** The declared type; `--set` values are parsed and checked against it. */
  type: ParamType;
  /** Value in the `paper` profile (the settings of the spec). */
  default: Json;
  /** Value in the `quick` profile, when it differs (fewer steps, smaller sets). */
  quick?: Json;
  /**
   * Value in the `code` profile (the authors' released code), with where that code sets it;
   * absent where the code has no such setting, and the paper's value stays.
   */
  code?: CodeValue;
  /** One line: what the parameter is and why it has this default. */
  doc: string;
  /** For strings: the allowed values. */
  choices?: readonly string[];
  /** For numbers: inclusive bounds. */
  min?: number;
  /** For numbers: inclusive bounds. */
  max?: number;
}

/** A setting of the authors' released code: its value and where the code sets it. */
export interface CodeValue {
  /** The value, of the parameter's declared type. */
  value: Json;
  /** Where the code sets it: file and the line's words, e.g. `keras.py: batch_size = 64`. */
  source: string;
}

/** The parameter declarations of a stage. */
export type ParamDefs = Record<string, ParamDef>;

/** A reference to another stage's named output, written `"stage-id:output-name"`. */
export type OutputRef = `${string}:${string}`;

/** Progress of a long stage, shown as a live line (terminal) or a timestamped line (CI). */
export interface Progress {
  /** Steps done so far. */
  step: number;
  /** Total steps, when known; the ETA is computed from it. */
  total?: number;
  /** Free-form numbers shown beside the step (e.g. `{ loss: 0.01 }`). */
  values?: Record<string, number>;
  /** What the stage is doing now, when it has phases. */
  phase?: string;
}

/** A deterministic pseudo-random generator derived from the stage's parameters. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Standard normal draw. */
  normal(): number;
  /** A new independent generator, derived from this one's seed and a label. */
  fork(label: string): Rng;
  /** The 32-bit seed this generator started from (for libraries that take an integer seed). */
  readonly seed: number;
}

/** What a stage gets when it runs. */
export interface Context<P = Record<string, Json>> {
  /** The stage id. */
  readonly id: string;
  /** Merged parameters: defaults, then the profile's values, then `--set` overrides. */
  readonly params: P;
  /** The profile in force (`paper`, `quick` or `code`). */
  readonly profile: string;
  /** The compute backend in force (`cpu`, `webgpu`, `tensorflow`), for stages with `compute`. */
  readonly backend: string;
  /**
   * CPU threads the stage may use: the cores shared out among the stages running at once. A
   * stage's outputs must not depend on it (it is not part of the key).
   */
  readonly threads: number;
  /** Absolute paths of the inputs, by the local names the stage declared. */
  readonly inputs: Record<string, string>;
  /** Directory the stage writes its outputs into (a temporary directory until it succeeds). */
  readonly outDir: string;
  /** Absolute path of one declared output inside `outDir`. */
  outPath(name: string): string;
  /** Directory kept across interrupted attempts of the same key (checkpoints live here). */
  readonly scratchDir: string;
  /** Seeded generator derived from the stage id and its parameters. */
  readonly rng: Rng;
  /** Writes a line to the stage's log file (and, in verbose mode, to the terminal). */
  log(message: string): void;
  /** Reports progress; cheap to call often (the engine throttles what it shows). */
  progress(p: Progress): void;
  /** Records extra facts in the manifest (e.g. the GPU adapter's description). */
  record(key: string, value: Json): void;
}

/** A stage: one node of the DAG. */
export interface Stage<P = Record<string, Json>> {
  /** Unique id: lower-case letters, digits and dashes (it names a cache directory). */
  id: string;
  /** One line shown by `dag` and `status`. */
  description: string;
  /** `import.meta.url` of the module that defines the stage: its code (and every local module
   * it imports) is part of the cache key. */
  module: string;
  /** Parameter declarations with documented defaults. */
  params: ParamDefs;
  /** Inputs: local name → `"stage-id:output-name"`. */
  inputs: Record<string, OutputRef>;
  /** Output file names (relative, no directories). */
  outputs: readonly string[];
  /** True when the stage computes with tensors: the backend becomes part of its key, and the
   * engine starts it in the stage's process before `run` (the entry's compute hook). */
  compute?: boolean;
  /**
   * True for a training stage: it fits models through the training engine (long; resumable
   * from checkpoints in `scratchDir`) and writes its loss curve to `loss.json`. What
   * `reproduce --shard` shares out and the training-curves figure reads.
   */
  training?: boolean;
  /**
   * Names of string parameters holding the path of a file from outside the DAG (e.g. released
   * weights that are not ours to copy into the cache), relative to the project root. The
   * engine puts each file's content hash (or `absent`) into the stage's key and lets the
   * stage's process read it; the stage must handle an absent file itself.
   */
  externalFiles?: readonly string[];
  /**
   * Set for a stage that can train in one process with others of its kind (the seeds,
   * regularisers and λ of one architecture on one dataset). The runner puts ready stages of
   * equal group keys and equal inputs into one worker process; a stage that runs alone runs
   * through `group.run` too, as a group of one, so grouping never changes an output.
   */
  group?: GroupSpec<P>;
  /** Where outputs are published after a run: `dir` (default) copies its figures, tables and
   * JSON (not arrays or weights) to `figures/<id>/`; `root` to `figures/` itself; `none`. */
  publish?: "dir" | "root" | "none";
  /**
   * Rough cost in seconds for `--dry-run`, from the merged parameters, the backend and the CPU
   * threads the stage will get (cores ÷ jobs on the cpu backend, else 1).
   */
  estimate?: (params: P, backend: string, threads: number) => number;
  /** Does the work; throws on failure. */
  run(ctx: Context<P>): Promise<void>;
}

/** How a stage trains together with others (see {@linkcode Stage.group}). */
export interface GroupSpec<P> {
  /**
   * The stage's group key for its merged parameters and backend: stages of equal keys may share
   * a process (and share `run`: the key names the code that runs them); null when this stage
   * must run alone, through `Stage.run`.
   */
  key(params: P, backend: string): string | null;
  /**
   * Runs the members together; `contexts[i]` is member i's, and each member writes its own
   * outputs as `Stage.run` would. Every output must be the bytes the member gets in a group of
   * one.
   */
  run(contexts: Context<P>[]): Promise<void>;
}

/** A stage of any parameter type: what registries and the engine hold. (`run` takes its
 * context contravariantly, so no narrower type admits every stage.) */
// deno-lint-ignore no-explicit-any
export type AnyStage = Stage<any>;

/** The TypeScript type of a parameter's value, from its declared `type`. */
export type ParamValue<D extends ParamDef> = D["type"] extends "number" | "integer" ? number
  : D["type"] extends "string" ? string
  : D["type"] extends "boolean" ? boolean
  : D["type"] extends "number[]" ? number[]
  : string[];

/** The merged parameters' type of a set of declarations. */
export type ParamsOf<D extends ParamDefs> = { [K in keyof D]: ParamValue<D[K]> };

/** Defines a stage, typing `ctx.params` from the parameter declarations (an identity
 * function: it only helps the compiler). */
export function defineStage<const D extends ParamDefs>(
  stage: Omit<Stage<ParamsOf<D>>, "params"> & { params: D },
): Stage<ParamsOf<D>> {
  return stage;
}
