/**
 * First, short calls of the elementwise kernels that have code after their long loop, run when
 * their module loads (on every thread).
 *
 * Why: V8 compiles a function whose loop runs long while the loop runs (on-stack replacement).
 * The code after that loop (storing the sums, checking them) has then never run, so it has no
 * type feedback, and the compiled code gives up there ("insufficient type feedback") at the end
 * of every later call, which enters the same compiled loop again: a call then spent much of its
 * time in the slower tiers. Measured in a training step on two threads: the summing kernels
 * deopted about 140 times in 20 steps, and a worker thread, which calls each kernel less often,
 * took up to twice the calling thread's time per chunk. Calls on a few hundred values run each
 * kernel through to its end first, so that the compiled code knows every line. More than one
 * call, on more than a few values: V8 gives a function its feedback store only after some work
 * (one short call of the eight-channel loop ran before it had one and primed nothing). A kernel
 * with nothing after its loop needs none of this.
 *
 * @module
 */

import type { RangeKernel, RangeSumKernel } from "./cpu_threads.ts";

/** Values of a priming call: some of each sign, whole rows of every channel count used. */
const PRIME_VALUES = 480;

/** Priming calls per kernel (see the module doc). */
const PRIME_CALLS = 3;

/**
 * Inputs with negative and positive values, none a whole number and no two inputs alike (V8
 * learns the types of values from them: sums of zeros would teach it small integers).
 */
function primeInput(shift: number): Float32Array {
  const v = new Float32Array(PRIME_VALUES);
  for (let i = 0; i < v.length; i++) v[i] = ((i + shift) % 3) * 0.3 - 0.25 + shift * 0.01;
  return v;
}

/** Runs `kernel` a few times on a few hundred values with the slope `s` (see the module doc). */
export function primeRangeKernel(kernel: RangeKernel, s = 0.2): void {
  const a = primeInput(0), b = primeInput(1), out = new Float32Array(PRIME_VALUES);
  for (let i = 0; i < PRIME_CALLS; i++) kernel(a, b, out, s, 0, PRIME_VALUES);
}

/**
 * Runs the summing `kernel` a few times on a few hundred values for each channel count of
 * `channels` (see the module doc).
 */
export function primeRangeSumKernel(
  kernel: RangeSumKernel,
  channels: readonly number[],
  s = 0.2,
): void {
  const a = primeInput(0), b = primeInput(1), out = new Float32Array(PRIME_VALUES);
  for (let i = 0; i < PRIME_CALLS; i++) {
    for (const K of channels) {
      kernel(a, b, out, s, 0, PRIME_VALUES - (PRIME_VALUES % K), new Float64Array(K));
    }
  }
}
