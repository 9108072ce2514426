import assert from "node:assert/strict";
import { canonicalJson } from "./json.ts";
import { keyOf } from "./key.ts";
import type { KeyParts } from "./key.ts";
import { type Manifest, manifestProblem } from "./manifest.ts";

function sound(): Manifest {
  const params = { n: 3 };
  const parts: KeyParts = {
    recipe: 1,
    stage: "s",
    profile: "quick",
    params: canonicalJson(params),
    code: "c",
    files: { "a.ts": "h" },
    deno: "2.9.6",
    deps: {},
    backend: "cpu",
    inputs: { xs: "i".repeat(64) },
  };
  return {
    format: 1,
    stage: "s",
    key: keyOf(parts),
    parts,
    profile: "quick",
    backend: "cpu",
    adapter: null,
    params,
    inputs: { xs: { ref: "up:xs.json", sha256: "i".repeat(64) } },
    outputs: { "out.json": { sha256: "o".repeat(64), size: 2 } },
    seeds: { rng: 1 },
    started: "",
    finished: "",
    durationMs: 0,
    deno: "2.9.6",
    deps: {},
    records: {},
  };
}

Deno.test("manifestProblem() re-derives the key from the parts and holds the fields to them", () => {
  const m = sound();
  assert.equal(manifestProblem(m, "s", m.key), null);
  const forged: Array<[(m: Manifest) => void, RegExp]> = [
    [(m) => m.backend = "webgpu", /says backend "webgpu", its key backend "cpu"/],
    [(m) => m.profile = "paper", /says profile "paper"/],
    [(m) => m.params = { n: 4 }, /parameters that differ/],
    [(m) => m.parts.profile = "paper", /key parts that hash to \w+…, not its key/],
    [(m) => m.parts.backend = "webgpu", /key parts that hash to/],
    [(m) => m.inputs.xs.sha256 = "j".repeat(64), /input "xs" that differs from its key's/],
    [(m) => (m as { format: number }).format = 2, /format 2, newer than this version reads \(1\)/],
    [(m) => m.outputs = { "../x": { sha256: "", size: 0 } }, /names output "\.\.\/x"/],
    [(m) => (m as { parts: unknown }).parts = null, /has no key parts/],
  ];
  for (const [forge, re] of forged) {
    const f = sound();
    forge(f);
    assert.match(manifestProblem(f, "s", f.key) ?? "", re, re.source);
  }
  // The files behind the code hash explain changes; they are not part of the key.
  const files = sound();
  files.parts.files = {};
  assert.equal(manifestProblem(files, "s", files.key), null);
});
