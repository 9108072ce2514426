/**
 * The code part of a stage's key: the stage's module and every local module it imports,
 * found by reading import statements (a comment that mentions an import only makes the key
 * more conservative), plus the npm packages those modules load, with the versions pinned in
 * `deno.json`.
 *
 * Files are named relative to the project root, so the same code gives the same key on any
 * machine. Results are memoised per file: a DAG of a thousand stages sharing modules reads
 * each file once.
 *
 * @module
 */
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "./hash.ts";

/** What the code part of a key is made of. */
export interface CodeInfo {
  /** Hash over every local file (relative path and content). */
  hash: string;
  /** Local files, relative to the project root, sorted. */
  files: string[];
  /** Per-file content hashes, for explaining what changed. */
  fileHashes: Record<string, string>;
  /** npm packages loaded, name → version. */
  deps: Record<string, string>;
}

const IMPORT_RE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bexport\s*\*\s*from\s*)["']([^"'\n]+)["']/g;

/**
 * A module loaded by URL rather than imported, e.g. a Web Worker's script:
 * `new URL("./worker.ts", import.meta.url)`. Its code runs as part of the stage, so it counts.
 */
const URL_RE = /\bnew\s+URL\s*\(\s*["'](\.{1,2}\/[^"'\n]+)["']\s*,\s*import\.meta\.url\s*\)/g;

/** Scans local imports from a root directory, reading the import map of its `deno.json`. */
export class CodeHasher {
  readonly #root: string;
  readonly #imports: Record<string, string>;
  readonly #fileCache = new Map<string, { hash: string; specs: string[] }>();
  readonly #infoCache = new Map<string, CodeInfo>();

  /** Creates a hasher for the project at `root` (the directory holding `deno.json`). */
  constructor(root: string, imports?: Record<string, string>) {
    this.#root = resolve(root);
    this.#imports = imports ?? readImportMap(this.#root);
  }

  /**
   * The code info of a module given as a `file:` URL or a path, together with any further
   * modules whose code also runs in the stage (e.g. the one that starts its compute backend).
   */
  info(module: string, ...more: string[]): CodeInfo {
    const toPath = (m: string) => m.startsWith("file:") ? fileURLToPath(m) : resolve(m);
    const starts = [module, ...more].map(toPath);
    const cacheKey = starts.join("\n");
    const cached = this.#infoCache.get(cacheKey);
    if (cached) return cached;
    const seen = new Set<string>();
    const deps: Record<string, string> = {};
    const stack = [...starts];
    while (stack.length) {
      const path = stack.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const { specs } = this.#read(path);
      for (const spec of specs) {
        if (spec.startsWith("./") || spec.startsWith("../")) {
          stack.push(resolve(dirname(path), spec));
        } else if (spec.startsWith("file:")) {
          stack.push(fileURLToPath(spec));
        } else {
          const dep = this.#npmDep(spec);
          if (dep) deps[dep[0]] = dep[1];
        }
      }
    }
    const files = [...seen].map((p) => relative(this.#root, p).split("\\").join("/")).sort();
    const fileHashes: Record<string, string> = {};
    for (const f of files) fileHashes[f] = this.#read(resolve(this.#root, f)).hash;
    const info: CodeInfo = {
      hash: sha256(files.map((f) => `${f}\0${fileHashes[f]}\n`).join("")),
      files,
      fileHashes,
      deps: Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b))),
    };
    this.#infoCache.set(cacheKey, info);
    return info;
  }

  #read(path: string): { hash: string; specs: string[] } {
    let entry = this.#fileCache.get(path);
    if (!entry) {
      let text: string;
      try {
        text = Deno.readTextFileSync(path);
      } catch (e) {
        throw new Error(
          `Cannot hash module "${relative(this.#root, path)}": ${(e as Error).message}`,
        );
      }
      const specs = [...text.matchAll(IMPORT_RE), ...text.matchAll(URL_RE)].map((m) => m[1]);
      entry = { hash: sha256(text), specs };
      this.#fileCache.set(path, entry);
    }
    return entry;
  }

  #npmDep(spec: string): [string, string] | null {
    if (spec.startsWith("node:") || spec.startsWith("jsr:")) return null;
    let target = this.#imports[spec];
    if (!target) {
      // Subpath of a mapped package ("vega-lite/build/x") or a mapped prefix ("pkg/").
      const prefix = Object.keys(this.#imports)
        .filter((k) => spec.startsWith(k.endsWith("/") ? k : `${k}/`))
        .sort((a, b) => b.length - a.length)[0];
      target = prefix ? this.#imports[prefix] : spec;
    }
    const m = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)@([^/]+)/.exec(target);
    return m ? [m[1], m[2]] : null;
  }
}

/** Reads the `imports` map of `<root>/deno.json` (empty when there is none). */
export function readImportMap(root: string): Record<string, string> {
  try {
    const cfg = JSON.parse(Deno.readTextFileSync(resolve(root, "deno.json")));
    return (cfg.imports ?? {}) as Record<string, string>;
  } catch {
    return {};
  }
}
