/**
 * The one font every figure uses, DejaVu Sans, taken from the `dejavu-fonts-ttf` npm package
 * so that text renders identically on any machine (no system fonts are ever consulted).
 *
 * @module
 */

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The family name written into every SVG and given to resvg as its default. */
export const FONT_FAMILY = "DejaVu Sans";

/** The CSS font stack written into SVGs: DejaVu first, generic fallback for other viewers. */
export const FONT_STACK = "DejaVu Sans, sans-serif";

/** The faces of DejaVu Sans that figures may use. */
export type FontFace = "regular" | "bold" | "oblique" | "bold-oblique";

const FILE_NAMES: Record<FontFace, string> = {
  "regular": "DejaVuSans.ttf",
  "bold": "DejaVuSans-Bold.ttf",
  "oblique": "DejaVuSans-Oblique.ttf",
  "bold-oblique": "DejaVuSans-BoldOblique.ttf",
};

let cachedDir: string | undefined;

/** Finds the `ttf/` directory of the `dejavu-fonts-ttf` package. */
function fontDir(): string {
  if (cachedDir) return cachedDir;
  const tried: string[] = [];
  // First the module resolver: it knows where `deno install` put the package.
  try {
    const url = import.meta.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
    if (url.startsWith("file:")) {
      const dir = dirname(fileURLToPath(url));
      tried.push(dir);
      if (existsSync(join(dir, FILE_NAMES.regular))) return (cachedDir = dir);
    }
  } catch {
    // Not resolvable as a bare specifier here: fall back to the directory walk below.
  }
  // Then every node_modules/ from this file's directory up to the file-system root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules", "dejavu-fonts-ttf", "ttf");
    tried.push(candidate);
    if (existsSync(join(candidate, FILE_NAMES.regular))) return (cachedDir = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `Cannot find font "${FILE_NAMES.regular}": the npm package dejavu-fonts-ttf is not ` +
      `installed (looked in ${tried.join(", ")}); fix: run \`deno install\` in the repository`,
  );
}

/** Absolute path of one face of DejaVu Sans. */
export function fontPath(face: FontFace = "regular"): string {
  return join(fontDir(), FILE_NAMES[face]);
}

/** Absolute paths of all the faces, in a fixed order (what resvg loads). */
export function fontFiles(): string[] {
  return (Object.keys(FILE_NAMES) as FontFace[]).map(fontPath);
}
