/**
 * The manifest of a cache entry: everything needed to trust, explain and reproduce it.
 *
 * @module
 */
import type { Json } from "./stage.ts";

/** The parts a key is hashed from, kept (as hashes) to explain why a stage is stale. */
export interface KeyParts {
  /** Recipe version of the key (bumped when the recipe changes; pinned by a golden test). */
  recipe: number;
  stage: string;
  profile: string;
  /** Canonical JSON of the merged parameters. */
  params: string;
  /** Hash of the stage's code (its module and local imports). */
  code: string;
  /** Per-file hashes behind `code`. */
  files: Record<string, string>;
  /** Deno's version. */
  deno: string;
  /** npm packages the code loads, name → version. */
  deps: Record<string, string>;
  /** Backend for compute stages, `none` otherwise. */
  backend: string;
  /** Input name → content hash of the upstream output. */
  inputs: Record<string, string>;
  /**
   * Parameter name → content hash of the external file it names, or `absent`; only for stages
   * that declare `externalFiles` (so no other key changes).
   */
  external?: Record<string, string>;
}

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

/** Checks the shape of a parsed manifest; returns a reason when it is malformed. */
export function manifestProblem(m: unknown, stage: string, key: string): string | null {
  if (typeof m !== "object" || m === null) return "not a JSON object";
  const x = m as Partial<Manifest>;
  if (x.format !== 1) return `unknown format ${JSON.stringify(x.format)}`;
  if (x.stage !== stage) return `names stage ${JSON.stringify(x.stage)}, expected "${stage}"`;
  if (x.key !== key) {
    return `names key ${String(x.key).slice(0, 12)}…, expected ${key.slice(0, 12)}…`;
  }
  if (typeof x.outputs !== "object" || x.outputs === null) return "has no outputs";
  for (const [f, o] of Object.entries(x.outputs)) {
    if (typeof o?.sha256 !== "string" || typeof o?.size !== "number") {
      return `output "${f}" has no sha256/size`;
    }
  }
  return null;
}
