/**
 * The cache key of a stage: SHA-256 over the canonical JSON of its parts: the recipe
 * version, stage id, profile, merged parameters, code hash (its module and every local
 * module it imports), Deno's version, the npm packages its code loads and their versions, the
 * backend (compute stages only), the content hash of every input, and, for a stage that
 * declares external files, the content hash of each (a part only such stages have, so it
 * leaves every other key as it was). A golden test pins it.
 *
 * @module
 */
import { canonicalJson } from "./json.ts";
import { sha256 } from "./hash.ts";

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

/** Version of the key recipe; bump it when anything below changes meaning. */
export const KEY_RECIPE = 1;

/** The key of a set of parts (`files` is explanatory only: `code` already covers it). */
export function keyOf(parts: KeyParts): string {
  const { files: _files, ...hashed } = parts;
  return sha256(canonicalJson(hashed));
}

/** Names shown in one line of an explanation; past that, a count. */
const SHOWN = 6;

/** `a, b, c` or, for a long list, its first names and how many more. */
export function listed(names: readonly string[]): string {
  if (names.length <= SHOWN + 1) return names.join(", ");
  return `${names.slice(0, SHOWN).join(", ")} and ${names.length - SHOWN} more`;
}

/** Why `cur` differs from `old`, in words, one reason per changed part. */
export function explainChange(old: KeyParts | null, cur: KeyParts): string[] {
  if (!old) return ["never built"];
  const why: string[] = [];
  if (old.recipe !== cur.recipe) why.push("key recipe changed");
  if (old.profile !== cur.profile) why.push(`profile ${old.profile} → ${cur.profile}`);
  if (old.params !== cur.params) {
    const a = JSON.parse(old.params), b = JSON.parse(cur.params);
    const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) =>
      JSON.stringify(a[k]) !== JSON.stringify(b[k])
    );
    // Under another profile most values move with it: name them, and keep the values for a
    // change within one profile (an override, a new default), where they are the point.
    why.push(
      old.profile !== cur.profile
        ? `params: ${names.length} differ with the profile (${listed(names)})`
        : `params: ${
          names.map((k) => `${k} ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`).join(", ")
        }`,
    );
  }
  if (old.code !== cur.code) {
    const files = [...new Set([...Object.keys(old.files ?? {}), ...Object.keys(cur.files)])]
      .filter((f) => old.files?.[f] !== cur.files[f]);
    why.push(`code: ${files.length ? listed(files) : "changed"}`);
  }
  if (old.deno !== cur.deno) why.push(`deno ${old.deno} → ${cur.deno}`);
  if (canonicalJson(old.deps) !== canonicalJson(cur.deps)) {
    const names = [...new Set([...Object.keys(old.deps), ...Object.keys(cur.deps)])]
      .filter((k) => old.deps[k] !== cur.deps[k]);
    why.push(
      `dependencies: ${names.map((k) => `${k} ${old.deps[k] ?? "-"} → ${cur.deps[k] ?? "-"}`)}`,
    );
  }
  if (old.backend !== cur.backend) why.push(`backend ${old.backend} → ${cur.backend}`);
  const inputs = [...new Set([...Object.keys(old.inputs), ...Object.keys(cur.inputs)])]
    .filter((k) => old.inputs[k] !== cur.inputs[k]);
  if (inputs.length) why.push(`inputs: ${listed(inputs)}`);
  const ext = [...new Set([...Object.keys(old.external ?? {}), ...Object.keys(cur.external ?? {})])]
    .filter((k) => old.external?.[k] !== cur.external?.[k]);
  if (ext.length) why.push(`external files: ${listed(ext)}`);
  // Same parts, so the same key as the last build: its entry was removed or set aside.
  return why.length ? why : ["its cache entry is gone (same key as the last build)"];
}
