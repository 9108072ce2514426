/**
 * Copies what a reader looks at from a cache entry to `figures/<profile>/`: each profile has its
 * own place, so a `paper` run and a `quick` one never overwrite each other's figures or
 * report. `figures/index.html` and `figures/REPORT.md` link the report of every profile there.
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
import { compareProfiles, comparisonHtml, comparisonMarkdown } from "./profile_comparison.ts";

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

/** Where a profile's figures and report are published: `figures/<profile>/`. */
export function profileFigures(layout: Layout, profile: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(profile)) {
    throw new Error(`Cannot publish for profile "${profile}": not a plain lower-case name`);
  }
  return join(layout.figures, profile);
}

/**
 * Copies the published outputs of a stage's cache entry to `figures/<profile>/`, with
 * provenance: `dir` stages into `figures/<profile>/<id>/`, the `root` stage (the report) to
 * `figures/<profile>/` itself, after which the landing pages at the top are rewritten.
 */
export function publish(layout: Layout, stage: AnyStage, manifest: Manifest): void {
  const mode = stage.publish ?? "dir";
  if (mode === "none") return;
  const files = publishedFiles(manifest);
  if (!files.length) return;
  const src = layout.entry(stage.id, manifest.key);
  const base = profileFigures(layout, manifest.profile);
  // `figures/<profile>/` shows the last run of each stage in that profile: say which one it is.
  const provenance = {
    stage: stage.id,
    profile: manifest.profile,
    backend: manifest.backend,
    adapter: manifest.adapter,
    finished: manifest.finished,
    entry: `data/cache/${stage.id}/${manifest.key}`,
  };
  const provenanceJson = (p: object) => JSON.stringify(p, null, 2) + "\n";
  Deno.mkdirSync(base, { recursive: true });
  if (mode === "root") {
    // The files of the last root publication that this one does not write would be left
    // beside it, from another run (a figure of a stage this report went without, say).
    const before = rootFiles(layout, base);
    for (const f of files) {
      replaceFile(layout, join(base, f), (tmp) => copyFileSync(join(src, f), tmp));
    }
    replaceFile(
      layout,
      join(base, PROVENANCE_FILE),
      (tmp) => Deno.writeTextFileSync(tmp, provenanceJson({ ...provenance, files })),
    );
    for (const f of before) {
      if (files.includes(f)) continue;
      try {
        Deno.removeSync(join(base, f));
      } catch { /* already gone */ }
    }
    writeLandingPages(layout);
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
  replaceDir(layout, tmp, join(base, stage.id));
}

/** A profile's report as the landing pages list it. */
export interface PublishedReport {
  /** The profile (its folder under `figures/`). */
  profile: string;
  /** The backend and adapter it ran on, and when the report was made (its provenance). */
  backend: string;
  adapter: string | null;
  finished: string;
}

/** The reports under `figures/`, one per profile folder holding a published report. */
export function publishedReports(layout: Layout): PublishedReport[] {
  const out: PublishedReport[] = [];
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(layout.figures)].filter((e) => e.isDirectory).map((e) => e.name);
  } catch {
    return [];
  }
  for (const profile of names.sort()) {
    try {
      const p = JSON.parse(
        Deno.readTextFileSync(join(layout.figures, profile, PROVENANCE_FILE)),
      );
      if (p.profile !== profile || !Array.isArray(p.files)) continue; // a stage's folder
      out.push({ profile, backend: p.backend, adapter: p.adapter ?? null, finished: p.finished });
    } catch { /* no report published there */ }
  }
  return out;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Rewrites `figures/index.html` and `figures/REPORT.md`: links to the report of every profile
 * published in this checkout, so that the first place a reader looks names them all, and the
 * items published under several profiles side by side (`profile_comparison.ts`).
 */
export function writeLandingPages(layout: Layout): void {
  const reports = publishedReports(layout);
  const compared = compareProfiles(layout, reports.map((r) => r.profile));
  const line = (r: PublishedReport) =>
    `profile ${r.profile}: backend ${r.backend}${
      r.adapter ? ` (${r.adapter})` : ""
    }, made ${r.finished}`;
  const md = [
    "# Reproduction reports",
    "",
    "One report per profile run in this checkout (`deno task reproduce --profile …`):",
    "",
    ...reports.map((r) => `- [${r.profile}](${r.profile}/REPORT.md): ${line(r)}`),
    "",
    ...(compared.length ? [comparisonMarkdown(compared)] : []),
  ].join("\n");
  const html = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>Reproduction reports</title></head>',
    "<body><h1>Reproduction reports</h1>",
    "<p>One report per profile run in this checkout (<code>deno task reproduce --profile …</code>):</p>",
    "<ul>",
    ...reports.map((r) =>
      `<li><a href="${escapeHtml(r.profile)}/index.html">${escapeHtml(r.profile)}</a>: ${
        escapeHtml(line(r))
      }</li>`
    ),
    "</ul>",
    ...(compared.length ? [comparisonHtml(compared)] : []),
    "</body></html>",
    "",
  ].join("\n");
  replaceFile(layout, join(layout.figures, "REPORT.md"), (tmp) => Deno.writeTextFileSync(tmp, md));
  replaceFile(
    layout,
    join(layout.figures, "index.html"),
    (tmp) => Deno.writeTextFileSync(tmp, html),
  );
}

/**
 * The files the last root publication wrote into `base`: listed in its provenance, or, from
 * a provenance written before the list was kept, its cache entry's published outputs. Only
 * plain names (no folder, no dot file) are returned, so a damaged provenance removes nothing
 * else.
 */
function rootFiles(layout: Layout, base: string): string[] {
  let prov: { files?: unknown; entry?: unknown };
  try {
    prov = JSON.parse(Deno.readTextFileSync(join(base, PROVENANCE_FILE)));
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
