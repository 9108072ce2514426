/**
 * Copies what a reader looks at from a cache entry to `figures/`.
 *
 * Two `reproduce` processes may publish the same stage at once (both reuse a shared input, say).
 * So nothing is written in place: a stage's directory is filled under a temporary name and renamed
 * into place, and a file published at the top of `figures/` is written beside and renamed over
 * the old one. A reader, or the other process, sees the old copy or the new one, never a half-made
 * or vanished one. Temporary names carry the process id, so `gc` can remove those of dead ones.
 *
 * @module
 */
import { copyFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { Layout } from "./layout.ts";
import type { Manifest } from "./manifest.ts";
import type { AnyStage } from "./stage.ts";

/** Extensions published to `figures/`: what a reader looks at, never arrays or weights. */
const PUBLISHED = new Set([".png", ".svg", ".md", ".html", ".json", ".csv", ".txt"]);

/** Written beside published files: the profile, backend and cache entry they come from. */
export const PROVENANCE_FILE = "_provenance.json";

/** Prefix of the temporary names in `figures/`: `.publish-<stage>-<pid>-<n>`. */
export const PUBLISH_TMP_PREFIX = ".publish-";

let counter = 0;

/** A temporary name in `figures/` for this process. */
function tmpName(layout: Layout, what: string): string {
  return join(layout.figures, `${PUBLISH_TMP_PREFIX}${what}-${Deno.pid}-${++counter}`);
}

/** Whether an error is "that path is not there". */
const notFound = (e: unknown) => e instanceof Deno.errors.NotFound;

/** Writes `dest` through a temporary file, filled by `fill` and renamed over it. */
function replaceFile(layout: Layout, dest: string, fill: (tmp: string) => void): void {
  const tmp = tmpName(layout, "file");
  try {
    fill(tmp);
    Deno.renameSync(tmp, dest);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* not made */ }
    throw e;
  }
}

/**
 * Puts the directory `tmp` at `dest`, replacing what is there, even if other processes race.
 * The old copy is first renamed away, never removed in place: a recursive remove racing with
 * another process's rename would fail half-way, or delete that process's new copy.
 */
function replaceDir(layout: Layout, tmp: string, dest: string): void {
  const old = tmpName(layout, "old");
  try {
    for (let attempt = 1;; attempt++) {
      try {
        Deno.renameSync(dest, old);
        Deno.removeSync(old, { recursive: true });
      } catch (e) {
        if (!notFound(e)) throw e;
      }
      try {
        Deno.renameSync(tmp, dest);
        return;
      } catch (e) {
        // Another process put its copy there between our two renames: move it away in turn.
        if (attempt >= 50) throw e;
      }
    }
  } finally {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch { /* renamed into place */ }
  }
}

/** The outputs of an entry that are published: what a reader looks at, never arrays or weights. */
export function publishedFiles(manifest: Manifest): string[] {
  return Object.keys(manifest.outputs).filter((f) => PUBLISHED.has(extname(f)));
}

/** Copies the published outputs of a stage's cache entry to `figures/`, with provenance. */
export function publish(layout: Layout, stage: AnyStage, manifest: Manifest): void {
  const mode = stage.publish ?? "dir";
  if (mode === "none") return;
  const files = publishedFiles(manifest);
  if (!files.length) return;
  const src = layout.entry(stage.id, manifest.key);
  // `figures/` shows the last run of each stage, whatever its profile: say which one it is.
  const provenance = {
    stage: stage.id,
    profile: manifest.profile,
    backend: manifest.backend,
    adapter: manifest.adapter,
    finished: manifest.finished,
    entry: `data/cache/${stage.id}/${manifest.key}`,
  };
  const provenanceJson = (p: object) => JSON.stringify(p, null, 2) + "\n";
  Deno.mkdirSync(layout.figures, { recursive: true });
  if (mode === "root") {
    // The files of the last root publication that this one does not write would be left
    // beside it, from another run (a figure of a stage this report went without, say).
    const before = rootFiles(layout);
    for (const f of files) {
      replaceFile(layout, join(layout.figures, f), (tmp) => copyFileSync(join(src, f), tmp));
    }
    replaceFile(
      layout,
      join(layout.figures, PROVENANCE_FILE),
      (tmp) => Deno.writeTextFileSync(tmp, provenanceJson({ ...provenance, files })),
    );
    for (const f of before) {
      if (files.includes(f)) continue;
      try {
        Deno.removeSync(join(layout.figures, f));
      } catch { /* already gone */ }
    }
    return;
  }
  const tmp = tmpName(layout, stage.id);
  try {
    Deno.mkdirSync(tmp);
    for (const f of files) copyFileSync(join(src, f), join(tmp, f));
    Deno.writeTextFileSync(join(tmp, PROVENANCE_FILE), provenanceJson(provenance));
  } catch (e) {
    Deno.removeSync(tmp, { recursive: true });
    throw e;
  }
  replaceDir(layout, tmp, join(layout.figures, stage.id));
}

/**
 * The files the last root publication wrote into `figures/`: listed in its provenance, or, from
 * a provenance written before the list was kept, its cache entry's published outputs. Only
 * plain names (no folder, no dot file) are returned, so a damaged provenance removes nothing
 * else.
 */
function rootFiles(layout: Layout): string[] {
  let prov: { files?: unknown; entry?: unknown };
  try {
    prov = JSON.parse(Deno.readTextFileSync(join(layout.figures, PROVENANCE_FILE)));
  } catch {
    return [];
  }
  let names: unknown = prov.files;
  if (!Array.isArray(names) && typeof prov.entry === "string") {
    try {
      const m = JSON.parse(Deno.readTextFileSync(join(layout.root, prov.entry, "manifest.json")));
      names = Object.keys(m.outputs ?? {}).filter((f) => PUBLISHED.has(extname(f)));
    } catch {
      return [];
    }
  }
  if (!Array.isArray(names)) return [];
  return names.filter((f): f is string =>
    typeof f === "string" && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(f) && f !== PROVENANCE_FILE
  );
}
