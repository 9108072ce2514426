/**
 * A fixture cache for the report's tests: a few stages laid out as the engine lays them out
 * (`data/cache/<stage>/<key>/`), with checks that pass, fail, are only reported or are broken,
 * real PNG and SVG figures, a Markdown table and manifests. Deterministic: no random draws.
 *
 * @module
 */

import { join } from "node:path";
import { type Check, check } from "../../lib/common/checks.ts";
import { encodePng } from "./_png.ts";
import { collectStage } from "./collect.ts";
import type { StageEntry } from "./model.ts";

/** An RGBA canvas with the few drawing operations the fixture figures need. */
class Canvas {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.pixels = new Uint8Array(width * height * 4).fill(255);
  }
  set(x: number, y: number, r: number, g: number, b: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = 4 * (Math.floor(y) * this.width + Math.floor(x));
    this.pixels.set([r, g, b, 255], i);
  }
  png(): Uint8Array {
    return encodePng(this.width, this.height, this.pixels);
  }
}

/**
 * Two rows of blurred disks of growing radius (inputs, then slightly wrong outputs), 64×64
 * cells drawn at `scale` pixels per cell pixel: a stand-in for P-Fig 2.
 */
export function diskGridPng(radii: readonly number[], scale = 2): Uint8Array {
  const cell = 64 * scale, gap = 4 * scale;
  const canvas = new Canvas(radii.length * (cell + gap) - gap, 2 * cell + gap);
  radii.forEach((r, k) => {
    for (let row = 0; row < 2; row++) {
      const radius = row === 0 ? r : r * 0.97 + 0.5;
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const d = Math.hypot(x / scale - 31.5, y / scale - 31.5);
          // A smooth step across the edge, like the blurred disks of App. A.
          const v = 1 / (1 + Math.exp((d - radius) / 0.6));
          const grey = Math.round(255 * (1 - v));
          canvas.set(k * (cell + gap) + x, row * (cell + gap) + y, grey, grey, grey);
        }
      }
    }
  });
  return canvas.png();
}

/** A small line plot of `z = c·r²` with axes: a stand-in for P-Fig 3 (right). */
export function curvePng(width = 420, height = 280): Uint8Array {
  const canvas = new Canvas(width, height);
  const left = 40, bottom = height - 30, top = 20, right = width - 20;
  for (let x = left; x <= right; x++) canvas.set(x, bottom, 60, 60, 60);
  for (let y = top; y <= bottom; y++) canvas.set(left, y, 60, 60, 60);
  for (let x = left; x <= right; x++) {
    const t = (x - left) / (right - left);
    const y = bottom - t * t * (bottom - top);
    for (let dy = -1; dy <= 1; dy++) canvas.set(x, y + dy, 31, 119, 180);
  }
  return canvas.png();
}

/** An SVG figure (the architecture item writes SVG only in this fixture). */
export const ARCH_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="120" ` +
  `viewBox="0 0 360 120"><rect width="360" height="120" fill="#fff"/>` +
  [64, 32, 16, 8, 4, 2, 1].map((s, k) =>
    `<rect x="${10 + k * 50}" y="${60 - s * 0.8}" width="30" height="${Math.max(2, s * 1.6)}" ` +
    `fill="#4c78a8"/>`
  ).join("") + `</svg>`;

/** One stage of the fixture cache. */
export interface FixtureStage {
  /** Stage id. */
  id: string;
  /** Cache key (directory name). */
  key: string;
  /** The checks.json content (an array of checks, or raw text for a broken file). */
  checks: Check[] | string;
  /** Files beside checks.json. */
  files: Record<string, Uint8Array | string>;
  /** Manifest, or `null` for none. */
  manifest: Record<string, unknown> | null;
}

function manifest(stage: string, key: string, profile: string, seconds: number) {
  return {
    stage,
    key,
    profile,
    backend: "cpu",
    adapter: null,
    params: { steps: profile === "quick" ? 500 : 10000, radii: [2, 30], blur: 0.5 },
    inputs: {},
    outputs: {},
    seeds: { rng: 20190403 },
    started: "2025-01-01T10:00:00.000Z",
    finished: new Date(Date.parse("2025-01-01T10:00:00.000Z") + seconds * 1000).toISOString(),
    durationMs: seconds * 1000,
    deno: "2.9.6",
    deps: { "@tensorflow/tfjs": "4.22.0" },
    records: {},
  };
}

/** The fixture's stages: pass, fail, report-only, figure-only, broken, and an unknown item. */
export function fixtureStages(profile = "quick"): FixtureStage[] {
  const table = [
    "| x | u(1) | u(2) | u(3) |",
    "| --- | --- | --- | ---: |",
    "| [1,0,0,0,0,0,0,0] | [2,0,0,0] | [4,0] | 8 |",
    "| [0,1,0,0,0,0,0,0] | [1,1,0,0] | [3,1] | 7 |",
  ].join("\n");
  return [
    {
      id: "arch",
      key: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      checks: [check("arch", "parameters counted from the trained model", 1262, "report", null)],
      files: { "figure.svg": ARCH_SVG },
      manifest: manifest("arch", "a1b2c3d4e5f60718293a4b5c6d7e8f90", profile, 0.4),
    },
    {
      id: "ae-d1",
      key: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
      checks: [
        check("ae-d1", "mean IoU of thresholded output vs input, radii 2–30", 0.962345, ">=", 0.9, {
          perRadius: Array.from({ length: 29 }, (_, i) => 0.9 + 0.002 * i),
        }),
      ],
      files: { "figure.png": diskGridPng([3, 8, 14, 21, 29]), "figure.svg": "<svg/>" },
      manifest: manifest("ae-d1", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", profile, 754),
    },
    {
      id: "latent",
      key: "1234567890abcdef1234567890abcdef",
      checks: [
        check("latent", "z monotone in r", true, "==", true),
        check("latent", "R² of z on r²", 0.99871, ">=", 0.99),
        check("latent", "R² of z on r² minus R² of z on r", 0.0412, ">", 0),
      ],
      files: { "figure.png": diskGridPng([4, 10, 16, 22, 28], 1), "radius_vs_z.png": curvePng() },
      manifest: manifest("latent", "1234567890abcdef1234567890abcdef", profile, 3.2),
    },
    {
      id: "hole",
      key: "feedfacecafebeef0123456789abcdef",
      checks: [
        check("hole", "mean error in the hole / mean error outside", 2.134, ">=", 3, {
          inside: 0.01234,
          outside: 0.005783,
        }),
      ],
      files: { "figure.png": diskGridPng([6, 12, 15, 24]) },
      manifest: manifest("hole", "feedfacecafebeef0123456789abcdef", profile, 812),
    },
    {
      id: "table2",
      key: "00112233445566778899aabbccddeeff",
      checks: [check("table2", "u(1), u(2), u(3) equal the paper's table", true, "==", true)],
      files: { "table.md": table, "figure.png": curvePng(200, 120) },
      manifest: manifest("table2", "00112233445566778899aabbccddeeff", profile, 0.05),
    },
    {
      id: "weights",
      key: "abababababababababababababababab",
      checks: [],
      files: { "figure.png": diskGridPng([5, 9], 1) },
      manifest: null,
    },
    {
      id: "airy",
      key: "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
      checks: "[{ not json",
      files: {},
      manifest: manifest("airy", "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", profile, 1.5),
    },
    {
      id: "nav-pca",
      key: "efefefefefefefefefefefefefefefef",
      checks: [
        check("nav-pca", "max off-diagonal |corr| of code components", 0.0734, "<=", 0.1),
        check("nav-pca", "|Pearson(z1, area)|", 0.9712, ">=", 0.95),
        check("mystery", "a check of an item the catalogue does not list", 0.5, "report", null),
      ],
      files: { "figure.png": curvePng(300, 200) },
      manifest: manifest("nav-pca", "efefefefefefefefefefefefefefefef", profile, 4000),
    },
  ];
}

/**
 * Writes the fixture stages under `root` as `data/cache/<stage>/<key>/` and returns the paths
 * of their checks.json by stage id (what the engine passes the report stage as inputs).
 */
export async function writeFixtureCache(
  root: string,
  stages: FixtureStage[] = fixtureStages(),
): Promise<Record<string, string>> {
  const inputs: Record<string, string> = {};
  for (const stage of stages) {
    const dir = join(root, "data", "cache", stage.id, stage.key);
    await Deno.mkdir(dir, { recursive: true });
    const checksPath = join(dir, "checks.json");
    await Deno.writeTextFile(
      checksPath,
      typeof stage.checks === "string" ? stage.checks : JSON.stringify(stage.checks, null, 2),
    );
    for (const [name, content] of Object.entries(stage.files)) {
      if (typeof content === "string") await Deno.writeTextFile(join(dir, name), content);
      else await Deno.writeFile(join(dir, name), content);
    }
    if (stage.manifest) {
      await Deno.writeTextFile(join(dir, "manifest.json"), JSON.stringify(stage.manifest, null, 2));
    }
    inputs[stage.id] = checksPath;
  }
  return inputs;
}

/** The fixture written to a fresh temporary directory and collected as the report stage would. */
export async function collectFixture(profile = "quick"): Promise<{
  root: string;
  inputs: Record<string, string>;
  entries: StageEntry[];
  images: Map<string, Uint8Array>;
}> {
  const root = await Deno.makeTempDir({ prefix: "report_fixture_" });
  const inputs = await writeFixtureCache(root, fixtureStages(profile));
  const entries: StageEntry[] = [];
  const images = new Map<string, Uint8Array>();
  for (const [id, path] of Object.entries(inputs)) {
    const collected = await collectStage(id, path);
    entries.push(collected.entry);
    for (const [name, bytes] of collected.images) images.set(name, bytes);
  }
  return { root, inputs, entries, images };
}

/** The table of the training-curves stage in the fixture. */
export const TRAINING_TABLE = [
  "**Training losses: first and final logged value**",
  "",
  "| stage | run | loss | first | final |",
  "| --- | --- | --- | ---: | ---: |",
  "| `train-ae` | — | total | 0.4 | 0.007 |",
].join("\n") + "\n";

/**
 * Writes a training-curves cache entry (a figure, the table and a manifest, no checks.json)
 * under `root` and returns the path of its table, the output the report is given.
 */
export async function writeTrainingFixture(root: string, profile = "quick"): Promise<string> {
  const key = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";
  const dir = join(root, "data", "cache", "training-curves", key);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, "figure.png"), curvePng(300, 160));
  await Deno.writeTextFile(join(dir, "figure.svg"), "<svg/>");
  await Deno.writeTextFile(join(dir, "curves.md"), TRAINING_TABLE);
  await Deno.writeTextFile(
    join(dir, "manifest.json"),
    JSON.stringify(manifest("training-curves", key, profile, 2), null, 2),
  );
  return join(dir, "curves.md");
}
