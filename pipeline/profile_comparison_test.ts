import assert from "node:assert/strict";
import { join } from "node:path";
import { Layout } from "./layout.ts";
import {
  compareProfiles,
  comparisonHtml,
  comparisonMarkdown,
  comparisonSummary,
  verdictOf,
} from "./profile_comparison.ts";

/** Writes `figures/<profile>/<item>/checks.json` (and a figure) in a temporary project. */
function write(layout: Layout, profile: string, item: string, passes: (boolean | null)[]) {
  const dir = join(layout.figures, profile, item);
  Deno.mkdirSync(dir, { recursive: true });
  const rows = passes.map((pass, i) => ({
    item,
    check: `check ${i}`,
    measured: i + 0.123456,
    bar: pass === null ? null : 1,
    op: pass === null ? "report" : "<=",
    pass,
  }));
  Deno.writeTextFileSync(join(dir, "checks.json"), JSON.stringify(rows));
  Deno.writeTextFileSync(join(dir, "figure.png"), "png");
}

Deno.test("verdictOf(): a deciding failure fails; only reported rows are reported", () => {
  const c = (op: string, pass: boolean | null) => ({ check: "", measured: 0, bar: 0, op, pass });
  assert.equal(verdictOf([c("<=", true), c("report", null)]), "pass");
  assert.equal(verdictOf([c("<=", true), c(">=", false)]), "fail");
  assert.equal(verdictOf([c("report", null)]), "reported");
});

Deno.test("compareProfiles(): items under two profiles, side by side, with the verdicts' summary", () => {
  const root = Deno.makeTempDirSync();
  try {
    const layout = new Layout(root);
    write(layout, "paper", "limited", [false, true, null]);
    write(layout, "code", "limited", [true, true, null]);
    write(layout, "paper", "hole", [false]);
    write(layout, "code", "hole", [false]);
    write(layout, "paper", "only-paper", [true]);
    // A folder whose checks belong to another item (a data stage's) is no item of its own.
    Deno.mkdirSync(join(layout.figures, "code", "data-x"), { recursive: true });
    Deno.writeTextFileSync(
      join(layout.figures, "code", "data-x", "checks.json"),
      JSON.stringify([{ item: "data", check: "c", measured: 0, bar: 0, op: "<=", pass: true }]),
    );
    const items = compareProfiles(layout, ["paper", "code"]);
    assert.deepEqual(items.map((i) => i.item), ["hole", "limited"]);
    const limited = items[1];
    assert.deepEqual(limited.outcomes.map((o) => [o.profile, o.verdict]), [
      ["paper", "fail"],
      ["code", "pass"],
    ]);
    assert.equal(limited.outcomes[1].figure, "code/limited/figure.png");
    assert.equal(
      comparisonSummary(items),
      "2 items published under more than one profile; the verdict depends on the settings for `limited`; no profile reproduces `hole`.",
    );
    const md = comparisonMarkdown(items);
    assert.match(md, /\| check \| paper \| code \|/);
    assert.match(md, /\| verdict \| \*\*FAIL\*\* \| PASS \|/);
    assert.match(md, /\| check 0 \(<= 1\) \| 0\.1235 ✗ \| 0\.1235 ✓ \|/);
    assert.match(md, /\| check 2 \(reported\) \| 2\.123 \| 2\.123 \|/);
    assert.match(md, /Figures: \[paper\]\(paper\/limited\/figure\.png\), \[code\]/);
    assert.match(comparisonHtml(items), /<img src="code\/limited\/figure\.png"/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
