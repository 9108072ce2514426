/**
 * Computes each selected stage's merged parameters and key parts. A stage's key needs its
 * inputs' content hashes, which come from the upstream entries' manifests, so keys are known
 * only once the upstream entries exist.
 *
 * @module
 */
import { resolve } from "node:path";
import { CodeHasher } from "./code_hash.ts";
import { UsageError } from "./errors.ts";
import { splitRef } from "./graph.ts";
import { sha256 } from "./hash.ts";
import { canonicalJson } from "./json.ts";
import { KEY_RECIPE, type KeyParts } from "./key.ts";
import type { Manifest } from "./manifest.ts";
import { type Override, type Profile, resolveParams } from "./params.ts";
import type { AnyStage, Json } from "./stage.ts";

/** Run-wide settings that enter keys. */
export interface PlanSettings {
  profile: Profile;
  /** Backend of compute stages. */
  backend: string;
  /**
   * The module that starts the compute backend in a stage's process (the entry's
   * `compute.module`): its code runs in every compute stage, so it joins their keys.
   */
  computeModule?: string;
  overrides: readonly Override[];
  /** Deno's version (part of every key). */
  deno: string;
  /** Where relative paths of external files are resolved (the stages' working directory);
   * default the current directory. */
  projectRoot?: string;
}

/** Memoised parameters and code info for the stages of one run. */
export class Planner {
  readonly settings: PlanSettings;
  readonly #hasher: CodeHasher;
  readonly #params = new Map<string, Record<string, Json>>();
  readonly #fileHashes = new Map<string, string>();

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

  /** Absolute paths of the stage's external files, by parameter name (see `externalFiles`). */
  externalPaths(stage: AnyStage): Record<string, string> {
    const out: Record<string, string> = {};
    const params = this.params(stage);
    for (const name of stage.externalFiles ?? []) {
      const value = params[name];
      if (typeof value !== "string") {
        throw new Error(
          `Cannot key stage "${stage.id}": external file parameter "${name}" is not a string; fix its externalFiles`,
        );
      }
      out[name] = resolve(this.settings.projectRoot ?? Deno.cwd(), value);
    }
    return out;
  }

  /** Content hash of each external file (`absent` when there is no such file), by parameter. */
  externalHashes(stage: AnyStage): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, path] of Object.entries(this.externalPaths(stage))) {
      let hash = this.#fileHashes.get(path);
      if (hash === undefined) {
        hash = hashFileOrAbsent(stage.id, name, path);
        this.#fileHashes.set(path, hash);
      }
      out[name] = hash;
    }
    return out;
  }

  /** The key parts of a stage given its input hashes. */
  parts(stage: AnyStage, inputs: Record<string, string>): KeyParts {
    const compute = stage.compute && this.settings.computeModule;
    const code = compute
      ? this.#hasher.info(stage.module, this.settings.computeModule!)
      : this.#hasher.info(stage.module);
    const external = stage.externalFiles?.length ? { external: this.externalHashes(stage) } : {};
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
      ...external,
    };
  }
}

/** SHA-256 of a file's bytes, or `absent` when it does not exist. A file the process may not
 * read is a usage error: asking would prompt, and guessing would key the stage wrongly. */
function hashFileOrAbsent(stage: string, param: string, path: string): string {
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
    throw new UsageError(
      `Cannot key stage "${stage}": no permission to read "${path}" (parameter ${param}); put the file under the project or ../shared/authors, or run with --allow-read for it`,
    );
  }
  try {
    return sha256(Deno.readFileSync(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "absent";
    throw e;
  }
}
