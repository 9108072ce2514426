/**
 * A small seeded generator for the training core, with the shape of the pipeline's `Rng`
 * (`pipeline/stage.ts`), so that every draw of this directory (initial weights, batch order,
 * neighbour choice, noise, Monte Carlo shifts) is a pure function of an integer seed.
 *
 * The core never keeps a long-lived generator across training steps: it derives one per
 * purpose and per epoch (or per step) with {@linkcode deriveSeed}, so that resuming from a
 * checkpoint needs no generator state beyond the seed itself.
 *
 * @module
 */

/** The generator interface used here: the pipeline's `Rng` shape. */
export interface Rng {
  /** Uniform float in [0, 1) on a 2^-53 grid. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Standard normal draw. */
  normal(): number;
  /** A new independent generator derived from this one's seed and a label. */
  fork(label: string): Rng;
  /** The 32-bit seed this generator started from. */
  readonly seed: number;
}

/** The smallest generator interface the samplers of this directory need. */
export interface UniformSource {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Standard normal draw. */
  normal(): number;
}

/** SplitMix32 finaliser: a bijective 32-bit mix with good avalanche. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, 32 bits. */
function fnv1a(text: string, start = 0x811c9dc5): number {
  let h = start >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Derives a 32-bit seed from a seed and a path of labels or integers, e.g.
 * `deriveSeed(seed, "epoch", 3)`. Pure, so the same path always gives the same seed.
 */
export function deriveSeed(seed: number, ...path: (string | number)[]): number {
  let h = mix32(seed >>> 0);
  for (const part of path) {
    h = mix32(fnv1a(typeof part === "number" ? `#${part}` : part, h) ^ h);
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a xoshiro128** generator seeded through SplitMix32 from a 32-bit seed.
 * `normal()` uses Box–Muller without caching the second value, so the generator's whole
 * state is its four words (no hidden spare draw).
 */
export function createRng(seed: number): Rng {
  const s = new Uint32Array(4);
  let x = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    s[i] = mix32(x);
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the one state xoshiro must avoid
  const nextUint32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  };
  // 53 random bits: 27 from the first draw, 26 from the second.
  const next = (): number =>
    ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;
  return {
    seed: seed >>> 0,
    next,
    nextUint32,
    normal(): number {
      // Box–Muller; 1 - u is in (0, 1], so the logarithm is finite.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork(label: string): Rng {
      return createRng(deriveSeed(seed, label));
    },
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates, from the front). */
export function permutation(n: number, rng: UniformSource): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
