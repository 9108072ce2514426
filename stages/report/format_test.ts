import assert from "node:assert/strict";
import {
  formatBar,
  formatDuration,
  formatMeasured,
  formatNumber,
  formatValue,
  shortKey,
} from "./format.ts";

Deno.test("formatNumber() keeps four significant digits without trailing zeros", () => {
  assert.equal(formatNumber(0.987654), "0.9877");
  assert.equal(formatNumber(0.9), "0.9");
  assert.equal(formatNumber(3.14159265), "3.142");
  assert.equal(formatNumber(-2.5), "-2.5");
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(1024), "1024");
  assert.equal(formatNumber(12345.678), "12346");
  assert.equal(formatNumber(0.00123456), "0.001235");
  assert.equal(formatNumber(1.5e-7), "1.5e-7");
  assert.equal(formatNumber(-2.34567e-12), "-2.346e-12");
  assert.equal(formatNumber(3e12), "3e12");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(-Infinity), "−∞");
});

Deno.test("formatMeasured() and formatBar() show values, booleans and signs", () => {
  assert.equal(formatMeasured(true), "yes");
  assert.equal(formatMeasured(null), "—");
  assert.equal(formatMeasured(0.99512), "0.9951");
  assert.equal(formatBar(">=", 0.9), "≥ 0.9");
  assert.equal(formatBar("==", true), "= yes");
  assert.equal(formatBar("report", null), "—");
});

Deno.test("formatDuration() picks a readable unit", () => {
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(12_345), "12.3 s");
  assert.equal(formatDuration(245_000), "4 min 05 s");
  assert.equal(formatDuration(7_380_000), "2 h 03 min");
  assert.equal(formatDuration(-1), "—");
});

Deno.test("formatValue() formats nested values and cuts long arrays", () => {
  assert.equal(formatValue({ a: [1, 0.333333, 2], b: "x" }), "{a: [1, 0.3333, 2], b: x}");
  assert.equal(formatValue([1, 2, 3, 4], 2), "[1, 2, … (2 more)]");
  assert.equal(formatValue("y".repeat(10), 10, 5), "yyyy…");
});

Deno.test("shortKey() keeps the first characters of a key", () => {
  assert.equal(shortKey("0123456789abcdef"), "01234567");
  assert.equal(shortKey("abc"), "abc");
});
