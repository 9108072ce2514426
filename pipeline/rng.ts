/**
 * The seeded generator every stage gets: xoshiro128** seeded through SplitMix32 from a
 * SHA-256 of a label (the stage id and its canonical parameters), so each draw is a pure
 * function of the stage's parameters and never of the clock or of `Math.random`.
 *
 * @module
 */
import { sha256 } from "./hash.ts";
import type { Rng } from "./stage.ts";

/** Derives a 32-bit seed from a label (first 8 hex digits of its SHA-256). */
export function seedFromLabel(label: string): number {
  return parseInt(sha256(label).slice(0, 8), 16) >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  const sm = splitmix32(seed);
  const s = new Uint32Array([sm(), sm(), sm(), sm()]);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // xoshiro's one forbidden state
  let spare: number | null = null;
  const nextUint32 = (): number => {
    // xoshiro128**: rotl(s1 * 5, 7) * 9
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  };
  // 53-bit uniform from two draws, so `next()` can return every double in [0, 1) on a 2^-53 grid.
  const next = (): number =>
    ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;
  return {
    seed: seed >>> 0,
    nextUint32,
    next,
    normal(): number {
      // Marsaglia's polar method; the second value of each pair is kept for the next call.
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u: number, v: number, q: number;
      do {
        u = 2 * next() - 1;
        v = 2 * next() - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const f = Math.sqrt(-2 * Math.log(q) / q);
      spare = v * f;
      return u * f;
    },
    fork(label: string): Rng {
      return createRng(seedFromLabel(`${seed >>> 0}/${label}`));
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
