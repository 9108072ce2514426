/**
 * Parameters: merging defaults, the profile's values and command-line overrides, with
 * every override parsed and checked against the declared type.
 *
 * @module
 */
import { didYouMean, UsageError } from "./errors.ts";
import type { AnyStage, Json, ParamDef, ParamDefs } from "./stage.ts";

/**
 * The profiles: `paper` is the spec's settings; `quick` uses each parameter's `quick` value;
 * `code` each parameter's `code` value, the setting of the authors' released code, where the
 * code has one (elsewhere the paper's).
 */
export const PROFILES = ["paper", "quick", "code"] as const;
/** A profile name. */
export type Profile = typeof PROFILES[number];

/** One parsed `--set stage.param=value`. */
export interface Override {
  stage: string;
  param: string;
  raw: string;
}

/** Parses `stage.param=value` (the value stays raw until the stage's type is known). */
export function parseOverride(text: string): Override {
  const m = /^([a-z0-9][a-z0-9-]*)\.([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!m) {
    throw new UsageError(
      `Cannot parse override "${text}": expected --set stage.param=value, e.g. --set ae-d1.steps=500`,
    );
  }
  return { stage: m[1], param: m[2], raw: m[3] };
}

/** A decimal number as people write it: `16`, `-0.5`, `.5`, `1e3`; no hex, no `Infinity`. */
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Without a declared `max`, a number may be at most this many times the largest magnitude among
 * its declared values (default and quick; at least 1): a typo of a few digits is caught
 * before it asks for a training of years or an array of terabytes.
 */
export const IMPLICIT_RANGE_FACTOR = 1000;

/** The inclusive bounds a parameter's values are checked against, and whether each was
 * declared or implied (see {@link IMPLICIT_RANGE_FACTOR}; without a declared `min`, a
 * parameter whose declared values are all non-negative may not be negative). */
export function paramBounds(
  def: ParamDef,
): { min: number; max: number; minDeclared: boolean; maxDeclared: boolean } {
  const values = [def.default, def.quick, def.code?.value].flat()
    .filter((x): x is number => typeof x === "number");
  const scale = Math.max(1, ...values.map(Math.abs));
  const implied = IMPLICIT_RANGE_FACTOR * scale;
  return {
    min: def.min ?? (values.length && values.every((x) => x >= 0) ? 0 : -implied),
    max: def.max ?? implied,
    minDeclared: def.min !== undefined,
    maxDeclared: def.max !== undefined,
  };
}

/** Parses a raw override value against a parameter's declaration. */
export function parseValue(stage: string, name: string, def: ParamDef, raw: string): Json {
  const where = `--set ${stage}.${name}`;
  const num = (s: string): number => {
    const t = s.trim();
    const v = DECIMAL_RE.test(t) ? Number(t) : NaN;
    if (!Number.isFinite(v)) {
      throw new UsageError(
        `Cannot use ${where}=${raw}: ${JSON.stringify(s)} is not a finite number; ` +
          `write a decimal such as 16, 0.5 or 1e3`,
      );
    }
    return Object.is(v, -0) ? 0 : v;
  };
  const b = paramBounds(def);
  const bounded = (v: number): number => {
    if (v < b.min) {
      throw new UsageError(
        `Cannot use ${where}=${raw}: must be at least ${b.min}` +
          (b.minDeclared ? "" : " (its declared values are never negative)"),
      );
    }
    if (v > b.max) {
      throw new UsageError(
        `Cannot use ${where}=${raw}: must be at most ${b.max}` +
          (b.maxDeclared ? "" : ` (${IMPLICIT_RANGE_FACTOR} times its largest declared value)`),
      );
    }
    return v;
  };
  const list = (): string[] => {
    if (raw.trim() !== "") return raw.split(",");
    if (Array.isArray(def.default) && def.default.length) {
      throw new UsageError(
        `Cannot use ${where}=${raw}: give at least one value, separated by commas (default: ${
          def.default.join(",")
        })`,
      );
    }
    return [];
  };
  switch (def.type) {
    case "number":
      return bounded(num(raw));
    case "integer": {
      const v = num(raw);
      if (!Number.isInteger(v)) {
        throw new UsageError(`Cannot use ${where}=${raw}: an integer is required`);
      }
      return bounded(v);
    }
    case "boolean":
      if (raw === "true" || raw === "false") return raw === "true";
      throw new UsageError(`Cannot use ${where}=${raw}: expected true or false`);
    case "string":
      if (def.choices && !def.choices.includes(raw)) {
        throw new UsageError(
          `Cannot use ${where}=${raw}: expected one of ${def.choices.join(", ")}` +
            didYouMean(raw, def.choices),
        );
      }
      if (raw.trim() === "") {
        throw new UsageError(`Cannot use ${where}=${raw}: give a non-empty value`);
      }
      return raw;
    case "number[]":
      return list().map((s) => bounded(num(s)));
    case "string[]":
      return list().map((s) => {
        if (s.trim() === "") {
          throw new UsageError(`Cannot use ${where}=${raw}: an item is empty`);
        }
        return s.trim();
      });
  }
}

/** A parameter's value in a profile, before overrides. */
export function profileValue(def: ParamDef, profile: Profile): Json {
  if (profile === "quick" && def.quick !== undefined) return def.quick;
  if (profile === "code" && def.code !== undefined) return def.code.value;
  return def.default;
}

/** Whether a stage has any parameter the `code` profile sets (the authors' code covers it). */
export function coveredByCode(stage: AnyStage): boolean {
  return Object.values(stage.params).some((d) => d.code !== undefined);
}

/** Merges a stage's parameters: defaults, then the profile's values, then overrides. */
export function resolveParams(
  stage: AnyStage,
  profile: Profile,
  overrides: readonly Override[],
): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, def] of Object.entries(stage.params)) out[name] = profileValue(def, profile);
  for (const o of overrides) {
    if (o.stage !== stage.id) continue;
    const def = stage.params[o.param];
    if (!def) {
      throw new UsageError(
        `Cannot set "${o.stage}.${o.param}": stage "${o.stage}" has no parameter "${o.param}"` +
          didYouMean(o.param, Object.keys(stage.params)) +
          `; its parameters: ${Object.keys(stage.params).join(", ") || "(none)"}`,
      );
    }
    out[o.param] = parseValue(o.stage, o.param, def, o.raw);
  }
  return out;
}

/** Checks that every override names a known stage (the parameter is checked on merge), once. */
export function checkOverrideStages(overrides: readonly Override[], stageIds: readonly string[]) {
  const seen = new Set<string>();
  for (const o of overrides) {
    const name = `${o.stage}.${o.param}`;
    if (seen.has(name)) {
      throw new UsageError(`Cannot set "${name}" twice: give each parameter once`);
    }
    seen.add(name);
    if (!stageIds.includes(o.stage)) {
      throw new UsageError(
        `Cannot set "${o.stage}.${o.param}": there is no stage "${o.stage}"` +
          didYouMean(o.stage, stageIds) + `; run \`deno task dag\` to list the stages`,
      );
    }
  }
}

/** Checks a stage's declared defaults against their types (catches typos in stage files). */
export function checkParamDefs(stageId: string, defs: ParamDefs): void {
  for (const [name, def] of Object.entries(defs)) {
    if (def.code !== undefined && !def.code.source.trim()) {
      throw new Error(
        `Stage "${stageId}" declares a code value of parameter "${name}" without its source`,
      );
    }
    const declared = [["default", def.default], ["quick", def.quick], [
      "code",
      def.code?.value,
    ]] as const;
    for (const [label, v] of declared) {
      if (v === undefined) continue;
      const ok = def.type === "number"
        ? typeof v === "number"
        : def.type === "integer"
        ? Number.isInteger(v)
        : def.type === "boolean"
        ? typeof v === "boolean"
        : def.type === "string"
        ? typeof v === "string"
        : def.type === "number[]"
        ? Array.isArray(v) && v.every((x) => typeof x === "number")
        : Array.isArray(v) && v.every((x) => typeof x === "string");
      if (!ok) {
        throw new Error(
          `Stage "${stageId}" declares parameter "${name}" of type ${def.type} with ${label} ` +
            `${JSON.stringify(v)}`,
        );
      }
    }
  }
}
