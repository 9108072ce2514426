/**
 * Discrete Diracs of length n (P§5.3–5.4, S39) and the codes z that stand for their
 * positions.
 *
 * - One-hot δ_a (a an integer in 0..n−1): the encoder's training signals (P§5.4: "the
 *   approach described in the case of the encoder, that is to say that the Dirac is a one-hot
 *   vector at the position a").
 * - Triangular y_a(t) = max(0, 1 − |t − a|), t = 0..n−1, a real (P Eq. 19): the decoder's
 *   training signals, a drawn continuously.
 * - Two-sample δ_a (S39 Eq. 13): 1 − (a − ⌊a⌋) at ⌊a⌋ and 1 − (⌈a⌉ − a) at ⌈a⌉. Sampled at
 *   integer t this is the triangular Dirac itself (both are linear interpolation between the
 *   two nearest samples), which `diracs_test.ts` checks; it is kept so that the equality is
 *   measured rather than assumed.
 *
 * Codes: a decoder (or a regressed encoder) maps between a and z through a fixed affine
 * scale, `samples` (z = a) or `unit` (z = a / (n − 1) ∈ [0, 1]).
 *
 * @module
 */

/** The Dirac shapes. */
export type DiracKind = "onehot" | "triangular" | "two-sample";

/** How z stands for the position a. */
export type CodeScale = "samples" | "unit";

/** The Dirac kinds, for parameter choices. */
export const DIRAC_KINDS: readonly DiracKind[] = ["onehot", "triangular", "two-sample"];

/** The code scales, for parameter choices. */
export const CODE_SCALES: readonly CodeScale[] = ["samples", "unit"];

/**
 * One Dirac of length n at position a, written into `out` (length n, zeroed first).
 *
 * @throws {RangeError} when a is outside [0, n − 1], or not an integer for `onehot`.
 */
export function writeDirac(
  kind: DiracKind,
  n: number,
  a: number,
  out: Float32Array | Float64Array,
): void {
  if (!(a >= 0 && a <= n - 1)) {
    throw new RangeError(
      `Cannot place a Dirac at ${a} in a signal of size ${n}: need 0 ≤ a ≤ ${n - 1}`,
    );
  }
  if (out.length !== n) {
    throw new RangeError(`Cannot write a Dirac of size ${n} into ${out.length} values`);
  }
  out.fill(0);
  switch (kind) {
    case "onehot":
      if (!Number.isInteger(a)) {
        throw new RangeError(
          `Cannot place a one-hot Dirac at ${a}: the position must be an integer`,
        );
      }
      out[a] = 1;
      return;
    case "triangular": {
      // Only ⌊a⌋ and ⌊a⌋ + 1 can be within distance < 1 of a.
      for (let t = Math.floor(a); t <= Math.floor(a) + 1 && t < n; t++) {
        out[t] = Math.max(0, 1 - Math.abs(t - a));
      }
      return;
    }
    case "two-sample": {
      const lo = Math.floor(a), hi = Math.ceil(a);
      out[lo] = 1 - (a - lo);
      // For integer a, ⌊a⌋ = ⌈a⌉ and both lines of Eq. 13 give 1 at the same sample.
      if (hi !== lo) out[hi] = 1 - (hi - a);
      return;
    }
  }
}

/** One Dirac of length n at position a, as a new array. */
export function dirac(kind: DiracKind, n: number, a: number): Float32Array {
  const out = new Float32Array(n);
  writeDirac(kind, n, a, out);
  return out;
}

/** z for position a in a signal of size n. */
export function positionToCode(a: number, n: number, scale: CodeScale): number {
  return scale === "samples" ? a : a / (n - 1);
}

/** The position a that code z stands for (inverse of {@linkcode positionToCode}). */
export function codeToPosition(z: number, n: number, scale: CodeScale): number {
  return scale === "samples" ? z : z * (n - 1);
}

/** A set of Diracs with their positions and codes. */
export interface DiracSet {
  /** Signal size n. */
  n: number;
  /** Number of signals. */
  count: number;
  /** count × n values, row-major. */
  signals: Float32Array;
  /** The positions a. */
  positions: Float64Array;
  /** The codes z (count × 1). */
  codes: Float32Array;
}

/** Builds the Diracs at the given positions. */
export function diracSet(
  kind: DiracKind,
  n: number,
  positions: ArrayLike<number>,
  scale: CodeScale,
): DiracSet {
  const count = positions.length;
  const signals = new Float32Array(count * n);
  const row = new Float64Array(n);
  const codes = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    // Computed in float64, rounded once to float32.
    writeDirac(kind, n, positions[i], row);
    signals.set(row, i * n);
    codes[i] = positionToCode(positions[i], n, scale);
  }
  return { n, count, signals, positions: Float64Array.from(positions), codes };
}

/** Every integer position 0..n−1. */
export function integerPositions(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, a) => a);
}

/** `count` positions uniform on [lo, hi] from a seeded generator. */
export function uniformPositions(
  count: number,
  lo: number,
  hi: number,
  rng: { next(): number },
): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = lo + (hi - lo) * rng.next();
  return out;
}

/** `count` positions on a regular grid from lo to hi inclusive. */
export function gridPositions(count: number, lo: number, hi: number): Float64Array {
  if (count === 1) return Float64Array.of(lo);
  return Float64Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}
