/**
 * Number and value formatting for the report: measured values to about four significant
 * digits, bars with their comparison sign, durations in human units.
 *
 * @module
 */

import type { CheckOp } from "../../lib/common/checks.ts";

/**
 * Formats a number with `digits` significant digits (default 4), without trailing zeros;
 * integers below 10⁷ are shown whole, very small or very large values in exponent form.
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e7) return String(x);
  if (a >= 1e-3 && a < 1e7) {
    // Above 10^digits toPrecision switches to exponent form; a rounded integer reads better.
    if (a >= 10 ** digits) return String(Math.round(x));
    return stripZeros(x.toPrecision(digits));
  }
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
  return `${stripZeros(mantissa)}e${exponent.replace("+", "")}`;
}

/** Drops trailing zeros after a decimal point, and the point itself when nothing is left. */
function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Formats a measured value: numbers as `formatNumber`, booleans as yes/no, null as a dash. */
export function formatMeasured(value: number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return formatNumber(value);
}

/** The comparison sign shown for an operator (`report` has none). */
export function opSymbol(op: CheckOp): string {
  switch (op) {
    case ">=":
      return "≥";
    case "<=":
      return "≤";
    case ">":
      return ">";
    case "<":
      return "<";
    case "==":
      return "=";
    case "report":
      return "";
  }
}

/** Formats a bar with its sign, e.g. `≥ 0.9`; report-only checks show a dash. */
export function formatBar(op: CheckOp, bar: number | boolean | null): string {
  if (op === "report" || bar === null) return "—";
  return `${opSymbol(op)} ${formatMeasured(bar)}`;
}

/** Formats a duration in milliseconds: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${formatNumber(s, 3)} s`;
  const totalSeconds = Math.round(s);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes} min ${String(totalSeconds % 60).padStart(2, "0")} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  return `${hours} h ${String(totalMinutes % 60).padStart(2, "0")} min`;
}

/**
 * Formats any JSON-like value compactly for the details of a check: numbers to four
 * significant digits, long arrays cut after `maxItems` with a count of the rest, the whole
 * cut at `maxLength` characters.
 */
export function formatValue(value: unknown, maxItems = 10, maxLength = 400): string {
  const text = formatInner(value, maxItems, 0);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function formatInner(value: unknown, maxItems: number, depth: number): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value;
  if (depth > 4) return "…";
  if (Array.isArray(value)) {
    const shown = value.slice(0, maxItems).map((v) => formatInner(v, maxItems, depth + 1));
    const rest = value.length - shown.length;
    return `[${shown.join(", ")}${rest > 0 ? `, … (${rest} more)` : ""}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const shown = entries.slice(0, maxItems).map(([k, v]) =>
      `${k}: ${formatInner(v, maxItems, depth + 1)}`
    );
    const rest = entries.length - shown.length;
    return `{${shown.join(", ")}${rest > 0 ? `, … (${rest} more)` : ""}}`;
  }
  return String(value);
}

/** The first `n` characters of a cache key (default 8), enough to tell runs apart. */
export function shortKey(key: string, n = 8): string {
  return key.length > n ? key.slice(0, n) : key;
}

/** Formats an ISO 8601 time as `YYYY-MM-DD hh:mm:ss UTC`; other strings are returned as they are. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
