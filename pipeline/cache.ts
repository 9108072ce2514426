/**
 * Reading, checking and committing cache entries. An entry is written into a temporary
 * directory and renamed into place only once the stage succeeded and its manifest is
 * written, so a killed run never leaves a partial entry. Reuse checks every file against the
 * manifest; a mismatch is reported by name and the stage recomputed. An entry that cannot be
 * trusted (no readable manifest, a manifest whose parts do not give its key, a damaged file) is
 * moved whole to `data/quarantine/` before it is rebuilt: set aside, never deleted silently.
 *
 * @module
 */
import { join, relative } from "node:path";
import { sha256File } from "./hash.ts";
import type { Layout } from "./layout.ts";
import type { KeyParts } from "./key.ts";
import { type Manifest, manifestProblem } from "./manifest.ts";

/** Result of looking an entry up. */
export type Lookup =
  | { state: "missing" }
  | { state: "corrupt"; reason: string }
  | { state: "present"; manifest: Manifest };

/** Looks up an entry by reading its manifest only (fast: used by `status`). */
export function lookup(layout: Layout, stage: string, key: string): Lookup {
  const dir = layout.entry(stage, key);
  let text: string;
  try {
    text = Deno.readTextFileSync(join(dir, "manifest.json"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // A directory without its manifest is an entry that lost it: it would block the rename of
      // a rebuilt one into place, so it counts as corrupt, not missing.
      return existsPath(dir)
        ? { state: "corrupt", reason: "manifest.json is missing" }
        : { state: "missing" };
    }
    return { state: "corrupt", reason: `manifest.json is unreadable (${(e as Error).name})` };
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

/** Moves a superseded entry out of the way (into `data/tmp`, deleted there), never deleting in
 * place while another reader might be looking. */
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

/**
 * Sets a damaged entry aside whole in `data/quarantine/<stage>-<key12>-<time>/`, with a
 * `QUARANTINE.txt` saying why, so it can be looked at; returns that directory relative to the
 * project root, or null when the entry was gone already (another process set it aside).
 */
export function quarantineEntry(
  layout: Layout,
  stage: string,
  key: string,
  reason: string,
): string | null {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dest = join(layout.quarantine, `${stage}-${key.slice(0, 12)}-${stamp}-${Deno.pid}`);
  Deno.mkdirSync(layout.quarantine, { recursive: true });
  try {
    Deno.renameSync(layout.entry(stage, key), dest);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    if (!(e instanceof Deno.errors.NotADirectory)) throw e;
    // The stage's own folder is a file: that file is what blocks every entry of the stage.
    Deno.renameSync(join(layout.cache, stage), dest);
  }
  try {
    Deno.writeTextFileSync(
      join(dest, "QUARANTINE.txt"),
      `stage ${stage}\nkey ${key}\nwhen ${new Date().toISOString()}\nwhy ${reason}\n`,
    );
  } catch { /* a file, not a directory, was set aside: its name says enough */ }
  return relative(layout.root, dest);
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
    const latest = JSON.parse(Deno.readTextFileSync(layout.latest(stage)));
    // The key names a directory: anything but a key is ignored, never followed.
    return /^[0-9a-f]{64}$/.test(latest?.key) && typeof latest.parts === "object" ? latest : null;
  } catch {
    return null;
  }
}

/** Whether anything (file or directory) is at `path`. */
export function existsPath(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
