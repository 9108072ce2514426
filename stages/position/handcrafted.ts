/**
 * The hand-crafted position encoder of P §5 (Eqs. 13–14, Table 2, Prop. 3; S30–S37): a
 * cascade of layers, each a filtering with φ = [1, 2, 1] followed by subsampling by 2, with
 * neither bias nor non-linearity, in exact integer arithmetic.
 *
 * Convention (it reproduces P-Tab 2 entry by entry, see `table2.ts`): a layer maps u of size
 * n (even) to size n/2 by
 *
 *   u'(t) = Σ_{i ∈ {−1, 0, 1}} φ(i) u(2t + offset − i),   t = 0 .. n/2 − 1,
 *
 * with u = 0 outside 0..n−1 (zero padding) and offset = 0: the filter is centred on the even
 * positions 0, 2, 4, … ("subsampling at every even position", P §5). offset = 1 centres it on
 * the odd positions instead, which is what a TensorFlow/Keras stride-2 convolution with
 * `padding: "same"` does on an even-sized input (zero padding only after the end); it is kept
 * for comparison: with it the output is a + 1 instead of 2^L − a (see `prop3.ts`).
 *
 * @module
 */

/** The filter of P Eq. (13) as [φ(−1), φ(0), φ(1)]. */
export const PHI: readonly [number, number, number] = [1, 2, 1];

/** Options of one layer. */
export interface LayerOptions {
  /** The filter [φ(−1), φ(0), φ(1)] (integers). Default {@link PHI}. */
  filter?: readonly [number, number, number];
  /** 0: centres at even positions (the paper); 1: at odd positions (Keras "same"). */
  offset?: 0 | 1;
}

/**
 * One layer: filtering with φ and subsampling by 2, zero outside the signal.
 *
 * @throws {RangeError} when the size is odd or zero, or a value is not a safe integer.
 */
export function filterSubsample(u: readonly number[], options: LayerOptions = {}): number[] {
  const phi = options.filter ?? PHI;
  const offset = options.offset ?? 0;
  const n = u.length;
  if (n === 0 || n % 2 !== 0) {
    throw new RangeError(
      `Cannot subsample a signal of size ${n} by 2: need an even, positive size`,
    );
  }
  const at = (j: number) => (j >= 0 && j < n ? u[j] : 0);
  const out: number[] = [];
  for (let t = 0; t < n / 2; t++) {
    const c = 2 * t + offset;
    // φ(−1) u(c + 1) + φ(0) u(c) + φ(1) u(c − 1): Eq. (14) with s = 2.
    const v = phi[0] * at(c + 1) + phi[1] * at(c) + phi[2] * at(c - 1);
    if (!Number.isSafeInteger(v)) {
      throw new RangeError(
        `Cannot keep layer values exact: ${v} at t = ${t} is not a safe integer; use integer input`,
      );
    }
    out.push(v);
  }
  return out;
}

/**
 * All layer outputs [u(1), …, u(L)] for an input of size n = 2^L; u(L) has one entry.
 *
 * @throws {RangeError} when the size is not a power of two ≥ 2.
 */
export function encodeLayers(x: readonly number[], options: LayerOptions = {}): number[][] {
  const n = x.length;
  if (n < 2 || (n & (n - 1)) !== 0) {
    throw new RangeError(`Cannot encode a signal of size ${n}: need a power of two ≥ 2`);
  }
  const layers: number[][] = [];
  let u = x.slice();
  while (u.length > 1) {
    u = filterSubsample(u, options);
    layers.push(u);
  }
  return layers;
}

/** E_L(x): the scalar output of the cascade for an input of size 2^L. */
export function encode(x: readonly number[], options: LayerOptions = {}): number {
  const layers = encodeLayers(x, options);
  return layers[layers.length - 1][0];
}

/**
 * The one-hot vector δ_a of size n (a numbered from 0, as x_0 … x_{n−1} in P §5.2).
 *
 * @throws {RangeError} when a is not an integer in 0..n−1.
 */
export function oneHot(n: number, a: number): number[] {
  if (!Number.isInteger(a) || a < 0 || a >= n) {
    throw new RangeError(`Cannot place a one at position ${a} of a vector of size ${n}`);
  }
  const x = new Array<number>(n).fill(0);
  x[a] = 1;
  return x;
}
