/**
 * The median of a few per-seed values, for the checks that compare regularisers over seeds
 * (`reg`) and summarise the unregularised seeds (`hole`): with 5 seeds it ignores the one or
 * two runs that go wrong in either direction, which a mean or an extreme would not.
 *
 * @module
 */

/** The median (the mean of the middle two for an even count); NaN for no value. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}
