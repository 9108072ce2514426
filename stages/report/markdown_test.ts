import assert from "node:assert/strict";
import { CATALOGUE } from "../../paper/catalogue.ts";
import { notAvailableCheck } from "../../lib/common/not_available.ts";
import { buildReport, QUICK_CAVEAT } from "./build.ts";
import { provenanceLine, renderMarkdown } from "./markdown.ts";
import { collectOutputs } from "./collect.ts";
import { collectFixture, writeTrainingFixture } from "./_fixture.ts";

async function fixtureMarkdown(profile: string) {
  const { root, entries } = await collectFixture(profile);
  await Deno.remove(root, { recursive: true });
  return renderMarkdown(buildReport(entries, { profile }));
}

Deno.test("renderMarkdown() writes title, summary rows for every item, and verdicts", async () => {
  const md = await fixtureMarkdown("quick");
  assert.match(md, /^# Reproduction report: .*\(quick profile\)\n/);
  assert.match(md, /> \*\*Quick profile\.\*\*/);
  const summary = md.slice(
    md.indexOf("## Summary"),
    md.indexOf("\n## ", md.indexOf("## Summary") + 1),
  );
  for (const c of CATALOGUE) assert.ok(summary.includes(`| \`${c.id}\` |`), `no row for ${c.id}`);
  assert.match(summary, /\| `ae-d1` \| P-Fig 2, S11 \| .* \| 0\.9623 \| ≥ 0\.9 \| PASS \|/);
  assert.match(summary, /\| `hole` \| .* \| 2\.134 \| ≥ 3 \| \*\*FAIL\*\* \|/);
  assert.match(summary, /\| `dcgan` \| .* \| not yet reproduced \|/);
  assert.match(md, /- Items: 4 pass, 1 fail, 3 reported, 1 error, 17 not yet reproduced\n/);
});

Deno.test("renderMarkdown() references the figure copies and includes stage tables", async () => {
  const md = await fixtureMarkdown("quick");
  assert.match(md, /!\[ae-d1\/figure.png\]\(ae-d1--figure.png\)/);
  assert.match(md, /!\[arch\/figure.svg\]\(arch--figure.svg\)/);
  assert.match(md, /\| \[1,0,0,0,0,0,0,0\] \| \[2,0,0,0\] \| \[4,0\] \| 8 \|/);
  assert.equal(md.split(QUICK_CAVEAT).length - 1, 1);
  assert.match(md, /## Kept on the list, not reproduced here/);
});

Deno.test("renderMarkdown() on the paper profile does not mention the quick profile", async () => {
  assert.doesNotMatch(await fixtureMarkdown("paper"), /quick profile/i);
});

Deno.test("provenanceLine() lists what the manifest says", () => {
  assert.equal(
    provenanceLine({
      stage: "s",
      manifest: true,
      key: "0123456789",
      profile: "paper",
      backend: "webgpu",
      adapter: "H100",
      seeds: { rng: 3 },
      durationMs: 1500,
    }),
    "stage `s` · key `01234567` · profile paper · backend webgpu · adapter H100 · seed rng 3 · " +
      "ran 1.5 s",
  );
  assert.equal(
    provenanceLine({ stage: "s", manifest: false }),
    "stage `s` · no cache manifest found",
  );
});

Deno.test("renderMarkdown() shows the training curves in a section after the items", async () => {
  const { root, entries } = await collectFixture("quick");
  try {
    const training = await collectOutputs("training-curves", await writeTrainingFixture(root));
    const md = renderMarkdown(buildReport(entries, { profile: "quick", training: training.entry }));
    const section = md.slice(md.indexOf("\n## Training\n"), md.indexOf("\n## Kept on the list"));
    assert.ok(section.length > 0, "no Training section before the list of items out of reach");
    assert.match(section, /Nothing here is a claim of the paper/);
    assert.match(section, /!\[training-curves\/figure.png\]\(training-curves--figure.png\)/);
    assert.match(section, /\| `train-ae` \| — \| total \| 0.4 \| 0.007 \|/);
    assert.match(section, /<sub>stage `training-curves` · key `7a7a7a7a`/);
    assert.doesNotMatch(md.slice(0, md.indexOf("\n## Training\n")), /training-curves/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("renderMarkdown() marks an item whose weights are absent 'not available', with the reason", () => {
  const entry = {
    id: "authors-model",
    checks: [notAvailableCheck("authors-model", "checks on the authors' model", "no file at x.h5")],
    figures: [],
    tables: [],
    provenance: { stage: "authors-model", manifest: true, profile: "paper" },
    errors: [],
    notes: [],
  };
  const md = renderMarkdown(buildReport([entry], { profile: "paper" }));
  assert.match(md, /\| `authors-model` \| .* \| — \| — \| not available \|/);
  assert.match(md, /### `authors-model` — .* \(not available\)/);
  assert.match(md, /\*Not available: no file at x\.h5\.\*/);
  assert.match(md, /- Items: .*, 1 not available\n/);
  assert.doesNotMatch(md, /ERROR/);
});
