/**
 * Computes each selected stage's merged parameters and key parts. A stage's key needs its
 * inputs' content hashes, which come from the upstream entries' manifests, so keys are known
 * only once the upstream entries exist.
 *
 * @module
 */
import { CodeHasher } from "./code_hash.ts";
import { splitRef } from "./graph.ts";
import { canonicalJson } from "./json.ts";
import { KEY_RECIPE } from "./key.ts";
import type { KeyParts, Manifest } from "./manifest.ts";
import { type Override, type Profile, resolveParams } from "./params.ts";
import type { AnyStage, Json } from "./stage.ts";

/** Run-wide settings that enter keys. */
export interface PlanSettings {
  profile: Profile;
  /** Backend of compute stages. */
  backend: string;
  overrides: readonly Override[];
  /** Deno's version (part of every key). */
  deno: string;
}

/** Memoised parameters and code info for the stages of one run. */
export class Planner {
  readonly settings: PlanSettings;
  readonly #hasher: CodeHasher;
  readonly #params = new Map<string, Record<string, Json>>();

  /** Creates a planner for the project at `root`. */
  constructor(root: string, settings: PlanSettings, hasher?: CodeHasher) {
    this.settings = settings;
    this.#hasher = hasher ?? new CodeHasher(root);
  }

  /** Merged parameters of a stage (checked; throws a usage error on a bad override). */
  params(stage: AnyStage): Record<string, Json> {
    let p = this.#params.get(stage.id);
    if (!p) {
      p = resolveParams(stage, this.settings.profile, this.settings.overrides);
      this.#params.set(stage.id, p);
    }
    return p;
  }

  /** Input content hashes from the upstream manifests; null when one is not built yet. */
  inputHashes(stage: AnyStage, manifests: ReadonlyMap<string, Manifest>) {
    const out: Record<string, string> = {};
    for (const [name, ref] of Object.entries(stage.inputs)) {
      const [up, file] = splitRef(ref);
      const m = manifests.get(up);
      const rec = m?.outputs[file];
      if (!rec) return null;
      out[name] = rec.sha256;
    }
    return out;
  }

  /** The key parts of a stage given its input hashes. */
  parts(stage: AnyStage, inputs: Record<string, string>): KeyParts {
    const code = this.#hasher.info(stage.module);
    return {
      recipe: KEY_RECIPE,
      stage: stage.id,
      profile: this.settings.profile,
      params: canonicalJson(this.params(stage)),
      code: code.hash,
      files: code.fileHashes,
      deno: this.settings.deno,
      deps: code.deps,
      backend: stage.compute ? this.settings.backend : "none",
      inputs,
    };
  }
}
