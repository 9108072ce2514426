/**
 * Reading, checking and committing cache entries. An entry is written into a temporary
 * directory and renamed into place only once the stage succeeded and its manifest is
 * written, so a killed run never leaves a partial entry. Reuse checks every file against the
 * manifest; a mismatch is reported by name and the stage recomputed.
 *
 * @module
 */
import { join } from "node:path";
import { sha256File } from "./hash.ts";
import type { Layout } from "./layout.ts";
import { type KeyParts, type Manifest, manifestProblem } from "./manifest.ts";

/** Result of looking an entry up. */
export type Lookup =
  | { state: "missing" }
  | { state: "corrupt"; reason: string }
  | { state: "present"; manifest: Manifest };

/** Looks up an entry by reading its manifest only (fast: used by `status`). */
export function lookup(layout: Layout, stage: string, key: string): Lookup {
  const path = join(layout.entry(stage, key), "manifest.json");
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { state: "missing" };
    return { state: "corrupt", reason: `manifest unreadable: ${(e as Error).message}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { state: "corrupt", reason: "manifest.json is not valid JSON" };
  }
  const problem = manifestProblem(parsed, stage, key);
  if (problem) return { state: "corrupt", reason: `manifest.json ${problem}` };
  return { state: "present", manifest: parsed as Manifest };
}

/** Checks every output file against the manifest; returns the problems (empty when sound). */
export async function verifyFiles(dir: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  for (const [file, rec] of Object.entries(manifest.outputs)) {
    try {
      const got = await sha256File(join(dir, file));
      if (got.size !== rec.size) problems.push(`${file}: size ${got.size}, expected ${rec.size}`);
      else if (got.sha256 !== rec.sha256) {
        problems.push(`${file}: content changed (sha256 differs)`);
      }
    } catch (e) {
      problems.push(
        `${file}: ${e instanceof Deno.errors.NotFound ? "missing" : (e as Error).message}`,
      );
    }
  }
  return problems;
}

/** Moves a bad entry out of the way (into `data/tmp`, deleted there), never deleting in place
 * while another reader might be looking. */
export function discardEntry(layout: Layout, stage: string, key: string): void {
  const dir = layout.entry(stage, key);
  const trash = join(layout.tmp, `discard-${stage}-${key.slice(0, 12)}-${Deno.pid}-${Date.now()}`);
  Deno.mkdirSync(layout.tmp, { recursive: true });
  try {
    Deno.renameSync(dir, trash);
    Deno.removeSync(trash, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Renames a finished temporary directory into place as the entry of `key`. */
export function commitEntry(layout: Layout, stage: string, key: string, tmpDir: string): string {
  const dir = layout.entry(stage, key);
  Deno.mkdirSync(join(layout.cache, stage), { recursive: true });
  Deno.renameSync(tmpDir, dir);
  return dir;
}

/** What `latest.json` records: the last key built for a stage, and its parts. */
export interface Latest {
  key: string;
  parts: KeyParts;
}

/** Records the last key built for a stage (atomically: write then rename). */
export function writeLatest(layout: Layout, stage: string, latest: Latest): void {
  const path = layout.latest(stage);
  const tmp = `${path}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(latest));
  Deno.renameSync(tmp, path);
}

/** Reads the last key built for a stage; null when none (or unreadable). */
export function readLatest(layout: Layout, stage: string): Latest | null {
  try {
    return JSON.parse(Deno.readTextFileSync(layout.latest(stage))) as Latest;
  } catch {
    return null;
  }
}
