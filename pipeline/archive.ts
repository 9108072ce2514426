/**
 * `export` / `import`: moving cache entries between machines (results trained on a GPU host
 * to a laptop; what CI computed to its artifact). Import checks every file against its
 * manifest before anything enters the cache, and renames each entry into place whole.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { lookup, verifyFiles } from "./cache.ts";
import { UsageError } from "./errors.ts";
import { type Graph, ID_RE } from "./graph.ts";
import type { Layout } from "./layout.ts";
import { manifestProblem } from "./manifest.ts";
import type { Planner } from "./planner.ts";
import { computeStatus } from "./status.ts";
import { packTarGz, unpackTarGz } from "./tar.ts";

/** Options of {@link exportArchive}. */
export interface ExportOptions {
  /** Pack the targets' own entries only, not those of the stages they need. */
  noInputs?: boolean;
}

/** Packs the up-to-date entries the targets need (or only theirs); returns how many. */
export async function exportArchive(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  targets: readonly string[],
  file: string,
  opts: ExportOptions = {},
): Promise<number> {
  const rows = computeStatus(layout, graph, planner, targets).filter((r) =>
    r.state === "up-to-date" && (!opts.noInputs || targets.includes(r.id))
  );
  if (!rows.length) {
    throw new UsageError(
      "Cannot export: none of the selected stages is up to date; run `deno task reproduce` first",
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
  Deno.writeFileSync(file, packTarGz(files));
  return rows.length;
}

/** Unpacks an archive into the cache; every entry is checked before it is renamed in. */
export async function importArchive(
  layout: Layout,
  graph: Graph,
  file: string,
): Promise<{ imported: number; skipped: number }> {
  let entries: Array<[string, Uint8Array]>;
  try {
    entries = unpackTarGz(Deno.readFileSync(file));
  } catch (e) {
    throw new UsageError(
      `Cannot import "${file}": ${(e as Error).message}; is it an archive made by \`export\`?`,
    );
  }
  const groups = new Map<string, Array<[string, Uint8Array]>>();
  for (const [path, data] of entries) {
    const m = /^cache\/([a-z0-9][a-z0-9-]*)\/([0-9a-f]{64})\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(
      path,
    );
    if (!m || !ID_RE.test(m[1])) {
      throw new UsageError(
        `Cannot import "${file}": unexpected path "${path}" (only cache entries may be imported)`,
      );
    }
    const k = `${m[1]}/${m[2]}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push([m[3], data]);
  }
  let imported = 0, skipped = 0;
  const staged: Array<[string, string, string]> = [];
  try {
    for (const [k, files] of groups) {
      const [stage, key] = k.split("/");
      if (!graph.byId.has(stage)) {
        throw new UsageError(
          `Cannot import "${file}": it holds stage "${stage}", which this project does not have`,
        );
      }
      if (lookup(layout, stage, key).state === "present") {
        skipped++;
        continue;
      }
      const tmp = join(layout.tmp, `import-${stage}-${key.slice(0, 12)}-${Deno.pid}`);
      Deno.mkdirSync(tmp, { recursive: true });
      for (const [name, data] of files) Deno.writeFileSync(join(tmp, name), data);
      let manifest;
      try {
        manifest = JSON.parse(Deno.readTextFileSync(join(tmp, "manifest.json")));
      } catch {
        throw new UsageError(
          `Cannot import "${file}": entry ${stage}/${key.slice(0, 12)} has no valid manifest.json`,
        );
      }
      const problem = manifestProblem(manifest, stage, key);
      const problems = problem ? [problem] : await verifyFiles(tmp, manifest);
      if (problems.length) {
        throw new UsageError(
          `Cannot import "${file}": entry ${stage}/${key.slice(0, 12)} fails its manifest (${
            problems.join("; ")
          })`,
        );
      }
      staged.push([stage, key, tmp]);
    }
    // All checked: rename each entry into place whole.
    for (const [stage, key, tmp] of staged) {
      const dest = layout.entry(stage, key);
      Deno.mkdirSync(dirname(dest), { recursive: true });
      try {
        Deno.renameSync(tmp, dest);
        imported++;
      } catch (e) {
        if (
          !(e instanceof Deno.errors.AlreadyExists) &&
          lookup(layout, stage, key).state !== "present"
        ) throw e;
        skipped++;
      }
    }
  } finally {
    for (const [, , tmp] of staged) {
      try {
        Deno.removeSync(tmp, { recursive: true });
      } catch { /* renamed */ }
    }
    for (const [k] of groups) {
      const [stage, key] = k.split("/");
      try {
        Deno.removeSync(join(layout.tmp, `import-${stage}-${key.slice(0, 12)}-${Deno.pid}`), {
          recursive: true,
        });
      } catch { /* renamed or never made */ }
    }
  }
  return { imported, skipped };
}
