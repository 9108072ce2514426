/**
 * Tick values and labels for the hand-drawn axes (heatmaps, colour bars): "nice" steps of
 * 1, 2 or 5 times a power of ten, as d3 and vega choose them, so hand-drawn and vega axes agree.
 *
 * @module
 */

/** The nice step (1, 2 or 5 × 10^k) giving about `count` intervals over [lo, hi]. */
export function tickStep(lo: number, hi: number, count: number): number {
  const raw = Math.abs(hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 0;
  const power = Math.floor(Math.log10(raw));
  const base = Math.pow(10, power);
  const err = raw / base;
  // Thresholds at the geometric means of 1–2, 2–5 and 5–10, as in d3-array's tickIncrement.
  const m = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1;
  return m * base;
}

/** Nice tick values inside [lo, hi] (inclusive), about `count` intervals apart. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (lo > hi) [lo, hi] = [hi, lo];
  const step = tickStep(lo, hi, count);
  if (step === 0) return [lo];
  // Work in integer multiples of the step to avoid accumulating rounding errors.
  const i0 = Math.ceil(lo / step - 1e-9), i1 = Math.floor(hi / step + 1e-9);
  const out: number[] = [];
  for (let i = i0; i <= i1; i++) out.push(cleanMultiple(i, step));
  return out;
}

/** i × step without the binary noise of the product (0.1 × 3 = 0.30000000000000004). */
function cleanMultiple(i: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number((i * step).toFixed(Math.min(decimals, 20)));
}

/** Labels for ticks: the fewest decimals that tell them apart, U+2212 for minus, as d3 does. */
export function formatTicks(ticks: readonly number[]): string[] {
  let decimals = 0;
  if (ticks.length > 1) {
    const step = Math.abs(ticks[1] - ticks[0]);
    decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  } else if (ticks.length === 1 && !Number.isInteger(ticks[0])) {
    decimals = 3;
  }
  return ticks.map((t) => {
    const s = t.toFixed(Math.min(decimals, 20));
    const z = Number(s) === 0 ? s.replace("-", "") : s;
    return z.replace("-", "\u2212");
  });
}
