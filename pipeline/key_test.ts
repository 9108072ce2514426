import assert from "node:assert/strict";
import { explainChange, KEY_RECIPE, keyOf } from "./key.ts";
import type { KeyParts } from "./key.ts";

const base: KeyParts = {
  recipe: KEY_RECIPE,
  stage: "ae-d1",
  profile: "paper",
  params: '{"steps":10000}',
  code: "c".repeat(64),
  files: { "stages/a.ts": "f".repeat(64) },
  deno: "2.9.6",
  deps: { "@tensorflow/tfjs": "4.22.0" },
  backend: "cpu",
  inputs: { images: "1".repeat(64) },
};

Deno.test("keyOf() matches the pinned recipe (golden value)", () => {
  // The recipe: sha256 of the parts (less `files`) as canonical JSON. This value was computed
  // independently, in Python: sha256(json.dumps(parts, sort_keys=True, separators=(",", ":"))).
  // If this fails, the key recipe changed: bump KEY_RECIPE and update this value on purpose.
  assert.equal(keyOf(base), "d6e8871e58cc8a62a36870c056e724b0db69ed3fdd75290de8ecfcfcd4b295bf");
});

Deno.test("keyOf() changes with every hashed part and not with the explanatory file list", () => {
  const k = keyOf(base);
  const variants: Partial<KeyParts>[] = [
    { stage: "nobias" },
    { profile: "quick" },
    { params: '{"steps":500}' },
    { code: "d".repeat(64) },
    { deno: "2.9.7" },
    { deps: { "@tensorflow/tfjs": "4.21.0" } },
    { backend: "webgpu" },
    { inputs: { images: "2".repeat(64) } },
    { recipe: KEY_RECIPE + 1 },
  ];
  for (const v of variants) assert.notEqual(keyOf({ ...base, ...v }), k, JSON.stringify(v));
  assert.equal(keyOf({ ...base, files: { "x.ts": "0" } }), k);
});

Deno.test("explainChange() names what changed", () => {
  const why = explainChange(base, {
    ...base,
    params: '{"steps":500}',
    code: "e".repeat(64),
    files: { "stages/a.ts": "0".repeat(64) },
    backend: "webgpu",
  });
  assert.deepEqual(why, ["params: steps 10000 → 500", "code: stages/a.ts", "backend cpu → webgpu"]);
  assert.deepEqual(explainChange(null, base), ["never built"]);
});

Deno.test("explainChange() under another profile names the parameters that moved with it", () => {
  const why = explainChange(base, {
    ...base,
    profile: "code",
    params: '{"alpha":0.05,"batchSize":64,"steps":10000}',
  });
  assert.deepEqual(why, [
    "profile paper → code",
    "params: 2 differ with the profile (alpha, batchSize)",
  ]);
});

Deno.test("explainChange() names up to 7 changed inputs, and counts the rest", () => {
  const inputs = (n: number, v: string) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`in${i}`, v.repeat(64)]));
  assert.deepEqual(
    explainChange({ ...base, inputs: inputs(7, "1") }, { ...base, inputs: inputs(7, "2") }),
    [
      "inputs: in0, in1, in2, in3, in4, in5, in6",
    ],
  );
  assert.deepEqual(
    explainChange({ ...base, inputs: inputs(60, "1") }, { ...base, inputs: inputs(60, "2") }),
    ["inputs: in0, in1, in2, in3, in4, in5 and 54 more"],
  );
});

Deno.test("keyOf() covers external files, and a stage without them keeps its key", () => {
  const k = keyOf(base);
  const withFile = keyOf({ ...base, external: { weightsPath: "a".repeat(64) } });
  assert.notEqual(withFile, k);
  assert.notEqual(keyOf({ ...base, external: { weightsPath: "absent" } }), withFile);
  assert.deepEqual(
    explainChange({ ...base, external: { weightsPath: "absent" } }, {
      ...base,
      external: { weightsPath: "a".repeat(64) },
    }),
    ["external files: weightsPath"],
  );
});
