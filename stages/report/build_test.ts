import assert from "node:assert/strict";
import { CATALOGUE } from "../../paper/catalogue.ts";
import { check } from "../../lib/common/checks.ts";
import { notAvailableCheck } from "../../lib/common/not_available.ts";
import { buildReport, itemStatus, partialBanner } from "./build.ts";
import type { ReportItem, StageEntry } from "./model.ts";
import { collectFixture } from "./_fixture.ts";

function findItem(report: ReturnType<typeof buildReport>, id: string): ReportItem {
  for (const section of report.sections) {
    const found = section.items.find((it) => it.id === id);
    if (found) return found;
  }
  throw new Error(`item ${id} not in report`);
}

function entry(id: string, checks = [check(id, "c", 1, ">=", 0)]): StageEntry {
  return {
    id,
    checks,
    figures: [{ stage: id, file: "figure.png", name: `${id}--figure.png`, mime: "image/png" }],
    tables: [],
    provenance: { stage: id, manifest: true, profile: "paper" },
    errors: [],
    notes: [],
  };
}

Deno.test("buildReport() gives every catalogue item a verdict and counts them", async () => {
  const { root, entries } = await collectFixture("quick");
  try {
    const report = buildReport(entries, { profile: "quick" });
    assert.equal(report.quick, true);
    assert.match(report.title, /\(quick profile\)$/);
    assert.equal(findItem(report, "ae-d1").status, "pass");
    assert.equal(findItem(report, "latent").status, "pass");
    assert.equal(findItem(report, "hole").status, "fail");
    assert.equal(findItem(report, "weights").status, "reported");
    assert.equal(findItem(report, "arch").status, "reported");
    assert.equal(findItem(report, "airy").status, "error");
    assert.equal(findItem(report, "dcgan").status, "missing");
    assert.equal(findItem(report, "mystery").status, "reported");
    assert.equal(findItem(report, "hole").checks[0].quick, true);
    const catalogued = report.sections.filter((s) => s.id !== "other")
      .flatMap((s) => s.items.map((it) => it.id));
    assert.deepEqual(catalogued, CATALOGUE.map((c) => c.id));
    assert.deepEqual(report.counts, {
      pass: 4,
      fail: 1,
      reported: 3,
      missing: 17,
      error: 1,
      unavailable: 0,
    });
    assert.equal(report.finished, "2025-01-01T11:06:40.000Z");
    assert.deepEqual(report.backends, ["cpu"]);
    assert.ok(report.unreproducible.length >= 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildReport() on the paper profile has no quick flag", () => {
  const report = buildReport([entry("ae-d1")], { profile: "paper" });
  assert.equal(report.quick, false);
  assert.doesNotMatch(report.title, /quick/);
  assert.equal(findItem(report, "ae-d1").checks[0].quick, false);
});

Deno.test("buildReport() files a helper stage's checks under their items, once per figure", () => {
  // A helper stage (not any item's own stage) that checks two items, and an item stage that
  // also checks another item: figures stay with their own item.
  const helper = entry("disk-train", [
    check("nobias", "homogeneity", 1e-7, "<=", 1e-5),
    check("h-vs-z", "pearson", 0.999, ">=", 0.99),
  ]);
  const airy = entry("airy", [
    check("airy", "d", 0.05, "<=", 0.1),
    check("nobias", "x", 1, ">", 0),
  ]);
  const report = buildReport([helper, airy], { profile: "paper" });
  const nobias = findItem(report, "nobias");
  assert.equal(nobias.status, "pass");
  assert.deepEqual(nobias.checks.map((c) => c.stage), ["disk-train", "airy"]);
  assert.deepEqual(nobias.figures.map((f) => f.stage), ["disk-train"]);
  assert.deepEqual(findItem(report, "airy").figures.map((f) => f.stage), ["airy"]);
  assert.equal(report.sections.some((s) => s.id === "other"), false);
});

Deno.test("buildReport() notes an item stage that produced no figure", () => {
  const bare = { ...entry("ae-d1"), figures: [] };
  const item = findItem(buildReport([bare], { profile: "paper" }), "ae-d1");
  assert.match(item.notes[0], /produced no figure \(expected figure.png\)/);
});

Deno.test("buildReport() lists the backends of compute stages only", () => {
  const on = (id: string, backend: string, adapter?: string): StageEntry => ({
    ...entry(id),
    provenance: { stage: id, manifest: true, profile: "paper", backend, adapter },
  });
  const report = buildReport(
    [on("arch", "none"), on("ae-d1", "webgpu", "H100"), on("latent", "webgpu")],
    { profile: "paper" },
  );
  assert.deepEqual(report.backends, ["webgpu", "webgpu (H100)"]);
});

Deno.test("buildReport() names the stages a partial run left out, under their items", () => {
  const report = buildReport([entry("reg")], { profile: "paper", leftOut: ["reg-talk", "dcgan"] });
  assert.deepEqual(report.leftOut, ["reg-talk", "dcgan"]);
  assert.match(report.title, /\(partial\)$/);
  const reg = findItem(report, "reg");
  assert.equal(reg.status, "pass");
  assert.match(
    reg.notes.join("\n"),
    /helper stage "reg-talk" has no up-to-date result in the paper/,
  );
  const dcgan = findItem(report, "dcgan");
  assert.equal(dcgan.status, "missing");
  assert.match(dcgan.notes.join("\n"), /stage "dcgan" has no up-to-date result in the paper/);
  assert.equal(
    partialBanner(report),
    "This report was made by `reproduce --partial` from the stages that were up to date in " +
      "the paper profile. 2 stages had no up-to-date result and are left out: reg-talk, dcgan. " +
      "Their items read “not yet reproduced”, and the items they help lack their checks.",
  );
  // A whole report has no banner, no list and no notes of the kind.
  const whole = buildReport([entry("reg")], { profile: "paper" });
  assert.equal(partialBanner(whole), null);
  assert.equal("leftOut" in whole, false);
  assert.deepEqual(findItem(whole, "reg").notes, []);
});

Deno.test("itemStatus() ranks missing, fail, error, pass, reported", () => {
  const pass = { ...check("a", "c", 1, ">=", 0), stage: "a", quick: false };
  const fail = { ...check("a", "c", 0, ">=", 1), stage: "a", quick: false };
  const rep = { ...check("a", "c", 1, "report", null), stage: "a", quick: false };
  assert.equal(itemStatus(false, [], []), "missing");
  assert.equal(itemStatus(true, [pass, fail], ["e"]), "fail");
  assert.equal(itemStatus(true, [pass], ["e"]), "error");
  assert.equal(itemStatus(true, [pass, rep], []), "pass");
  assert.equal(itemStatus(true, [rep], []), "reported");
  assert.equal(itemStatus(true, [], []), "reported");
});

Deno.test("buildReport() puts the training stage in its own section, out of the counts", () => {
  const training = { ...entry("training-curves", []), provenance: { stage: "t", manifest: false } };
  const plain = buildReport([entry("ae-d1")], { profile: "paper" });
  const report = buildReport([entry("ae-d1")], { profile: "paper", training });
  assert.equal(plain.training, undefined);
  assert.deepEqual(report.counts, plain.counts);
  assert.deepEqual(report.sections, plain.sections);
  assert.equal(report.training?.title, "Training");
  assert.deepEqual(report.training?.figures.map((f) => f.name), ["training-curves--figure.png"]);
});

Deno.test("buildReport(): an item whose checks all say 'not available' is unavailable, not an error", () => {
  const na = notAvailableCheck("authors-model", "checks on the authors' model", "no file at x.h5");
  // Without its weights the stage writes no figure, and none is expected.
  const bare = { ...entry("authors-model", [na]), figures: [] };
  const report = buildReport([bare], { profile: "paper" });
  assert.equal(findItem(report, "authors-model").status, "unavailable");
  assert.equal(report.counts.unavailable, 1);
  assert.equal(report.counts.error, 0);
  assert.deepEqual(findItem(report, "authors-model").notes, []);
  // A measured check beside it makes the item an ordinary one again.
  const mixed = buildReport(
    [entry("authors-model", [na, check("authors-model", "IoU", 0.95, ">=", 0.9)])],
    { profile: "paper" },
  );
  assert.equal(findItem(mixed, "authors-model").status, "pass");
});
