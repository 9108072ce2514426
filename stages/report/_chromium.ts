/**
 * Drives a headless Chromium for the report's browser tests, without npm packages: finds the
 * binary on PATH, dumps the DOM after load, or takes a screenshot. Tests skip when no binary is
 * found.
 *
 * @module
 */

import { join } from "node:path";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** Path of a Chromium binary on PATH (or in `$CHROMIUM_BIN`), or `null` when there is none. */
export function findChromium(): string | null {
  const override = Deno.env.get("CHROMIUM_BIN");
  if (override) return override;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    for (const name of NAMES) {
      try {
        const info = Deno.statSync(join(dir, name));
        if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) {
          return join(dir, name);
        }
      } catch {
        // not in this directory
      }
    }
  }
  return null;
}

/** Runs Chromium headless on a local file with `extra` flags; returns its stdout. */
async function runChromium(
  binary: string,
  htmlPath: string,
  extra: string[],
  timeoutMs: number,
): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "report_chromium_" });
  try {
    const command = new Deno.Command(binary, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        ...extra,
        `file://${htmlPath}`,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const { code, stdout, stderr } = await command.output();
    if (code !== 0) {
      throw new Error(
        `Cannot render "${htmlPath}" in Chromium: exit ${code}; ` +
          new TextDecoder().decode(stderr).slice(-800),
      );
    }
    return new TextDecoder().decode(stdout);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** The DOM of a local HTML file after its load event, as Chromium serialises it. */
export function dumpDom(binary: string, htmlPath: string, timeoutMs = 60_000): Promise<string> {
  // The virtual time budget lets load handlers run before the DOM is dumped.
  return runChromium(binary, htmlPath, ["--virtual-time-budget=5000", "--dump-dom"], timeoutMs);
}

/** Screenshots a local HTML file into `pngPath` at the given window size. */
export async function screenshot(
  binary: string,
  htmlPath: string,
  pngPath: string,
  width = 1100,
  height = 2400,
  timeoutMs = 60_000,
): Promise<void> {
  await runChromium(binary, htmlPath, [
    "--virtual-time-budget=5000",
    `--window-size=${width},${height}`,
    `--screenshot=${pngPath}`,
  ], timeoutMs);
}
