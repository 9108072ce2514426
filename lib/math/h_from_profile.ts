/**
 * The optimal amplitude of P Eq. (8) for P-Fig 11: with the decoder's output modelled as
 * y(t; r) = h(r) f(t), the best h for a disk of radius r is ⟨f, 1_{B_r}⟩ / ‖f‖², and the paper
 * plots the code z against C ⟨f, 1_{B_r}⟩ for a constant C. For a radial f,
 *
 *   ⟨f, 1_{B_r}⟩ = 2π ∫₀ʳ f(ρ) ρ dρ.
 *
 * @module
 */

import { foldProfile, type Profile } from "./interpolate.ts";

/**
 * ⟨f, 1_{B_r}⟩ = 2π ∫₀ʳ f(ρ) ρ dρ for each radius, with f the piecewise-linear interpolant of
 * the (folded) radial profile, constant below its first and beyond its last sample; the
 * integral is exact for that interpolant. C = 1: any other constant (such as 1/‖f‖²) is a
 * common factor, to be fitted when plotting (e.g. with `fitScale`); Pearson correlation
 * does not depend on it.
 *
 * @param profile radial profile f (signed positions along a line through the centre are folded)
 * @param radii the disk radii r ≥ 0
 * @throws {RangeError} when a radius is negative or not finite.
 */
export function hFromProfile(profile: Profile, radii: ArrayLike<number>): number[] {
  const { t, f } = foldProfile(profile);
  // Breakpoints of the interpolant, starting at 0 (constant f[0] on [0, t[0]]).
  const xs = t[0] > 0 ? [0, ...t] : t.slice();
  const ys = t[0] > 0 ? [f[0], ...f] : f.slice();
  // Cumulative ∫₀^{xs[i]} f ρ dρ.
  const cum = [0];
  for (let i = 0; i + 1 < xs.length; i++) cum.push(cum[i] + segment(xs, ys, i, xs[i + 1]));
  return Array.from(radii, (r) => {
    if (!(r >= 0) || !Number.isFinite(r)) {
      throw new RangeError(`Cannot integrate over a disk of radius "${r}": need a finite r ≥ 0`);
    }
    let i = 0;
    while (i + 1 < xs.length && xs[i + 1] <= r) i++;
    let integral = cum[i];
    if (i + 1 < xs.length) integral += segment(xs, ys, i, r);
    else integral += (ys[i] * (r * r - xs[i] * xs[i])) / 2; // constant beyond the last sample
    return 2 * Math.PI * integral;
  });
}

/** ∫_{xs[i]}^{r} f ρ dρ for f linear between (xs[i], ys[i]) and (xs[i+1], ys[i+1]), r ≤ xs[i+1]. */
function segment(xs: number[], ys: number[], i: number, r: number): number {
  const a = xs[i], b = xs[i + 1];
  const slope = (ys[i + 1] - ys[i]) / (b - a);
  const c0 = ys[i] - slope * a; // f(ρ) = c0 + slope·ρ on the segment
  return (c0 * (r * r - a * a)) / 2 + (slope * (r * r * r - a * a * a)) / 3;
}
