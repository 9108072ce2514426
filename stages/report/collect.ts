/**
 * Reads one stage's cache entry for the report: its `checks.json`, the `manifest.json` beside
 * it, and the figures (`*.png`, `*.svg`) and Markdown tables (`*.md`) in the same directory
 * (or all but the checks, for a stage that writes none: the training curves). Anything missing
 * or malformed becomes a note on the entry; only the report's own bugs throw.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { CATALOGUE } from "../../paper/catalogue.ts";
import type { FigureRef, StageEntry, TableRef } from "./model.ts";
import { parseChecks } from "./parse_checks.ts";
import { parseProvenance } from "./provenance.ts";
import { pngSize, svgSize } from "./image_size.ts";

/** A stage entry and the bytes of its figures, keyed by the figure's report name. */
export interface CollectedStage {
  /** What the report shows. */
  readonly entry: StageEntry;
  /** Figure bytes by `FigureRef.name` (`<stage>--<file>`). */
  readonly images: Map<string, Uint8Array>;
}

/** The name of a file's copy beside the report. */
export function reportFileName(stage: string, file: string): string {
  return `${stage}--${file}`;
}

async function readJson(path: string): Promise<{ value?: unknown; error?: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { error: `${basename(path)} is missing` };
    return { error: `${basename(path)} cannot be read: ${(error as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `${basename(path)} is not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Collects stage `stage` from the path of its `checks.json` (`undefined` when the engine gave
 * none). Figures listed by the catalogue for this stage come first, then the others by name; a
 * PNG hides the SVG of the same base name (the report embeds PNGs, the SVG stays in the cache).
 */
export async function collectStage(
  stage: string,
  checksPath: string | undefined,
): Promise<CollectedStage> {
  if (checksPath === undefined) {
    return unread(stage, `no checks.json was given for stage "${stage}"`);
  }
  const errors: string[] = [];
  const notes: string[] = [];
  const dir = dirname(checksPath);

  const checksJson = await readJson(checksPath);
  let checks: StageEntry["checks"] = [];
  if (checksJson.error) errors.push(checksJson.error);
  else {
    const parsed = parseChecks(checksJson.value, stage);
    checks = parsed.checks;
    errors.push(...parsed.errors);
    notes.push(...parsed.notes);
  }

  const files = await collectDirectory(stage, dir, errors);
  return { entry: { id: stage, checks, ...files.entry, errors, notes }, images: files.images };
}

/**
 * Collects the figures, tables and manifest of stage `stage`, a stage that writes no
 * `checks.json` (the training curves), from the path of any one of its outputs (`undefined`
 * when the engine gave none). Problems become errors on the entry, as for {@link collectStage}.
 */
export async function collectOutputs(
  stage: string,
  outputPath: string | undefined,
): Promise<CollectedStage> {
  if (outputPath === undefined) return unread(stage, `no output was given for stage "${stage}"`);
  const errors: string[] = [];
  const files = await collectDirectory(stage, dirname(outputPath), errors);
  return {
    entry: { id: stage, checks: [], ...files.entry, errors, notes: [] },
    images: files.images,
  };
}

/** The entry of a stage the engine gave no path for: nothing but the error. */
function unread(stage: string, error: string): CollectedStage {
  return {
    entry: {
      id: stage,
      checks: [],
      figures: [],
      tables: [],
      provenance: { stage, manifest: false },
      errors: [error],
      notes: [],
    },
    images: new Map(),
  };
}

/** The manifest, figures and tables of one cache entry; what cannot be read goes to `errors`. */
async function collectDirectory(stage: string, dir: string, errors: string[]): Promise<{
  entry: Pick<StageEntry, "figures" | "tables" | "provenance">;
  images: Map<string, Uint8Array>;
}> {
  const images = new Map<string, Uint8Array>();
  // A missing manifest is normal outside the engine (tests, hand-made entries): no error.
  const manifestJson = await readJson(join(dir, "manifest.json"));
  if (manifestJson.error && !manifestJson.error.endsWith("is missing")) {
    errors.push(manifestJson.error);
  }
  const provenance = parseProvenance(stage, manifestJson.value);

  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  } catch (error) {
    errors.push(`cannot list ${basename(dir)}: ${(error as Error).message}`);
  }
  names.sort();

  const preferred = CATALOGUE.filter((c) => c.stage === stage).flatMap((c) => c.figures);
  const pngs = new Set(names.filter((n) => n.endsWith(".png")).map((n) => n.slice(0, -4)));
  const figureFiles = names
    .filter((n) => n.endsWith(".png") || (n.endsWith(".svg") && !pngs.has(n.slice(0, -4))))
    .sort((a, b) => rank(preferred, a) - rank(preferred, b) || (a < b ? -1 : a > b ? 1 : 0));

  const figures: FigureRef[] = [];
  for (const file of figureFiles) {
    const bytes = await Deno.readFile(join(dir, file));
    const name = reportFileName(stage, file);
    const isPng = file.endsWith(".png");
    const size = isPng ? pngSize(bytes) : svgSize(new TextDecoder().decode(bytes));
    if (isPng && size === null) {
      errors.push(`${file} is not a valid PNG; it is left out`);
      continue;
    }
    images.set(name, bytes);
    figures.push({
      stage,
      file,
      name,
      mime: isPng ? "image/png" : "image/svg+xml",
      ...(size ?? {}),
    });
  }

  const tables: TableRef[] = [];
  for (const file of names.filter((n) => n.endsWith(".md"))) {
    const markdown = await Deno.readTextFile(join(dir, file));
    tables.push({ stage, file, name: reportFileName(stage, file), markdown });
  }

  return { entry: { figures, tables, provenance }, images };
}

/** Position of a file in the catalogue's preferred list, or after all of them. */
function rank(preferred: readonly string[], file: string): number {
  const i = preferred.indexOf(file);
  return i === -1 ? preferred.length : i;
}
