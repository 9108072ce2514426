/**
 * A check that could not be measured because what it measures is not here (e.g. the authors'
 * released weights, which are not ours to ship): a report-only check with no value whose
 * details carry the reason under `notAvailable`. The report shows an item whose checks are all
 * of this kind as "not available", neither a failure nor an error.
 *
 * @module
 */
import { type Check, check } from "./checks.ts";

/** The details key that marks a check as not available; its value is the reason. */
export const NOT_AVAILABLE_KEY = "notAvailable";

/** A check of `item` that could not be measured, and why (one line). */
export function notAvailableCheck(item: string, what: string, reason: string): Check {
  return check(item, what, null, "report", null, { [NOT_AVAILABLE_KEY]: reason });
}

/** Whether a check is one of {@link notAvailableCheck}'s. */
export function isNotAvailable(c: Check): boolean {
  return c.op === "report" && c.measured === null &&
    typeof c.details?.[NOT_AVAILABLE_KEY] === "string";
}
