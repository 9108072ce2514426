import assert from "node:assert/strict";
import { join } from "node:path";
import type { Context, Rng } from "../../pipeline/stage.ts";
import { makeReportStage, REPORT_OUTPUTS } from "./stage.ts";
import type { Report } from "./model.ts";
import { writeFixtureCache, writeTrainingFixture } from "./_fixture.ts";

/** A generator that must not be used: the report draws no random numbers. */
const NO_RNG: Rng = {
  next: () => {
    throw new Error("the report stage draws no random numbers");
  },
  nextUint32: () => {
    throw new Error("the report stage draws no random numbers");
  },
  normal: () => {
    throw new Error("the report stage draws no random numbers");
  },
  fork: () => NO_RNG,
  seed: 0,
};

function context(
  inputs: Record<string, string>,
  outDir: string,
  profile: string,
  params: Record<string, string> = {},
): Context {
  return {
    id: "report",
    params,
    profile,
    backend: "cpu",
    threads: 1,
    inputs,
    outDir,
    outPath: (name) => join(outDir, name),
    scratchDir: outDir,
    rng: NO_RNG,
    log: () => {},
    progress: () => {},
    record: () => {},
  };
}

Deno.test("makeReportStage() declares one checks.json input per stage and flat outputs", () => {
  const stage = makeReportStage(["ae-d1", "h-vs-z"]);
  assert.equal(stage.id, "report");
  assert.deepEqual(stage.inputs, { "ae-d1": "ae-d1:checks.json", "h-vs-z": "h-vs-z:checks.json" });
  assert.deepEqual(stage.outputs, ["index.html", "REPORT.md", "report.json"]);
  for (const name of stage.outputs) assert.doesNotMatch(name, /[\/\\]/);
  assert.equal(stage.module, new URL("./stage.ts", import.meta.url).href);
});

Deno.test("makeReportStage() refuses bad, duplicate or self ids", () => {
  assert.throws(() => makeReportStage(["Bad_Id"]), /Cannot make the report stage over "Bad_Id"/);
  assert.throws(() => makeReportStage(["a", "a"]), /listed twice/);
  assert.throws(() => makeReportStage(["report"]), /cannot report on itself/);
  assert.throws(
    () => makeReportStage(["a"], { training: { stage: "a", file: "curves.md" } }),
    /over "a": it is listed twice/,
  );
});

Deno.test("makeReportStage() reads the training stage through one of its outputs", () => {
  const stage = makeReportStage(["ae-d1"], {
    training: { stage: "training-curves", file: "curves.md" },
  });
  assert.deepEqual(stage.inputs, {
    "ae-d1": "ae-d1:checks.json",
    "training-curves": "training-curves:curves.md",
  });
});

Deno.test("report stage run() copies the training curves beside the report", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_stage_" });
  try {
    const inputs = await writeFixtureCache(root);
    inputs["training-curves"] = await writeTrainingFixture(root);
    const outDir = join(root, "out");
    await Deno.mkdir(outDir);
    const ids = Object.keys(inputs).filter((id) => id !== "training-curves");
    const stage = makeReportStage(ids, {
      training: { stage: "training-curves", file: "curves.md" },
    });
    await stage.run(context(inputs, outDir, "quick"));
    const files = [...Deno.readDirSync(outDir)].map((e) => e.name);
    assert.ok(files.includes("training-curves--figure.png"));
    assert.ok(files.includes("training-curves--curves.md"));
    const report = JSON.parse(await Deno.readTextFile(join(outDir, "report.json"))) as Report;
    assert.deepEqual(report.training?.errors, []);
    assert.match(await Deno.readTextFile(join(outDir, "REPORT.md")), /\n## Training\n/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("report stage run() writes the HTML, Markdown, JSON and figure copies", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_stage_" });
  try {
    const inputs = await writeFixtureCache(root);
    const outDir = join(root, "out");
    await Deno.mkdir(outDir);
    // "dcgan" is listed but the engine gave no path (`reproduce --partial`): the report runs
    // without it and names it.
    const stage = makeReportStage([...Object.keys(inputs), "dcgan"]);
    await stage.run(context(inputs, outDir, "quick"));
    for (const name of REPORT_OUTPUTS) assert.ok((await Deno.stat(join(outDir, name))).size > 0);
    const report = JSON.parse(await Deno.readTextFile(join(outDir, "report.json"))) as Report;
    assert.equal(report.quick, true);
    assert.equal(report.counts.fail, 1);
    const files = [...Deno.readDirSync(outDir)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "REPORT.md",
      "ae-d1--figure.png",
      "arch--figure.svg",
      "hole--figure.png",
      "index.html",
      "latent--figure.png",
      "latent--radius_vs_z.png",
      "nav-pca--figure.png",
      "report.json",
      "table2--figure.png",
      "table2--table.md",
      "weights--figure.png",
    ]);
    const md = await Deno.readTextFile(join(outDir, "REPORT.md"));
    for (const m of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      assert.ok(files.includes(decodeURI(m[1])), `REPORT.md links a missing file ${m[1]}`);
    }
    const dcgan = report.sections.flatMap((s) => s.items).find((it) => it.id === "dcgan");
    assert.equal(dcgan?.status, "missing");
    assert.match(dcgan?.notes[0] ?? "", /stage "dcgan" has no up-to-date result in the quick/);
    assert.deepEqual(report.leftOut, ["dcgan"]);
    assert.match(report.title, /\(quick profile, partial\)$/);
    assert.match(
      md,
      /^> \*\*Partial report\.\*\* .* 1 stage had no up-to-date result and is left out: `dcgan`\./m,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("report stage run() of a quick run sets its verdicts against a paper-scale run's", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_stage_" });
  try {
    const inputs = await writeFixtureCache(root);
    const outDir = join(root, "out");
    await Deno.mkdir(outDir);
    const stage = makeReportStage(Object.keys(inputs));
    // A paper-scale run whose report says the opposite of the quick one's every decided item.
    await stage.run(context(inputs, outDir, "quick"));
    const quick = JSON.parse(await Deno.readTextFile(join(outDir, "report.json"))) as Report;
    assert.equal(quick.againstPaperScale, undefined, "no comparison without a paper-scale run");
    const flipped = {
      ...quick,
      profile: "paper",
      sections: quick.sections.map((s) => ({
        ...s,
        items: s.items.map((it) => ({
          ...it,
          status: it.status === "pass" ? "fail" : it.status === "fail" ? "pass" : it.status,
        })),
      })),
    };
    const paperRun = join(root, "paper-report.json");
    await Deno.writeTextFile(paperRun, JSON.stringify(flipped));
    await stage.run(context(inputs, outDir, "quick", { paperScaleRun: paperRun }));
    const report = JSON.parse(await Deno.readTextFile(join(outDir, "report.json"))) as Report;
    const rows = report.againstPaperScale?.rows ?? [];
    assert.ok(rows.length >= 2, `only ${rows.length} decided items in the fixture`);
    assert.ok(rows.every((r) => r.quick !== r.paperScale));
    assert.match(
      await Deno.readTextFile(join(outDir, "REPORT.md")),
      /\n## Quick profile against the paper-scale run\n\nVerdicts of this quick run beside those .*: 0 of \d+ items decided in both agree/,
    );
    assert.match(
      await Deno.readTextFile(join(outDir, "index.html")),
      /<h2>Quick profile against the paper-scale run<\/h2>/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
