/**
 * Rules of the layout that no type checker sees, checked by reading the sources, so that the
 * next drift fails here: one module saves and loads checkpoints (the training engine's loop),
 * one module starts compute backends (through the entry's hook), one factory makes every training
 * stage, the engine imports no library or experiment, and every option a stage factory is given
 * joins that stage's key.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CodeHasher } from "../pipeline/code_hash.ts";
import { stages } from "../stages/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every TypeScript source under `dirs`, relative to the root, tests and fixtures included. */
function sources(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(join(ROOT, d))) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".as.ts")) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

const isTest = (p: string) => p.endsWith("_test.ts") || p.startsWith("tests/");
const text = (p: string) => readFileSync(join(ROOT, p), "utf8");
/** Local import specifiers of a module, resolved relative to the root. */
function imports(p: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"'\n]+)["']/g;
  return [...text(p).matchAll(re)].map((m) =>
    relative(ROOT, join(ROOT, dirname(p), m[1])).split("\\").join("/")
  );
}

Deno.test("layout: only the training engine's loop saves and loads checkpoints", () => {
  const users = sources("lib", "stages", "bench", "tests", "pipeline")
    .filter((p) => !isTest(p) && imports(p).includes("lib/train/checkpoint.ts"));
  assert.deepEqual(users, ["lib/train/loop.ts"]);
});

Deno.test("layout: no stage or library starts a backend; the entry's compute hook does", () => {
  const starters = sources("lib", "stages")
    .filter((p) => !isTest(p) && /\b(initBackend|startCompute)\s*\(/.test(text(p)));
  assert.deepEqual(starters, ["lib/ml/backend.ts", "stages/main.ts"]);
});

Deno.test("layout: every training stage is made by the one training-stage factory", () => {
  // The factory marks a stage as training and writes its loss file; a stage marking itself
  // would skip the one loss format and the manifest's training facts.
  const markers = sources("lib", "stages", "bench")
    .filter((p) => !isTest(p) && /^\s*training:\s*true\s*,/m.test(text(p)));
  assert.deepEqual(markers, ["lib/train/training_stage.ts"]);
  const training = stages.filter((s) => s.training);
  assert.ok(training.length >= 40, `only ${training.length} training stages registered`);
  for (const s of training) {
    assert.equal(s.outputs.at(-1), "loss.json", `${s.id} does not end its outputs with loss.json`);
  }
});

Deno.test("layout: the engine (pipeline/) imports no library, experiment or benchmark", () => {
  for (const p of sources("pipeline").filter((p) => !isTest(p))) {
    for (const i of imports(p)) assert.ok(i.startsWith("pipeline/"), `${p} imports ${i}`);
  }
});

Deno.test("layout: no registered stage is keyed by a factory's module instead of the one defining it", () => {
  // A factory module hands its caller's module on (`module: o.module`): a stage whose module is
  // a factory would leave out of its key every option its definer passed (depths, shapes).
  const factories = new Set(
    sources("lib", "stages").filter((p) => !isTest(p) && /module: o\.module\b/.test(text(p))),
  );
  assert.ok(factories.size >= 3, `found only ${[...factories].join(", ")}`);
  for (const s of stages) {
    const file = relative(ROOT, fileURLToPath(s.module)).split("\\").join("/");
    assert.ok(!factories.has(file), `${s.id} is keyed by its factory ${file}`);
  }
});

Deno.test("layout: editing an option a definer passes to a factory (not a parameter) changes the key", () => {
  // The position encoder of P§5.2 gets its decoder's depths from stages/position/trainings.ts;
  // they are no parameter, so only the code part of the key can see them change.
  const stage = stages.find((s) => s.id === "train-pos-enc-ae")!;
  const tmp = Deno.makeTempDirSync();
  try {
    const files = new CodeHasher(ROOT).info(stage.module).files;
    for (const f of [...files, "deno.json"]) {
      mkdirSync(dirname(join(tmp, f)), { recursive: true });
      cpSync(join(ROOT, f), join(tmp, f));
    }
    const module = join(tmp, relative(ROOT, fileURLToPath(stage.module)));
    const before = new CodeHasher(tmp).info(module).hash;
    const defs = readFileSync(module, "utf8");
    const edited = defs.replace("decoderDepths: [1, 2, 4, 4, 4, 8, 1]", "decoderDepths: [1, 2, 4]");
    assert.notEqual(edited, defs, "the decoder depths of train-pos-enc-ae moved; update this test");
    writeFileSync(module, edited);
    assert.notEqual(new CodeHasher(tmp).info(module).hash, before);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test("layout: no module imports itself back through others (type imports included)", () => {
  const files = sources("pipeline", "lib", "stages", "bench").filter((p) => !isTest(p));
  const graph = new Map(files.map((p) => [p, imports(p).filter((i) => files.includes(i))]));
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (p: string, path: string[]) => {
    if (state.get(p) === "done") return;
    if (state.get(p) === "open") {
      cycles.push([...path.slice(path.indexOf(p)), p].join(" → "));
      return;
    }
    state.set(p, "open");
    for (const q of graph.get(p) ?? []) visit(q, [...path, p]);
    state.set(p, "done");
  };
  for (const p of files) visit(p, []);
  assert.deepEqual(cycles, []);
});
