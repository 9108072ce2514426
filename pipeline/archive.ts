/**
 * `export` / `import`: moving cache entries between machines (results trained on a GPU host
 * to a laptop; what CI computed to its artifact). Import checks every file against its
 * manifest before anything enters the cache, and renames each entry into place whole.
 * With `--checkpoints`, unfinished stages' scratch directories travel too, so a profile too long
 * for one host's time runs in parts.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { lookup, quarantineEntry, readLatest, verifyFiles, writeLatest } from "./cache.ts";
import { UsageError } from "./errors.ts";
import { type Graph, ID_RE } from "./graph.ts";
import type { Layout } from "./layout.ts";
import { sha256 } from "./hash.ts";
import { type Manifest, manifestProblem } from "./manifest.ts";
import type { Planner } from "./planner.ts";
import { computeStatus } from "./status.ts";
import { packTarGz, unpackTarGz } from "./tar.ts";

/** Options of {@link exportArchive}. */
export interface ExportOptions {
  /** Pack the targets' own entries only, not those of the stages they need. */
  noInputs?: boolean;
  /**
   * Also pack the scratch directories (training checkpoints) of the selected stages that are
   * not up to date, so that a run cut off on one host resumes on the next.
   */
  checkpoints?: boolean;
}

/** What {@link exportArchive} packed. */
export interface ExportResult {
  /** Cache entries. */
  entries: number;
  /** Scratch directories of unfinished stages. */
  checkpoints: number;
}

/** Every file under `dir`, as paths relative to it (sorted, so archives are reproducible). */
function filesUnder(dir: string, prefix = ""): string[] {
  let names: Deno.DirEntry[];
  try {
    names = [...Deno.readDirSync(join(dir, prefix))];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: string[] = [];
  for (const e of names.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...filesUnder(dir, rel));
    else if (e.isFile) out.push(rel);
  }
  return out;
}

/**
 * Packs the up-to-date entries the targets need (or only theirs) and, with
 * `opts.checkpoints`, the scratch directories of those not yet finished.
 */
export async function exportArchive(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  targets: readonly string[],
  file: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const selected = computeStatus(layout, graph, planner, targets).filter((r) =>
    !opts.noInputs || targets.includes(r.id)
  );
  const rows = selected.filter((r) => r.state === "up-to-date");
  // Status has found which unfinished stages have checkpoints; list each one's files once.
  const unfinished = opts.checkpoints
    ? selected.filter((r) => r.resumes).map((r) => {
      const dir = layout.scratchDir(r.id, r.key!);
      return { id: r.id, key: r.key!, dir, files: filesUnder(dir) };
    }).filter((u) => u.files.length)
    : [];
  if (!rows.length && !unfinished.length) {
    throw new UsageError(
      `Cannot export: none of the selected stages is up to date${
        opts.checkpoints ? " or has checkpoints" : ""
      }; run \`deno task reproduce\` first`,
    );
  }
  const files: Array<[string, Uint8Array]> = [];
  for (const r of rows) {
    const dir = layout.entry(r.id, r.key!);
    const found = lookup(layout, r.id, r.key!);
    if (found.state !== "present") continue;
    const problems = await verifyFiles(dir, found.manifest);
    if (problems.length) {
      throw new UsageError(
        `Cannot export stage "${r.id}": its entry is damaged (${problems.join("; ")}); rerun it`,
      );
    }
    for (const f of [...Object.keys(found.manifest.outputs), "manifest.json", "log.txt"]) {
      try {
        files.push([`cache/${r.id}/${r.key}/${f}`, Deno.readFileSync(join(dir, f))]);
      } catch { /* log.txt is optional */ }
    }
  }
  for (const u of unfinished) {
    for (const f of u.files) {
      files.push([`scratch/${u.id}/${u.key.slice(0, 32)}/${f}`, Deno.readFileSync(join(u.dir, f))]);
    }
  }
  try {
    Deno.writeFileSync(file, packTarGz(files));
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new UsageError(
        `Cannot export to "${file}": no permission to write there (the deno tasks write only ` +
          `under data/ and figures/); give a path such as data/results.tar.gz`,
      );
    }
    // Checked beforehand (see inputs.ts), so this is the disk or the system: still one line.
    throw new UsageError(
      `Cannot export to "${file}": ${(e as Error).message.split("\n")[0]}; ` +
        `give a path where a file can be written, such as data/results.tar.gz`,
    );
  }
  return { entries: rows.length, checkpoints: unfinished.length };
}

/** What {@link importArchive} did. */
export interface ImportResult {
  /** Cache entries renamed into place. */
  imported: number;
  /** Cache entries already present. */
  skipped: number;
  /** Scratch directories (checkpoints) restored. */
  checkpoints: number;
  /** Scratch directories left alone because this project already has one for that key. */
  checkpointsKept: number;
}

const ENTRY_PATH_RE =
  /^cache\/([a-z0-9][a-z0-9-]*)\/([0-9a-f]{64})\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/;
// Segments start with a letter, digit or underscore: no "..", no absolute path.
const SCRATCH_PATH_RE =
  /^scratch\/([a-z0-9][a-z0-9-]*)\/([0-9a-f]{32})\/((?:[A-Za-z0-9_][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_][A-Za-z0-9_.-]*)$/;

/** Unpacks an archive into the cache; every entry is checked before it is renamed in. */
export function importArchive(
  layout: Layout,
  graph: Graph,
  file: string,
): ImportResult {
  return importArchives(layout, graph, [file]);
}

/** An archive's files, grouped by cache entry and by scratch directory, and checked. */
interface CheckedArchive {
  groups: Map<string, Array<[string, Uint8Array]>>;
  scratchGroups: Map<string, Array<[string, Uint8Array]>>;
}

/**
 * Unpacks several archives (the shards of a profile run on several machines) into the cache.
 * Every archive is read and every entry checked before anything is written: one bad archive
 * leaves `data/` as it was. An entry or checkpoint found in two archives is taken once.
 */
export function importArchives(
  layout: Layout,
  graph: Graph,
  files: readonly string[],
): ImportResult {
  const checked = files.map((f) => checkArchive(graph, f));
  const groups = new Map<string, Array<[string, Uint8Array]>>();
  const scratchGroups = new Map<string, Array<[string, Uint8Array]>>();
  let skipped = 0;
  for (const c of checked) {
    for (const [k, v] of c.groups) groups.has(k) ? skipped++ : groups.set(k, v);
    for (const [k, v] of c.scratchGroups) if (!scratchGroups.has(k)) scratchGroups.set(k, v);
  }
  let imported = 0;
  const staged: Array<[string, string, string]> = [];
  try {
    for (const [k, files] of groups) {
      const [stage, key] = k.split("/");
      if (lookup(layout, stage, key).state === "present") {
        skipped++;
        continue;
      }
      const tmp = join(layout.tmp, `import-${stage}-${key.slice(0, 12)}-${Deno.pid}`);
      Deno.mkdirSync(tmp, { recursive: true });
      for (const [name, data] of files) Deno.writeFileSync(join(tmp, name), data);
      staged.push([stage, key, tmp]);
    }
    // All checked: rename each entry into place whole; a damaged one here is set aside first.
    for (const [stage, key, tmp] of staged) {
      const dest = layout.entry(stage, key);
      const here = lookup(layout, stage, key);
      if (here.state === "corrupt") quarantineEntry(layout, stage, key, here.reason);
      Deno.mkdirSync(dirname(dest), { recursive: true });
      try {
        Deno.renameSync(tmp, dest);
        imported++;
        // A stage never built here now has a last key: once the code or the parameters move
        // on, `status` says that it is stale and which part of its key changed, not "missing".
        if (!readLatest(layout, stage)) {
          const m = lookup(layout, stage, key);
          if (m.state === "present") writeLatest(layout, stage, { key, parts: m.manifest.parts });
        }
      } catch (e) {
        if (lookup(layout, stage, key).state !== "present") throw e;
        skipped++;
      }
    }
  } finally {
    for (const [, , tmp] of staged) {
      try {
        Deno.removeSync(tmp, { recursive: true });
      } catch { /* renamed */ }
    }
  }
  const restored = restoreCheckpoints(layout, scratchGroups);
  return { imported, skipped, ...restored };
}

/** Reads an archive and checks every entry in memory; throws a usage error naming the file. */
function checkArchive(graph: Graph, file: string): CheckedArchive {
  let entries: Array<[string, Uint8Array]>;
  try {
    entries = unpackTarGz(Deno.readFileSync(file));
  } catch (e) {
    throw new UsageError(
      `Cannot import "${file}": ${(e as Error).message}; is it an archive made by \`export\`?`,
    );
  }
  const groups = new Map<string, Array<[string, Uint8Array]>>();
  const scratchGroups = new Map<string, Array<[string, Uint8Array]>>();
  for (const [path, data] of entries) {
    const m = ENTRY_PATH_RE.exec(path) ?? SCRATCH_PATH_RE.exec(path);
    if (!m || !ID_RE.test(m[1])) {
      throw new UsageError(
        `Cannot import "${file}": unexpected path "${path}" (only cache entries and ` +
          `checkpoints may be imported)`,
      );
    }
    if (!graph.byId.has(m[1])) {
      throw new UsageError(
        `Cannot import "${file}": it holds stage "${m[1]}", which this project does not have`,
      );
    }
    const into = path.startsWith("cache/") ? groups : scratchGroups;
    const k = `${m[1]}/${m[2]}`;
    if (!into.has(k)) into.set(k, []);
    into.get(k)!.push([m[3], data]);
  }
  if (!groups.size && !scratchGroups.size) {
    throw new UsageError(`Cannot import "${file}": it holds no cache entry and no checkpoint`);
  }
  // Every entry is checked in memory first: a bad archive leaves data/ as it was.
  for (const [k, files] of groups) {
    const [stage, key] = k.split("/");
    const problem = entryProblem(files, stage, key);
    if (problem) {
      throw new UsageError(
        `Cannot import "${file}": entry ${stage}/${key.slice(0, 12)} ${problem}; nothing ` +
          `was imported: make the archive again with \`export\` from a sound cache`,
      );
    }
  }
  return { groups, scratchGroups };
}

/** Why an archived entry (its files by name) cannot be imported, or null when it is sound. */
function entryProblem(files: Array<[string, Uint8Array]>, stage: string, key: string) {
  const byName = new Map<string, Uint8Array>();
  for (const [name, data] of files) {
    if (byName.has(name)) return `holds "${name}" twice`;
    byName.set(name, data);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(byName.get("manifest.json")));
  } catch {
    return "has no valid manifest.json";
  }
  const problem = manifestProblem(manifest, stage, key);
  if (problem) return `fails its manifest: manifest.json ${problem}`;
  for (const [name, rec] of Object.entries(manifest.outputs)) {
    const data = byName.get(name);
    if (!data) return `fails its manifest: ${name} is missing`;
    if (data.length !== rec.size || sha256(data) !== rec.sha256) {
      return `fails its manifest: ${name} differs from it`;
    }
  }
  const extra = [...byName.keys()].find((n) =>
    !manifest.outputs[n] && n !== "manifest.json" && n !== "log.txt"
  );
  return extra ? `holds "${extra}", which its manifest does not list` : null;
}

/**
 * Writes each stage's scratch directory under `data/tmp/` and renames it into place whole. A
 * key that already has a scratch directory here keeps it: it may hold later checkpoints.
 */
function restoreCheckpoints(
  layout: Layout,
  groups: Map<string, Array<[string, Uint8Array]>>,
): { checkpoints: number; checkpointsKept: number } {
  let checkpoints = 0, checkpointsKept = 0;
  for (const [k, files] of groups) {
    const [stage, key32] = k.split("/");
    const dest = layout.scratchDir(stage, key32);
    if (existsPath(dest)) {
      checkpointsKept++;
      continue;
    }
    const tmp = join(layout.tmp, `import-scratch-${stage}-${key32.slice(0, 12)}-${Deno.pid}`);
    try {
      for (const [name, data] of files) {
        Deno.mkdirSync(dirname(join(tmp, name)), { recursive: true });
        Deno.writeFileSync(join(tmp, name), data);
      }
      Deno.mkdirSync(dirname(dest), { recursive: true });
      Deno.renameSync(tmp, dest);
      checkpoints++;
    } finally {
      try {
        Deno.removeSync(tmp, { recursive: true });
      } catch { /* renamed */ }
    }
  }
  return { checkpoints, checkpointsKept };
}

function existsPath(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
