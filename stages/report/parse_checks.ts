/**
 * Validates the `checks.json` a stage wrote: an array of check records
 * (`lib/common/checks.ts`). Malformed records are set aside with a reason instead of failing
 * the whole report, and each verdict is recomputed from `measured op bar` so that a verdict
 * typed by hand cannot slip through.
 *
 * @module
 */

import { type Check, check, type CheckOp } from "../../lib/common/checks.ts";

const OPS: readonly CheckOp[] = [">=", "<=", ">", "<", "==", "report"];

function isValue(v: unknown): v is number | boolean | null {
  return v === null || typeof v === "number" || typeof v === "boolean";
}

/**
 * The valid checks of a parsed `checks.json`; `errors` gives a reason for each record left out,
 * `notes` each recorded verdict that disagreed with the recomputed one.
 */
export function parseChecks(
  value: unknown,
  stage: string,
): { checks: Check[]; errors: string[]; notes: string[] } {
  const checks: Check[] = [];
  const errors: string[] = [];
  const notes: string[] = [];
  if (!Array.isArray(value)) {
    return { checks, errors: [`checks.json of stage "${stage}" is not an array`], notes };
  }
  value.forEach((raw, i) => {
    const where = `check #${i + 1} of stage "${stage}"`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      errors.push(`${where} is not an object`);
      return;
    }
    const r = raw as Record<string, unknown>;
    if (typeof r.item !== "string" || r.item.length === 0) {
      errors.push(`${where} has no item id`);
      return;
    }
    if (typeof r.check !== "string") {
      errors.push(`${where} (${r.item}) does not say what it measures`);
      return;
    }
    if (typeof r.op !== "string" || !OPS.includes(r.op as CheckOp)) {
      errors.push(`${where} (${r.item}) has an unknown comparison ${JSON.stringify(r.op)}`);
      return;
    }
    // JSON has no NaN or Infinity: a non-finite measurement arrives as null, which check() fails.
    const measured = isValue(r.measured) ? r.measured : null;
    const bar = isValue(r.bar) ? r.bar : null;
    const details = typeof r.details === "object" && r.details !== null && !Array.isArray(r.details)
      ? r.details as Record<string, unknown>
      : undefined;
    const rebuilt = check(r.item, r.check, measured, r.op as CheckOp, bar, details);
    if ("pass" in r && r.pass !== rebuilt.pass) {
      notes.push(
        `${where} (${r.item}) recorded pass=${JSON.stringify(r.pass)} but ` +
          `${JSON.stringify(measured)} ${r.op} ${JSON.stringify(bar)} gives ${rebuilt.pass}; ` +
          `the recomputed verdict is shown`,
      );
    }
    checks.push(rebuilt);
  });
  return { checks, errors, notes };
}
