/**
 * One-file bundles of an entry module for a host with no network and no `node_modules` (a lent
 * GPU host), whose cache keys are the keys computed from the sources.
 *
 * A stage names its code by `import.meta.url`, and a key hashes that module and the local modules
 * it imports. In a plain bundle every module's `import.meta.url` is the bundle's own URL, so keys
 * made there would hash the bundle, and results brought back with `export`/`import` would never
 * be cache hits. So the local sources are copied to a scratch tree in which `import.meta.url`
 * reads `new URL("../stages/…/x.ts", import.meta.url).href`: the place of the original file,
 * relative to where the bundle will be. The bundle must then run from that place in a checkout
 * that has the sources (they travel with it anyway); it reads them only to hash them.
 *
 * Usage: `deno task bundle ENTRY.ts [OUT.js]` (default `.gpu/app.js`).
 *
 * @module
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { CodeHasher } from "./code_hash.ts";
import { UsageError } from "./errors.ts";

/** Where `import.meta.url` is rewritten (`import.meta.main`, `import.meta.resolve` are kept). */
const META_URL_RE = /\bimport\.meta\.url\b/g;

/**
 * `source` with each `import.meta.url` replaced by the URL of `file` (relative to the project
 * root) as seen from the bundle at `out` (also relative to the root).
 */
export function pinImportMetaUrl(source: string, file: string, out: string): string {
  let rel = relative(dirname(out), file).split("\\").join("/");
  if (!rel.startsWith(".")) rel = "./" + rel;
  return source.replace(META_URL_RE, `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
}

/** Options of {@link bundleEntry}. */
export interface BundleOptions {
  /** The project root, holding `deno.json` and `node_modules/`. */
  root: string;
  /** The entry module, relative to the root. */
  entry: string;
  /** The bundle to write, relative to the root (it must stay there to find the sources). */
  out: string;
}

/** Bundles `entry` into `out` with every module's `import.meta.url` pinned to its source. */
export async function bundleEntry(opts: BundleOptions): Promise<void> {
  const root = resolve(opts.root);
  const out = relative(root, resolve(root, opts.out));
  if (out.startsWith("..") || isAbsolute(out) || out === "") {
    throw new UsageError(
      `Cannot bundle to "${opts.out}": the bundle must sit inside the project, to find its sources`,
    );
  }
  if (isDir(join(root, out))) {
    throw new UsageError(
      `Cannot bundle to "${opts.out}": it is a directory; give a file such as .gpu/app.js`,
    );
  }
  const entry = relative(root, resolve(root, opts.entry));
  if (entry.startsWith("..") || isAbsolute(entry)) {
    throw new UsageError(
      `Cannot bundle "${opts.entry}": it is outside the project; give a module such as stages/main.ts`,
    );
  }
  let isFile = false;
  try {
    isFile = Deno.statSync(join(root, entry)).isFile;
  } catch { /* reported below */ }
  if (!isFile || !/\.[cm]?[jt]sx?$/.test(entry)) {
    throw new UsageError(
      `Cannot bundle "${opts.entry}": no such file in the project, or not a module; give one such as stages/main.ts`,
    );
  }
  const files = new CodeHasher(root).info(join(root, opts.entry)).files;
  const scratch = await mkdtemp(join(root, ".bundle-"));
  try {
    for (const f of files) {
      await mkdir(dirname(join(scratch, f)), { recursive: true });
      if (/\.[cm]?[jt]sx?$/.test(f)) {
        const text = await Deno.readTextFile(join(root, f));
        await writeFile(join(scratch, f), pinImportMetaUrl(text, f, out));
      } else {
        await copyFile(join(root, f), join(scratch, f));
      }
    }
    for (const f of ["deno.json", "deno.lock"]) {
      try {
        await copyFile(join(root, f), join(scratch, f));
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    // The npm packages the bundler reads (a link is made even where there is none yet).
    await symlink(join(root, "node_modules"), join(scratch, "node_modules"), "dir");
    await mkdir(dirname(join(root, out)), { recursive: true });
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "deno",
        `--config=${join(scratch, "deno.json")}`,
        join(scratch, opts.entry),
        "-o",
        join(root, out),
      ],
      cwd: scratch,
      stdout: "inherit",
      stderr: "inherit",
    });
    const { code } = await cmd.output();
    if (code !== 0) {
      throw new Error(`Cannot bundle "${opts.entry}": deno bundle exited with ${code}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const [entry, out = ".gpu/app.js"] = Deno.args;
  if (!entry || Deno.args.length > 2) {
    console.error("Usage: deno task bundle ENTRY.ts [OUT.js]   (OUT.js default: .gpu/app.js)");
    Deno.exit(2);
  }
  try {
    await bundleEntry({ root: Deno.cwd(), entry, out });
    console.log(`bundled ${entry} → ${out}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}

/** Whether `path` is a directory. */
function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
