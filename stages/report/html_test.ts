import assert from "node:assert/strict";
import { check } from "../../lib/common/checks.ts";
import { notAvailableCheck } from "../../lib/common/not_available.ts";
import { buildReport, QUICK_CAVEAT } from "./build.ts";
import { renderHtml } from "./html.ts";
import type { StageEntry } from "./model.ts";
import { collectOutputs } from "./collect.ts";
import { collectFixture, writeTrainingFixture } from "./_fixture.ts";

async function fixtureHtml(profile: string, testMode = false) {
  const { root, entries, images } = await collectFixture(profile);
  await Deno.remove(root, { recursive: true });
  const report = buildReport(entries, { profile });
  return { html: renderHtml(report, { images, testMode }), report, images };
}

Deno.test("renderHtml() makes one self-contained file: figures inlined, nothing fetched", async () => {
  const { html, images } = await fixtureHtml("quick");
  const sources = [...html.matchAll(/<img [^>]*src="([^"]*)"/g)].map((m) => m[1]);
  assert.equal(sources.length, images.size);
  for (const src of sources) assert.match(src, /^data:image\/(png|svg\+xml);base64,/);
  // No external resource of any kind: no URL in src/href, no stylesheet or script link.
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.doesNotMatch(html, /<link\b|@import|url\(/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data: 'self'/);
  assert.doesNotMatch(html, /<script/);
});

Deno.test("renderHtml() shows verdicts, measured values, provenance and the quick caveat", async () => {
  const { html } = await fixtureHtml("quick");
  assert.match(html, /<title>Reproduction report: .*\(quick profile\)<\/title>/);
  assert.match(html, /class="banner"><strong>Quick profile\.<\/strong>/);
  assert.match(html, /<article class="item pass" id="item-ae-d1">/);
  assert.match(html, /<article class="item fail" id="item-hole">/);
  assert.match(html, /<article class="item missing" id="item-dcgan">/);
  assert.match(html, /<article class="item error" id="item-airy">/);
  assert.match(html, /<td class="num">0\.9623<\/td><td class="num">≥ 0\.9<\/td>/);
  assert.match(html, /key <code title="0f1e2d3c4b5a69788796a5b4c3d2e1f0">0f1e2d3c<\/code>/);
  assert.match(html, /seed rng 20190403/);
  assert.match(html, /ran 12 min 34 s/);
  // The caveat is attached to the failing check only (one failure in the fixture).
  assert.equal(html.split(QUICK_CAVEAT).length - 1, 1);
  assert.match(html, /Kept on the list, not reproduced here/);
  assert.match(html, /ABIDE/);
  assert.match(html, /<table class="data">/); // table2's Markdown table
});

Deno.test("renderHtml() on the paper profile has no quick banner or caveat", async () => {
  const { html } = await fixtureHtml("paper");
  assert.doesNotMatch(html, /quick profile/i);
  assert.doesNotMatch(html, /class="banner"/);
});

Deno.test("renderHtml() is deterministic", async () => {
  const a = await fixtureHtml("quick");
  const b = await fixtureHtml("quick");
  assert.equal(a.html, b.html);
});

Deno.test("renderHtml() escapes what stages write", () => {
  const hostile: StageEntry = {
    id: "ae-d1",
    checks: [check("ae-d1", `<img src=x onerror="alert(1)">`, 1, ">=", 0, { "<k>": "<v>" })],
    figures: [],
    tables: [],
    provenance: { stage: "ae-d1", manifest: true, key: `"><script>`, params: { a: "<b>" } },
    errors: ["<err>"],
    notes: [],
  };
  const html = renderHtml(buildReport([hostile], { profile: "paper" }));
  assert.doesNotMatch(html, /<img src=x|<script>|<err>|<k>|<b>/);
  assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
});

Deno.test("renderHtml() links figures without bytes to their copies beside the report", async () => {
  const { report } = await fixtureHtml("paper");
  const html = renderHtml(report);
  assert.match(html, /<img src="ae-d1--figure.png" alt="ae-d1\/figure.png" width="672"/);
});

Deno.test("renderHtml() in test mode adds the image probe and allows only inline script", async () => {
  const { html } = await fixtureHtml("quick", true);
  assert.match(html, /script-src 'unsafe-inline'/);
  assert.match(html, /data-images-ok/);
});

Deno.test("renderHtml() embeds the training curves and their table in a section", async () => {
  const { root, entries, images } = await collectFixture("quick");
  try {
    const training = await collectOutputs("training-curves", await writeTrainingFixture(root));
    for (const [name, bytes] of training.images) images.set(name, bytes);
    const report = buildReport(entries, { profile: "quick", training: training.entry });
    const html = renderHtml(report, { images });
    const start = html.indexOf(`<section id="section-training">`);
    assert.ok(start > 0 && start < html.indexOf(`<section id="out-of-reach">`));
    const section = html.slice(start, html.indexOf("</section>", start));
    assert.match(section, /<h2>Training<\/h2>/);
    assert.match(
      section,
      /<img src="data:image\/png;base64,[^"]+" alt="training-curves\/figure.png"/,
    );
    assert.match(section, /<table class="data">.*<code>train-ae<\/code>/s);
    assert.match(section, /stage <code>training-curves<\/code>/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("renderHtml() marks an item whose weights are absent 'not available', with the reason", () => {
  const entry: StageEntry = {
    id: "authors-model",
    checks: [notAvailableCheck("authors-model", "checks on the authors' model", "no file at x.h5")],
    figures: [],
    tables: [],
    provenance: { stage: "authors-model", manifest: true, profile: "paper" },
    errors: [],
    notes: [],
  };
  const html = renderHtml(buildReport([entry], { profile: "paper" }));
  assert.match(html, /<article class="item unavailable" id="item-authors-model">/);
  assert.match(html, /<p><em>Not available: no file at x\.h5\.<\/em><\/p>/);
  assert.match(html, /<span class="badge unavailable">not available<\/span>&nbsp;1/);
});
