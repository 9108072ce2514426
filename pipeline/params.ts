/**
 * Parameters: merging defaults, the profile's values and command-line overrides, with
 * every override parsed and checked against the declared type.
 *
 * @module
 */
import { didYouMean, UsageError } from "./errors.ts";
import type { AnyStage, Json, ParamDef, ParamDefs } from "./stage.ts";

/** The profiles: `paper` is the spec's settings; `quick` uses each parameter's `quick` value. */
export const PROFILES = ["paper", "quick"] as const;
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

/** Parses a raw override value against a parameter's declaration. */
export function parseValue(stage: string, name: string, def: ParamDef, raw: string): Json {
  const where = `--set ${stage}.${name}`;
  const num = (s: string): number => {
    const v = Number(s.trim());
    if (s.trim() === "" || !Number.isFinite(v)) {
      throw new UsageError(`Cannot use ${where}=${raw}: "${s}" is not a finite number`);
    }
    return v;
  };
  const bounded = (v: number): number => {
    if (def.min !== undefined && v < def.min) {
      throw new UsageError(`Cannot use ${where}=${raw}: must be at least ${def.min}`);
    }
    if (def.max !== undefined && v > def.max) {
      throw new UsageError(`Cannot use ${where}=${raw}: must be at most ${def.max}`);
    }
    return v;
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
      return raw;
    case "number[]":
      return raw.trim() === "" ? [] : raw.split(",").map((s) => bounded(num(s)));
    case "string[]":
      return raw.trim() === "" ? [] : raw.split(",").map((s) => s.trim());
  }
}

/** Merges a stage's parameters: defaults, then the profile's values, then overrides. */
export function resolveParams(
  stage: AnyStage,
  profile: Profile,
  overrides: readonly Override[],
): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, def] of Object.entries(stage.params)) {
    out[name] = profile === "quick" && def.quick !== undefined ? def.quick : def.default;
  }
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

/** Checks that every override names a known stage (the parameter is checked on merge). */
export function checkOverrideStages(overrides: readonly Override[], stageIds: readonly string[]) {
  for (const o of overrides) {
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
    for (const [label, v] of [["default", def.default], ["quick", def.quick]] as const) {
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
