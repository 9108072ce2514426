/**
 * The check record every experiment stage writes (as `checks.json`, an array) for the report:
 * a quantity measured on our own run, set against the bar of the catalogue
 * (`../shared/spec/REPRODUCTION.md`), with pass/fail. A failing check is a finding.
 *
 * @module
 */

/** How the measured value is compared with the bar. */
export type CheckOp = ">=" | "<=" | ">" | "<" | "==" | "report";

/** One check of one catalogue item. */
export interface Check {
  /** Catalogue item id, e.g. `ae-d1`, `airy`, `table2`. */
  item: string;
  /** What is measured, in words, e.g. `mean IoU of thresholded output, radii 2–30`. */
  check: string;
  /** The measured value (or `null` when the measurement itself failed). */
  measured: number | boolean | null;
  /** The acceptance bar (`null` for `report`-only checks). */
  bar: number | boolean | null;
  /** Comparison of measured against bar; `report` means no bar, the value is only reported. */
  op: CheckOp;
  /** The verdict; `null` for `report`-only checks. */
  pass: boolean | null;
  /** Extra numbers behind the verdict (per-seed values, per-layer values...). */
  details?: Record<string, unknown>;
}

/** Builds a check, computing `pass` from `measured op bar` (never typed by hand). */
export function check(
  item: string,
  what: string,
  measured: number | boolean | null,
  op: CheckOp,
  bar: number | boolean | null,
  details?: Record<string, unknown>,
): Check {
  let pass: boolean | null = null;
  if (op !== "report") {
    if (measured === null || (typeof measured === "number" && !Number.isFinite(measured))) {
      pass = false;
    } else if (op === "==") pass = measured === bar;
    else {
      const m = Number(measured), b = Number(bar);
      pass = op === ">=" ? m >= b : op === "<=" ? m <= b : op === ">" ? m > b : m < b;
    }
  }
  return { item, check: what, measured, bar, op, pass, ...(details ? { details } : {}) };
}
