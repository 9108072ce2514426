import assert from "node:assert/strict";
import { check } from "../../lib/common/checks.ts";
import { parseChecks } from "./parse_checks.ts";

Deno.test("parseChecks() keeps well-formed checks as they are", () => {
  const checks = [
    check("ae-d1", "mean IoU", 0.95, ">=", 0.9, { n: 29 }),
    check("weights", "rendered", null, "report", null),
  ];
  const parsed = parseChecks(JSON.parse(JSON.stringify(checks)), "ae-d1");
  assert.deepEqual(parsed.checks, checks);
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(parsed.notes, []);
});

Deno.test("parseChecks() sets malformed records aside with a reason", () => {
  const parsed = parseChecks(
    [
      42,
      { check: "no item", op: ">=", measured: 1, bar: 0 },
      { item: "x", check: "bad op", op: "~", measured: 1, bar: 0 },
      { item: "x", op: ">=", measured: 1, bar: 0 },
      { item: "x", check: "fine", op: "<=", measured: 1, bar: 2, pass: true },
    ],
    "s",
  );
  assert.equal(parsed.checks.length, 1);
  assert.equal(parsed.errors.length, 4);
  assert.match(parsed.errors[2], /unknown comparison "~"/);
  assert.deepEqual(parseChecks({}, "s").errors, ['checks.json of stage "s" is not an array']);
});

Deno.test("parseChecks() recomputes a verdict typed by hand and notes the disagreement", () => {
  const parsed = parseChecks(
    [{ item: "hole", check: "ratio", op: ">=", measured: 2, bar: 3, pass: true }],
    "hole",
  );
  assert.equal(parsed.checks[0].pass, false);
  assert.match(parsed.notes[0], /recorded pass=true .* gives false/);
});

Deno.test("parseChecks() fails a check whose measurement is missing", () => {
  const parsed = parseChecks([{ item: "a", check: "c", op: ">=", measured: null, bar: 1 }], "a");
  assert.equal(parsed.checks[0].pass, false);
});
