import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { FONT_FAMILY, fontFiles, fontPath } from "./font.ts";

Deno.test("fontFiles() finds the four DejaVu Sans faces in the npm package", () => {
  const files = fontFiles();
  assert.equal(files.length, 4);
  for (const f of files) assert.ok(existsSync(f), f);
  assert.match(fontPath(), /dejavu-fonts-ttf[\\/]ttf[\\/]DejaVuSans\.ttf$/);
  assert.match(fontPath("bold"), /DejaVuSans-Bold\.ttf$/);
  assert.equal(FONT_FAMILY, "DejaVu Sans");
});
