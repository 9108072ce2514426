/**
 * Geometric attributes measured on the images themselves, the ones the authors' PCAAE notebook
 * correlates with the code components (its `evaluation`), adapted to our centre
 * ((m−1)/2, (m−1)/2) = (31.5, 31.5):
 *
 * - area S = Σ_pixels x: the grey mass (for a binary shape, its area in pixels; blur keeps it);
 * - horizontal / vertical extent ratio H = L_h / L_v, with L_h the mass of the central row and
 *   L_v that of the central column. For even m the centre lies between rows m/2 − 1 and m/2,
 *   so L_h is the mean of those two rows' sums (and L_v of the two columns'); the notebook,
 *   with its centre on pixel 32, summed row 31 and column 31;
 * - diagonal extent ratio V = L_d / L_a, L_d = Σ_i x[i, i] (the main diagonal, through the
 *   centre), L_a = Σ_i x[i, m−1−i] (the anti-diagonal, through the centre too).
 *
 * The ratios are what the notebook reports (0.977 / 0.788 / 0.745 for its PCA-like
 * autoencoder); |Pearson| of each code component with each attribute is computed elsewhere.
 *
 * @module
 */

/** The three attributes of each image. */
export interface ImageAttributes {
  /** Σ x per image. */
  area: Float64Array;
  /** L_h / L_v per image. */
  hvRatio: Float64Array;
  /** L_d / L_a per image. */
  diagRatio: Float64Array;
}

/** Measures the attributes of n images of m×m (row-major, image after image). */
export function measureAttributes(images: Float32Array, size: number): ImageAttributes {
  const P = size * size;
  if (images.length % P !== 0) {
    throw new Error(
      `Cannot measure attributes: ${images.length} values is not a whole number of ${size}×${size} images`,
    );
  }
  const n = images.length / P;
  const area = new Float64Array(n), hvRatio = new Float64Array(n), diagRatio = new Float64Array(n);
  // Central rows/columns: one when m is odd, the two around the centre when m is even.
  const mid = size % 2 === 1 ? [(size - 1) / 2] : [size / 2 - 1, size / 2];
  for (let k = 0; k < n; k++) {
    const x = images.subarray(k * P, (k + 1) * P);
    let s = 0, lh = 0, lv = 0, ld = 0, la = 0;
    for (let p = 0; p < P; p++) s += x[p];
    for (const r of mid) {
      for (let j = 0; j < size; j++) {
        lh += x[r * size + j];
        lv += x[j * size + r];
      }
    }
    for (let i = 0; i < size; i++) {
      ld += x[i * size + i];
      la += x[i * size + (size - 1 - i)];
    }
    area[k] = s;
    hvRatio[k] = Math.abs(lh / lv);
    diagRatio[k] = Math.abs(ld / la);
  }
  return { area, hvRatio, diagRatio };
}
