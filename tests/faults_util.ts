/**
 * Helpers of the fault-injection tests: a toy project already built, a fingerprint of its
 * `data/` to prove that a command changed nothing, and the faults themselves (a flipped byte,
 * a truncated file, an edited manifest).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { entries, type Run, toy } from "./cli_util.ts";

/** The options that make the toy's runs the same on every machine. */
export const Q = ["--profile", "quick", "--backend", "cpu"];

/** A fresh toy project directory. */
export function fresh(): string {
  return Deno.makeTempDirSync({ prefix: "toy-fault-" });
}

/** A toy project in which `targets` were built (and checked to be). */
export async function built(...targets: string[]): Promise<string> {
  const dir = fresh();
  const r = await toy(dir, ["reproduce", ...targets, ...Q]);
  assert.equal(r.code, 0, r.err);
  return dir;
}

/** `count` copies of a built project: one build serves many faults (nothing in data/ names
 * the project's place). */
export function copies(project: string, count: number): string[] {
  return Array.from({ length: count }, () => {
    const dir = fresh();
    cpSync(join(project, "data"), join(dir, "data"), { recursive: true });
    return dir;
  });
}

/**
 * SHA-256 over every path under `dir` (directories included, so an empty one made counts) and
 * every file's bytes and mode: equal before and after a command means it changed nothing there.
 */
export function treeHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string) => {
    let list: Deno.DirEntry[];
    try {
      list = [...Deno.readDirSync(join(dir, rel))];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const e of list.sort((a, b) => a.name < b.name ? -1 : 1)) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      h.update(`${e.isDirectory ? "d" : e.isFile ? "f" : "o"} ${p}\n`);
      if (e.isDirectory) walk(p);
      else if (e.isFile) h.update(Deno.readFileSync(join(dir, p)));
    }
  };
  walk("");
  return h.digest("hex");
}

/** The hash of a project's `data/` (see {@link treeHash}). */
export function dataHash(project: string): string {
  return treeHash(join(project, "data"));
}

/** The directory of a stage's one cache entry. */
export function entryDir(project: string, stage: string): string {
  const [key] = entries(project, stage);
  assert.ok(key, `no entry of ${stage}`);
  return join(project, "data", "cache", stage, key);
}

/** Flips the lowest bit of the byte at `offset`. */
export function flipByte(path: string, offset = 0): void {
  const bytes = Deno.readFileSync(path);
  bytes[offset] ^= 1;
  Deno.writeFileSync(path, bytes);
}

/** Rewrites a JSON file through `edit`. */
export function editJson(path: string, edit: (x: Record<string, unknown>) => void): void {
  const x = JSON.parse(Deno.readTextFileSync(path));
  edit(x);
  Deno.writeTextFileSync(path, JSON.stringify(x, null, 2));
}

/** Entries set aside in a project's quarantine. */
export function quarantined(project: string): string[] {
  try {
    return [...Deno.readDirSync(join(project, "data", "quarantine"))].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** Asserts a usage error: exit code 2 and exactly one line on stderr matching `re`. */
export function assertUsage(r: Run, re: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.err}`);
  const lines = r.err.trim().split("\n");
  assert.equal(lines.length, 1, `${what}: one line expected, got\n${r.err}`);
  assert.match(lines[0], re, what);
}
