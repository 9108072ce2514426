import assert from "node:assert/strict";
import { airy, airyAi, airyBi, airyTaylorStep } from "./airy_functions.ts";
import { brent } from "./root_finding.ts";

/**
 * Reference values [x, Ai, Ai', Bi, Bi'] computed with mpmath 1.3.0 at 30 significant digits
 * (`mpmath.airyai(x)`, `mpmath.airyai(x, 1)`, `mpmath.airybi(x)`, `mpmath.airybi(x, 1)`),
 * printed to 17 digits. They cover every regime of the implementation: the series, the
 * Taylor-stepped gaps and the asymptotic expansions on both sides.
 */
const REFERENCE: [number, number, number, number, number][] = [
  [0, 0.35502805388781724, -0.2588194037928068, 0.61492662744600074, 0.44828835735382636],
  [0.5, 0.23169360648083349, -0.22491053266468389, 0.85427704310315549, 0.5445725641405923],
  [1, 0.13529241631288142, -0.15914744129679321, 1.2074235949528713, 0.93243593339277563],
  [2, 0.034924130423274379, -0.053090384433653632, 3.2980949999782147, 4.1006820499328899],
  [3, 0.0065911393574607191, -0.011912976705951318, 14.037328963730232, 22.92221496638217],
  [4.5, 0.00033025032351430898, -0.00071786656755750889, 227.58808183559972, 469.1350773279664],
  [5, 0.00010834442813607442, -0.00024741389086846248, 657.79204417117118, 1435.8190802179825],
  [6, 9.9476943602528896e-6, -2.4765200397034955e-5, 6536.4461048098635, 15725.602621930477],
  [8, 4.6922076160992316e-8, -1.3414392979067866e-7, 1199586.0041244599, 3354342.3127445389],
  [9, 2.4711684308724898e-9, -7.4806413896589464e-9, 21472868.891435349, 63807489.780908214],
  [10, 1.1047532552898686e-10, -3.5206336767389236e-10, 455641153.54822514, 1429236134.4828658],
  [12, 1.3931846888753608e-13, -4.8547365549853085e-13, 329807225829.07418, 1135507502443.3707],
  [15, 2.1649625207379923e-18, -8.4205679540177728e-18, 18982099567493590.0, 73197492034070105.0],
  [
    20,
    1.6916728686705403e-27,
    -7.586391625748355e-27,
    2.1037650496511038e+25,
    9.3818393361339643e+25,
  ],
  [-0.5, 0.47572809161053959, -0.20408167033954739, 0.38035265975105385, 0.50593371362384717],
  [-1, 0.53556088329235212, -0.010160567116645209, 0.10399738949694461, 0.59237562642279235],
  [-2, 0.22740742820168558, 0.61825902074169104, -0.41230258795639849, 0.27879516692116952],
  [-3, -0.37881429367765807, 0.31458376921659881, -0.19828962637492654, -0.67561122268525854],
  [-4.5, 0.29215278105595947, -0.5233625323157477, 0.25387265769693264, 0.63474476777366371],
  [-6, -0.32914517362982311, 0.34593548728134289, -0.14669837667055704, -0.812898785105067],
  [-8, -0.052705050356386203, 0.93556093819830655, -0.33125158075113786, -0.15945049781298139],
  [-9, -0.022133721547341404, -0.97566398092633159, 0.32494732345524492, -0.057400513843669254],
  [-10, 0.040241238486443191, 0.99626504413279006, -0.31467982964383863, 0.11941411339990924],
  [-12, -0.066555175054373129, 1.0231104533679707, -0.29571991207807306, -0.23673219783112332],
  [-15, 0.27821749087082893, 0.27237420430864202, -0.069126594531010061, 1.0764297530843748],
  [-20, -0.17640612707798469, 0.89286285673647124, -0.20013930932265135, -0.79142903383953648],
  [-30, -0.087968188456842163, 1.2286206026374851, -0.22444694220056632, -0.48369472582768149],
];

/** Error measure: relative where the value is not small, absolute (scaled 1) near zeros. */
function err(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(1, Math.abs(want));
}

/** Relative error (for the exponentially small and large values of x > 0). */
function rel(got: number, want: number): number {
  return Math.abs(got - want) / Math.abs(want);
}

Deno.test("airy() matches the known values at 0 and the first zero of Ai", () => {
  const a0 = airy(0);
  assert.ok(Math.abs(a0.ai - 0.355028053887817) < 1e-15);
  assert.ok(Math.abs(a0.aip - -0.258819403792807) < 1e-15);
  assert.ok(Math.abs(a0.bi - 0.614926627446001) < 1e-15);
  const zero = brent(airyAi, -2.5, -2.0, 1e-15);
  assert.ok(Math.abs(zero - -2.338107410459767) < 1e-13, `first zero ${zero}`);
});

Deno.test("airy() matches mpmath references to 1e-12 in every regime", () => {
  let worst = 0;
  for (const [x, ai, aip, bi, bip] of REFERENCE) {
    const v = airy(x);
    // For x > 0 Ai decays and Bi grows exponentially: judge them relatively.
    const e = x > 0
      ? Math.max(rel(v.ai, ai), rel(v.aip, aip), rel(v.bi, bi), rel(v.bip, bip))
      : Math.max(err(v.ai, ai), err(v.aip, aip), err(v.bi, bi), err(v.bip, bip));
    worst = Math.max(worst, e);
    assert.ok(e < 1e-12, `x = ${x}: error ${e}`);
  }
  assert.ok(worst < 1e-12);
});

Deno.test("airy() satisfies the Wronskian Ai Bi' − Ai' Bi = 1/π on a dense grid", () => {
  for (let x = -25; x <= 12; x += 0.0625) {
    const v = airy(x);
    const w = v.ai * v.bip - v.aip * v.bi;
    assert.ok(Math.abs(w * Math.PI - 1) < 1e-12, `x = ${x}: π·W = ${w * Math.PI}`);
  }
});

Deno.test("airy() is continuous across the regime boundaries ±3 and ±9", () => {
  for (const b of [-9, -3, 3, 9]) {
    const d = 1e-9, left = airy(b - d), right = airy(b + d), mid = airy(b);
    // Allowed jump: the change over 2d given the derivative (y'' = xy), plus 1e-12 relative.
    const slope = { ai: mid.aip, aip: b * mid.ai, bi: mid.bip, bip: b * mid.bi };
    for (const key of ["ai", "aip", "bi", "bip"] as const) {
      const allowed = 2.01 * d * Math.abs(slope[key]) +
        1e-12 * Math.max(1e-300, Math.abs(mid[key]));
      assert.ok(Math.abs(left[key] - right[key]) <= allowed, `${key} at ${b}`);
    }
  }
});

Deno.test("airy() zeros of Ai and Bi match tabulated values", () => {
  // DLMF Table 9.9.1 / mpmath.airyaizero, airybizero.
  const aiZeros = [-2.338107410459767, -4.0879494441309706, -5.5205598280955511];
  const brackets: [number, number][] = [[-2.5, -2.0], [-4.3, -3.8], [-5.7, -5.3]];
  aiZeros.forEach((z, i) => {
    const got = brent(airyAi, brackets[i][0], brackets[i][1], 1e-15);
    assert.ok(Math.abs(got - z) < 1e-12, `zero ${i + 1}: ${got}`);
  });
  assert.ok(Math.abs(brent(airyAi, -13, -12.6, 1e-15) - -12.828776752865757) < 1e-11);
  assert.ok(Math.abs(brent(airyBi, -1.3, -1.0, 1e-15) - -1.1737132227091279) < 1e-12);
  assert.ok(Math.abs(brent(airyBi, -3.4, -3.1, 1e-15) - -3.2710933028363527) < 1e-12);
});

Deno.test("airyTaylorStep() advances exactly along the series solution", () => {
  const start = airy(0);
  const [y, yp] = airyTaylorStep(0, start.ai, start.aip, 0.5);
  assert.ok(Math.abs(y - 0.23169360648083349) < 1e-15);
  assert.ok(Math.abs(yp - -0.22491053266468389) < 1e-15);
});

Deno.test("airy() rejects a non-finite argument", () => {
  assert.throws(() => airy(NaN), RangeError);
  assert.throws(() => airy(Infinity), RangeError);
});
