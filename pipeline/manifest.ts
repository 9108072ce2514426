/**
 * The manifest of a cache entry: everything needed to trust, explain and reproduce it.
 *
 * @module
 */
import { canonicalJson } from "./json.ts";
import { keyOf, type KeyParts } from "./key.ts";
import type { Json } from "./stage.ts";

/** One output file of an entry. */
export interface OutputRecord {
  sha256: string;
  size: number;
}

/** `manifest.json` in every cache entry. */
export interface Manifest {
  /** Format version of this file. */
  format: 1;
  stage: string;
  key: string;
  parts: KeyParts;
  profile: string;
  backend: string;
  /** Adapter description (GPU name, or `cpu`), as the stage recorded it. */
  adapter: string | null;
  params: Record<string, Json>;
  inputs: Record<string, { ref: string; sha256: string }>;
  outputs: Record<string, OutputRecord>;
  seeds: { rng: number };
  started: string;
  finished: string;
  durationMs: number;
  deno: string;
  deps: Record<string, string>;
  /** Extra facts the stage recorded with `ctx.record`. */
  records: Record<string, Json>;
}

/** The manifest format this version writes and reads. */
export const MANIFEST_FORMAT = 1;

/**
 * Checks a parsed manifest; returns a reason when it is malformed or does not hold together.
 * The key is re-derived from the manifest's parts, and the fields that are published (profile,
 * backend, parameters, inputs) must be those parts: an edited manifest is caught, never trusted.
 */
export function manifestProblem(m: unknown, stage: string, key: string): string | null {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return "is not a JSON object";
  const x = m as Partial<Manifest>;
  if (typeof x.format === "number" && x.format > MANIFEST_FORMAT) {
    return `has format ${x.format}, newer than this version reads (${MANIFEST_FORMAT}); update the project`;
  }
  if (x.format !== MANIFEST_FORMAT) return `has unknown format ${JSON.stringify(x.format)}`;
  if (x.stage !== stage) return `names stage ${JSON.stringify(x.stage)}, expected "${stage}"`;
  if (x.key !== key) {
    return `names key ${String(x.key).slice(0, 12)}…, expected ${key.slice(0, 12)}…`;
  }
  if (typeof x.outputs !== "object" || x.outputs === null) return "has no outputs";
  for (const [f, o] of Object.entries(x.outputs)) {
    // Output names are joined to the entry's folder: a path would read or publish elsewhere.
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(f)) return `names output "${f}", not a file name`;
    if (typeof o?.sha256 !== "string" || typeof o?.size !== "number") {
      return `output "${f}" has no sha256/size`;
    }
  }
  return partsProblem(x, stage, key);
}

/** Whether the manifest's key parts give its key and agree with its other fields. */
function partsProblem(x: Partial<Manifest>, stage: string, key: string): string | null {
  const p = x.parts;
  if (typeof p !== "object" || p === null) return "has no key parts";
  let derived: string;
  try {
    derived = keyOf(p);
  } catch {
    return "has malformed key parts";
  }
  if (derived !== key) {
    return `has key parts that hash to ${derived.slice(0, 12)}…, not its key ${
      key.slice(0, 12)
    }… (edited?)`;
  }
  if (p.stage !== stage) return `has key parts of stage ${JSON.stringify(p.stage)}`;
  if (x.profile !== p.profile) {
    return `says profile ${JSON.stringify(x.profile)}, its key profile ${
      JSON.stringify(p.profile)
    }`;
  }
  if (x.backend !== p.backend) {
    return `says backend ${JSON.stringify(x.backend)}, its key backend ${
      JSON.stringify(p.backend)
    }`;
  }
  let params: string | null = null;
  try {
    params = canonicalJson(x.params as Json);
  } catch { /* malformed: reported below */ }
  if (params !== p.params) return "has parameters that differ from those of its key";
  const inputs = x.inputs ?? {};
  const names = new Set([...Object.keys(inputs), ...Object.keys(p.inputs ?? {})]);
  for (const n of names) {
    if (inputs[n]?.sha256 !== p.inputs?.[n]) return `has input "${n}" that differs from its key's`;
  }
  return null;
}
