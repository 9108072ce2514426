/**
 * A layer's epilogue: its bias and leaky ReLU, applied by a convolution kernel to each chunk of
 * its output as soon as the chunk is computed (while it is in cache), instead of two more passes
 * over the whole activation (`Add`, then `LeakyRelu`).
 *
 * The values are those of the two separate kernels, rounding for rounding: v = float32(y + b[k]),
 * then v for v ≥ 0 (and NaN, and −0) and float32(α·v) below, α·v in double precision as the
 * `LeakyRelu` kernel computes it. The WebAssembly kernels apply it in their own memory
 * (`biasLeakyRelu` in `./wasm/conv.as.ts`); the JavaScript ones with
 * {@linkcode applyEpilogue}.
 *
 * @module
 */

/** What a convolution kernel adds and applies to each output value (NHWC: K = bias.length). */
export interface Epilogue {
  /** One value per output channel. */
  bias: Float32Array;
  /** The leaky ReLU's slope below zero (≥ 0). */
  alpha: number;
}

/**
 * Applies `e` in place to values [lo, hi) of the NHWC array `y` (lo a multiple of the channel
 * count, so that value i has channel i mod K).
 */
export function applyEpilogue(y: Float32Array, lo: number, hi: number, e: Epilogue): void {
  const { bias, alpha } = e;
  const K = bias.length;
  let k = 0;
  for (let i = lo; i < hi; i++) {
    const v = Math.fround(y[i] + bias[k]);
    y[i] = v < 0 ? v * alpha : v;
    if (++k === K) k = 0;
  }
}
