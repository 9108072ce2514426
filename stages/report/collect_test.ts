import assert from "node:assert/strict";
import { join } from "node:path";
import { check } from "../../lib/common/checks.ts";
import { collectOutputs, collectStage, reportFileName } from "./collect.ts";
import {
  curvePng,
  fixtureStages,
  TRAINING_TABLE,
  writeFixtureCache,
  writeTrainingFixture,
} from "./_fixture.ts";

async function withFixture(fn: (inputs: Record<string, string>) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "report_collect_" });
  try {
    await fn(await writeFixtureCache(root, fixtureStages("paper")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("collectStage() reads checks, manifest and figures, a PNG hiding its SVG", async () => {
  await withFixture(async (inputs) => {
    const { entry, images } = await collectStage("ae-d1", inputs["ae-d1"]);
    assert.equal(entry.checks.length, 1);
    assert.equal(entry.checks[0].pass, true);
    assert.deepEqual(entry.errors, []);
    assert.equal(entry.provenance.profile, "paper");
    assert.deepEqual(entry.provenance.seeds, { rng: 20190403 });
    assert.deepEqual(entry.figures.map((f) => f.file), ["figure.png"]);
    assert.equal(entry.figures[0].name, "ae-d1--figure.png");
    assert.equal(entry.figures[0].width, 5 * 128 + 4 * 8);
    assert.ok(images.get("ae-d1--figure.png")!.length > 100);
  });
});

Deno.test("collectStage() keeps SVG figures that have no PNG, and Markdown tables", async () => {
  await withFixture(async (inputs) => {
    const arch = await collectStage("arch", inputs["arch"]);
    assert.deepEqual(arch.entry.figures.map((f) => [f.file, f.mime, f.width, f.height]), [
      ["figure.svg", "image/svg+xml", 360, 120],
    ]);
    const table2 = await collectStage("table2", inputs["table2"]);
    assert.equal(table2.entry.tables.length, 1);
    assert.match(table2.entry.tables[0].markdown, /\| u\(1\) \|/);
  });
});

Deno.test("collectStage() turns unreadable results into errors, not exceptions", async () => {
  await withFixture(async (inputs) => {
    const airy = await collectStage("airy", inputs["airy"]);
    assert.equal(airy.entry.checks.length, 0);
    assert.match(airy.entry.errors[0], /checks.json is not valid JSON/);
    const weights = await collectStage("weights", inputs["weights"]);
    assert.equal(weights.entry.provenance.manifest, false);
    assert.deepEqual(weights.entry.errors, []);
  });
  const none = await collectStage("dec", undefined);
  assert.match(none.entry.errors[0], /no checks.json was given for stage "dec"/);
  const gone = await collectStage("dec", join(Deno.cwd(), "no", "such", "checks.json"));
  assert.match(gone.entry.errors[0], /checks.json is missing/);
});

Deno.test("collectStage() shows the catalogue's figures first, then the others by name", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_collect_" });
  try {
    const inputs = await writeFixtureCache(root, [{
      id: "ae-d1",
      key: "k",
      checks: [check("ae-d1", "c", 1, ">=", 0)],
      files: { "a_first.png": curvePng(20, 10), "figure.png": curvePng(30, 10), "broken.png": "x" },
      manifest: null,
    }]);
    const { entry } = await collectStage("ae-d1", inputs["ae-d1"]);
    assert.deepEqual(entry.figures.map((f) => f.file), ["figure.png", "a_first.png"]);
    assert.match(entry.errors[0], /broken.png is not a valid PNG/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("reportFileName() joins stage and file with a double dash", () => {
  assert.equal(reportFileName("h-vs-z", "figure.png"), "h-vs-z--figure.png");
});

Deno.test("collectOutputs() reads the figures, tables and manifest of a stage without checks", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_collect_" });
  try {
    const { entry, images } = await collectOutputs(
      "training-curves",
      await writeTrainingFixture(root),
    );
    assert.deepEqual(entry.errors, []);
    assert.deepEqual(entry.checks, []);
    assert.deepEqual(entry.figures.map((f) => f.name), ["training-curves--figure.png"]);
    assert.deepEqual(entry.tables.map((t) => [t.name, t.markdown]), [
      ["training-curves--curves.md", TRAINING_TABLE],
    ]);
    assert.equal(entry.provenance.profile, "quick");
    assert.deepEqual([...images.keys()], ["training-curves--figure.png"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const none = await collectOutputs("training-curves", undefined);
  assert.match(none.entry.errors[0], /no output was given for stage "training-curves"/);
});
