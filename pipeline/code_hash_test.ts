import assert from "node:assert/strict";
import { join, toFileUrl } from "./test_util.ts";
import { CodeHasher } from "./code_hash.ts";

function project(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync();
  for (const [name, text] of Object.entries(files)) {
    Deno.mkdirSync(join(dir, name, ".."), { recursive: true });
    Deno.writeTextFileSync(join(dir, name), text);
  }
  return dir;
}

const files = {
  "deno.json": JSON.stringify({
    imports: { "vega": "npm:vega@6.4.0", "@tensorflow/tfjs": "npm:@tensorflow/tfjs@4.22.0" },
  }),
  "stages/a.ts":
    'import { b } from "./lib/b.ts";\nimport * as vega from "vega";\nexport const a = b + 1;\n',
  "stages/lib/b.ts": 'import "node:path";\nexport { c } from "../c.ts";\nexport const b = 1;\n',
  "stages/c.ts": 'import * as tf from "@tensorflow/tfjs";\nexport const c = 2;\n',
  "stages/other.ts": "export const unrelated = 1;\n",
};

Deno.test("CodeHasher.info() follows local imports and records npm versions", () => {
  const dir = project(files);
  const info = new CodeHasher(dir).info(toFileUrl(join(dir, "stages/a.ts")));
  assert.deepEqual(info.files, ["stages/a.ts", "stages/c.ts", "stages/lib/b.ts"]);
  assert.deepEqual(info.deps, { "@tensorflow/tfjs": "4.22.0", vega: "6.4.0" });
});

Deno.test("CodeHasher.info() hash changes when an imported module changes, not an unrelated one", () => {
  const dir = project(files);
  const h0 = new CodeHasher(dir).info(join(dir, "stages/a.ts")).hash;
  Deno.writeTextFileSync(join(dir, "stages/other.ts"), "export const unrelated = 2;\n");
  assert.equal(new CodeHasher(dir).info(join(dir, "stages/a.ts")).hash, h0);
  Deno.writeTextFileSync(join(dir, "stages/c.ts"), files["stages/c.ts"] + "// changed\n");
  assert.notEqual(new CodeHasher(dir).info(join(dir, "stages/a.ts")).hash, h0);
});

Deno.test("CodeHasher.info() gives the same hash wherever the project is checked out", () => {
  const a = project(files), b = project(files);
  assert.equal(
    new CodeHasher(a).info(join(a, "stages/a.ts")).hash,
    new CodeHasher(b).info(join(b, "stages/a.ts")).hash,
  );
});

Deno.test("CodeHasher.info() sees a dependency version change in deno.json", () => {
  const dir = project(files);
  const before = new CodeHasher(dir).info(join(dir, "stages/a.ts")).deps;
  Deno.writeTextFileSync(join(dir, "deno.json"), files["deno.json"].replace("6.4.0", "6.5.0"));
  const after = new CodeHasher(dir).info(join(dir, "stages/a.ts")).deps;
  assert.equal(before.vega, "6.4.0");
  assert.equal(after.vega, "6.5.0");
});

Deno.test("CodeHasher.info() counts a worker script loaded with new URL(…, import.meta.url)", () => {
  const dir = project({
    ...files,
    "stages/c.ts": 'const w = new URL("./work/w.ts", import.meta.url);\nexport const c = 2;\n',
    "stages/work/w.ts": 'import { b } from "../lib/b.ts";\nself.postMessage(b);\n',
  });
  const info = new CodeHasher(dir).info(join(dir, "stages/a.ts"));
  assert.ok(info.files.includes("stages/work/w.ts"), JSON.stringify(info.files));
});

Deno.test("CodeHasher.info() with further modules covers their code too; alone, it is unchanged", () => {
  const dir = project(files);
  const hasher = new CodeHasher(dir);
  const alone = hasher.info(join(dir, "stages/other.ts"));
  const both = hasher.info(join(dir, "stages/other.ts"), join(dir, "stages/c.ts"));
  assert.deepEqual(both.files, ["stages/c.ts", "stages/other.ts"]);
  assert.deepEqual(both.deps, { "@tensorflow/tfjs": "4.22.0" });
  assert.notEqual(both.hash, alone.hash);
  assert.equal(new CodeHasher(dir).info(join(dir, "stages/other.ts")).hash, alone.hash);
  Deno.writeTextFileSync(join(dir, "stages/c.ts"), files["stages/c.ts"] + "// changed\n");
  const after = new CodeHasher(dir).info(join(dir, "stages/other.ts"), join(dir, "stages/c.ts"));
  assert.notEqual(after.hash, both.hash);
});
