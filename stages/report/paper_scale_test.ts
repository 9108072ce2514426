import assert from "node:assert/strict";
import { compareWithPaperScale, QUICK_DIFFERENCES, scaleMarkdown } from "./paper_scale.ts";
import { CATALOGUE } from "../../paper/catalogue.ts";
import type { ItemStatus } from "./model.ts";

/** A report's sections, as far as the comparison reads them. */
function sections(statuses: Record<string, ItemStatus>) {
  // deno-lint-ignore no-explicit-any
  return [{ items: Object.entries(statuses).map(([id, status]) => ({ id, status })) }] as any;
}

const PAPER = {
  profile: "paper",
  finished: "2026-12-04T05:00:00.000Z",
  sections: [{
    items: [
      { id: "limited", status: "pass" },
      { id: "hole", status: "fail" },
      { id: "lambda", status: "pass" },
      { id: "dcgan", status: "missing" },
      { id: "weights", status: "reported" },
    ],
  }],
};

Deno.test("compareWithPaperScale() sets items decided in both side by side, why only where they differ", () => {
  const quick = {
    sections: sections({
      limited: "fail",
      hole: "fail",
      lambda: "pass",
      dcgan: "pass",
      weights: "reported",
    }),
  };
  const c = compareWithPaperScale(quick, "results/x/report.json", PAPER, {
    limited: "undertrained",
    hole: "never shown: they agree",
  });
  assert.deepEqual(c, {
    run: "results/x/report.json",
    finished: "2026-12-04T05:00:00.000Z",
    rows: [
      { item: "limited", quick: "fail", paperScale: "pass", why: "undertrained" },
      { item: "hole", quick: "fail", paperScale: "fail" },
      { item: "lambda", quick: "pass", paperScale: "pass" },
    ],
    unknown: ["dcgan"],
  });
  const md = scaleMarkdown(c).join("\n");
  assert.match(
    md,
    /`results\/x\/report.json` \(finished 2026-12-04\): 2 of 3 items decided in both agree; `limited` differs\./,
  );
  assert.match(md, /No paper-scale verdict yet for `dcgan`\./);
  assert.match(md, /\| `limited` \| \*\*FAIL\*\* \| PASS \| undertrained \|/);
  assert.match(md, /\| `hole` \| \*\*FAIL\*\* \| \*\*FAIL\*\* \| — \|/);
});

Deno.test("compareWithPaperScale() says when a difference has no recorded reason", () => {
  const c = compareWithPaperScale({ sections: sections({ lambda: "fail" }) }, "r.json", PAPER, {});
  assert.match(
    scaleMarkdown(c).join("\n"),
    /\| `lambda` \| \*\*FAIL\*\* \| PASS \| no reason recorded \|/,
  );
});

Deno.test("compareWithPaperScale() refuses what is not a paper-profile report", () => {
  const quick = { sections: sections({ hole: "fail" }) };
  assert.throws(
    () => compareWithPaperScale(quick, "r.json", [1]),
    /^Error: Cannot compare with the paper-scale run "r.json": it has no sections, so it is no report.json; fix: /,
  );
  assert.throws(
    () => compareWithPaperScale(quick, "r.json", { ...PAPER, profile: "quick" }),
    /its profile is "quick", not paper/,
  );
});

Deno.test("QUICK_DIFFERENCES names catalogue items only, each with a reason", () => {
  const ids = new Set(CATALOGUE.map((c) => c.id));
  for (const [id, why] of Object.entries(QUICK_DIFFERENCES)) {
    assert.ok(ids.has(id), `${id} is no catalogue item`);
    assert.ok(why.length > 40, `${id}: say what was measured`);
  }
});
