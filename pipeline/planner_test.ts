import assert from "node:assert/strict";
import { keyOf } from "./key.ts";
import { Planner } from "./planner.ts";
import { defineStage } from "./stage.ts";
import { join, toFileUrl } from "./test_util.ts";

const stage = defineStage({
  id: "ext",
  description: "reads a file from outside the DAG",
  module: import.meta.url,
  params: { path: { type: "string", default: "weights.bin", doc: "the external file" } },
  externalFiles: ["path"],
  inputs: {},
  outputs: ["out.json"],
  async run() {},
});

function plannerAt(root: string): Planner {
  return new Planner(root, {
    profile: "paper",
    backend: "cpu",
    overrides: [],
    deno: "2.9.6",
    projectRoot: root,
  });
}

Deno.test("Planner keys an external file by its content, and an absent one as absent", () => {
  const root = Deno.makeTempDirSync();
  try {
    // The stage's module must lie under the code root for the code hash.
    Deno.writeTextFileSync(join(root, "stage.ts"), "export {};\n");
    const s = { ...stage, module: toFileUrl(join(root, "stage.ts")) };
    const absent = plannerAt(root).parts(s, {});
    assert.deepEqual(absent.external, { path: "absent" });
    assert.deepEqual(plannerAt(root).externalPaths(s), { path: join(root, "weights.bin") });

    Deno.writeFileSync(join(root, "weights.bin"), new Uint8Array([1, 2, 3]));
    const one = plannerAt(root).parts(s, {});
    assert.equal(
      one.external?.path,
      "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81",
    );
    Deno.writeFileSync(join(root, "weights.bin"), new Uint8Array([1, 2, 4]));
    const two = plannerAt(root).parts(s, {});
    assert.notEqual(keyOf(two), keyOf(one));
    assert.notEqual(keyOf(one), keyOf(absent));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("Planner leaves the key parts of a stage without external files as they were", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(join(root, "stage.ts"), "export {};\n");
    const s = { ...stage, module: toFileUrl(join(root, "stage.ts")), externalFiles: undefined };
    assert.equal("external" in plannerAt(root).parts(s, {}), false);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
