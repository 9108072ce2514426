/**
 * Canonical JSON: object keys sorted at every depth, no white space. Two equal values always
 * give the same string, so it can be hashed into a cache key.
 *
 * @module
 */
import type { Json } from "./stage.ts";

/** Serialises a JSON value canonically (sorted keys; `-0` written as `0`; non-finite rejected). */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error(`Cannot hash the number ${value}: only finite numbers are valid parameters`);
    }
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}
