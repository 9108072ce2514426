import assert from "node:assert/strict";
import { bundleEntry, pinImportMetaUrl } from "./bundle.ts";

Deno.test("pinImportMetaUrl() points import.meta.url at the source, seen from the bundle", () => {
  const src = [
    "export const s = { module: import.meta.url };",
    'const w = new URL("./worker.ts", import.meta.url);',
    "if (import.meta.main) run();",
  ].join("\n");
  const out = pinImportMetaUrl(src, "stages/size/training.ts", ".gpu/app.js");
  assert.equal(
    out.split("\n")[0],
    'export const s = { module: new URL("../stages/size/training.ts", import.meta.url).href };',
  );
  assert.match(out, /new URL\("\.\/worker\.ts", new URL\("\.\.\/stages\/size\/training\.ts"/);
  assert.match(out, /if \(import\.meta\.main\) run\(\);/);
  // The URL it writes resolves, from the bundle's place, to the source file.
  const bundle = "file:///project/.gpu/app.js";
  const url = new URL("../stages/size/training.ts", bundle).href;
  assert.equal(url, "file:///project/stages/size/training.ts");
  assert.equal(
    pinImportMetaUrl("import.meta.url", "a.ts", "app.js"),
    'new URL("./a.ts", import.meta.url).href',
  );
});

Deno.test("bundleEntry() names a missing entry, and refuses a bundle outside the project", async () => {
  const root = new URL("..", import.meta.url).pathname;
  await assert.rejects(
    bundleEntry({ root, entry: "stages/no_such_entry.ts", out: ".gpu/x.js" }),
    /Cannot bundle "stages\/no_such_entry\.ts": no such file/,
  );
  await assert.rejects(
    bundleEntry({ root, entry: "stages/main.ts", out: "../elsewhere/app.js" }),
    /must sit inside the project/,
  );
});
