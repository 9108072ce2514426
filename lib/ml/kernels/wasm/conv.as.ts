// AssemblyScript source of the WebAssembly convolution kernels (compiled by
// `deno task build-kernels` into `../conv_wasm_binary.ts`; never edit that file by hand).
//
// Every kernel works on one chunk of a batch that the caller has copied into this module's
// memory, and on plain f32 arrays at byte addresses the caller chose. A convolution is cut into
// three steps, each a simple loop:
//
//   1. a layout change: the chunk's input is gathered into "column" form colT[l][p], one row per
//      filter tap l = (fy·FW + fx)·C + c (the HWIO filter's row order) and one column per output
//      pixel p = (b·OH + oy)·OW + ox, zero where the tap falls in the padding; or the reverse
//      (scatter-add, for the input gradient);
//   2. a small matrix product with 128-bit SIMD (f32x4) along p, where every layer of every model
//      here has hundreds of pixels per image, whatever its channel counts (1 to 512);
//   3. a transposition between [channel][pixel] and NHWC.
//
// Determinism: every output value is a sum in one fixed order (the loop order below), which
// depends on the shapes only, never on the thread or the chunk that runs it. No fused
// multiply-add (relaxed SIMD would make results depend on the CPU): a product is rounded, then
// added. Pixel counts are padded to a multiple of 8 with zeros, which adds exact zeros.

/** First free byte after this module's own data: the caller places its arrays from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Smallest o ≥ 0 with o·s ≥ a (a may be negative). */
@inline
function ceilDivNonNeg(a: i32, s: i32): i32 {
  return a <= 0 ? 0 : (a + s - 1) / s;
}

/**
 * Number of o in [0, n) with o·s + t − pad inside [0, size): the upper end of the valid output
 * range for tap t (exclusive), given its lower end `lo`.
 */
@inline
function validHi(size: i32, t: i32, pad: i32, s: i32, n: i32, lo: i32): i32 {
  const top = size - 1 + pad - t; // largest o·s allowed
  if (top < 0) return lo;
  const hi = top / s + 1;
  return hi < n ? (hi < lo ? lo : hi) : n;
}

/** Filter columns whose valid output ranges {@linkcode columnRanges} keeps in a table. */
const MAX_TABLE_FW = 64;
/** Per filter column fx: [oxLo, oxHi) of the output columns whose tap lies inside the image. */
const COLUMN_RANGES = memory.data(MAX_TABLE_FW * 8);

/**
 * Fills {@linkcode COLUMN_RANGES} for a geometry, once per call rather than once per output row
 * and tap (two integer divisions each: a large share of the patch copies' time). Returns false
 * when FW is too large for the table; the caller then computes each range where it needs it.
 */
function columnRanges(W: i32, FW: i32, SW: i32, PL: i32, OW: i32): bool {
  if (FW > MAX_TABLE_FW) return false;
  for (let fx = 0; fx < FW; fx++) {
    const lo = ceilDivNonNeg(PL - fx, SW);
    store<i32>(COLUMN_RANGES + (<usize>fx << 3), lo);
    store<i32>(COLUMN_RANGES + (<usize>fx << 3), validHi(W, fx, PL, SW, OW, lo), 4);
  }
  return true;
}

/** oxLo of filter column fx: from the table when {@linkcode columnRanges} filled it. */
@inline
function columnLo(tabled: bool, fx: i32, SW: i32, PL: i32): i32 {
  return tabled ? load<i32>(COLUMN_RANGES + (<usize>fx << 3)) : ceilDivNonNeg(PL - fx, SW);
}

/** oxHi of filter column fx (see {@linkcode columnLo}). */
@inline
function columnHi(tabled: bool, fx: i32, W: i32, SW: i32, PL: i32, OW: i32, lo: i32): i32 {
  return tabled ? load<i32>(COLUMN_RANGES + (<usize>fx << 3), 4) : validHi(W, fx, PL, SW, OW, lo);
}

/** Zeroes n floats at `at`: a loop for the few padding columns of a row, else memory.fill. */
@inline
function zeroFloats(at: usize, n: i32): void {
  if (n <= 4) {
    for (let i = 0; i < n; i++) store<f32>(at + (<usize>i << 2), 0);
  } else {
    memory.fill(at, 0, <usize>n << 2);
  }
}

/**
 * colT[l][p] (row stride `pp` floats) from the NHWC images at `x` (`nb` images H×W×C): the
 * value tap l reads for output pixel p, 0 in the padding and for p ≥ nb·OH·OW.
 *
 * Loop order: output pixel row (b, oy), filter tap (fy, fx), output column ox, channel c. Each
 * step reads the C channels of one input pixel, which sit together in NHWC, and writes C
 * sequential streams (one per channel row of col). The other order (one col row at a time) reads
 * x at a stride of SW·C values, a new cache line for each value when C ≥ 8: measured 4.5× slower
 * on the paper's 32×32×8 layer.
 */
export function im2colT(
  x: usize, col: usize, nb: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PT: i32, PL: i32, pp: i32,
): void {
  const rowBytes = <usize>pp << 2;
  const step = <usize>(SW * C) << 2;
  const tabled = columnRanges(W, FW, SW, PL, OW);
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const p0 = (b * OH + oy) * OW;
      for (let fy = 0; fy < FH; fy++) {
        const iy = oy * SH + fy - PT;
        const rowInside = iy >= 0 && iy < H;
        for (let fx = 0; fx < FW; fx++) {
          const row0 = col + <usize>((fy * FW + fx) * C) * rowBytes + (<usize>p0 << 2);
          let oxLo = 0, oxHi = 0;
          if (rowInside) {
            oxLo = columnLo(tabled, fx, SW, PL);
            oxHi = columnHi(tabled, fx, W, SW, PL, OW, oxLo);
          }
          // Zero the columns this tap does not reach (padding), then copy the others.
          for (let c = 0; c < C; c++) {
            const row = row0 + <usize>c * rowBytes;
            if (oxLo > 0) zeroFloats(row, oxLo);
            if (oxHi < OW) zeroFloats(row + (<usize>oxHi << 2), OW - oxHi);
          }
          if (oxHi <= oxLo) continue;
          let src = x + (<usize>(((b * H + iy) * W + oxLo * SW + fx - PL) * C) << 2);
          let dst = row0 + (<usize>oxLo << 2);
          const end = row0 + (<usize>oxHi << 2);
          if (C == 1) {
            if (SW == 2) {
              // Four columns per step: the even lanes of eight consecutive inputs. The eighth is
              // one value past the last one used, still inside this memory (x is followed by the
              // caller's other arrays) and only read.
              while (dst + 16 <= end) {
                const v0 = v128.load(src), v1 = v128.load(src, 16);
                v128.store(dst, evenLanes(v0, v1));
                dst += 16;
                src += 32;
              }
            }
            while (dst < end) {
              store<f32>(dst, load<f32>(src));
              dst += 4;
              src += step;
            }
          } else {
            if (C % 4 == 0) {
              // Four columns by four channels per step: the channels of four input pixels,
              // transposed in registers into four rows of col.
              while (dst + 16 <= end) {
                let d = dst;
                for (let c = 0; c < C; c += 4) {
                  const s = src + (<usize>c << 2);
                  transpose4(s, step, d, rowBytes);
                  d += 4 * rowBytes;
                }
                dst += 16;
                src += 4 * step;
              }
            }
            while (dst < end) {
              let d = dst;
              for (let c = 0; c < C; c++) {
                store<f32>(d, load<f32>(src + (<usize>c << 2)));
                d += rowBytes;
              }
              dst += 4;
              src += step;
            }
          }
        }
      }
    }
  }
  // The padding columns [P, pp) of every row.
  const P = nb * OH * OW;
  if (P < pp) {
    const L = FH * FW * C;
    for (let l = 0; l < L; l++) {
      memory.fill(col + <usize>l * rowBytes + (<usize>P << 2), 0, <usize>(pp - P) << 2);
    }
  }
}

/**
 * The reverse of {@linkcode im2colT}: adds colT[l][p] into the NHWC images at `dx` (zeroed here
 * first), in the same loop order, so each dx value is a sum in a fixed order: output row oy,
 * filter row fy, filter column fx, output column ox.
 */
export function col2imAdd(
  col: usize, dx: usize, nb: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PT: i32, PL: i32, pp: i32,
): void {
  memory.fill(dx, 0, <usize>(nb * H * W * C) << 2);
  const rowBytes = <usize>pp << 2;
  const step = <usize>(SW * C) << 2;
  const tabled = columnRanges(W, FW, SW, PL, OW);
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const p0 = (b * OH + oy) * OW;
      for (let fy = 0; fy < FH; fy++) {
        const iy = oy * SH + fy - PT;
        if (iy < 0 || iy >= H) continue;
        for (let fx = 0; fx < FW; fx++) {
          const oxLo = columnLo(tabled, fx, SW, PL);
          const oxHi = columnHi(tabled, fx, W, SW, PL, OW, oxLo);
          if (oxHi <= oxLo) continue;
          const row0 = col + <usize>((fy * FW + fx) * C) * rowBytes + (<usize>p0 << 2);
          let dst = dx + (<usize>(((b * H + iy) * W + oxLo * SW + fx - PL) * C) << 2);
          let src = row0 + (<usize>oxLo << 2);
          const end = row0 + (<usize>oxHi << 2);
          if (C == 1) {
            if (SW == 2) {
              // Four columns per step into the even lanes of eight consecutive values; the odd
              // lanes get −0, which leaves every value as it is (also ±0 and NaN), so each value
              // still receives its additions one at a time in the loop order. The eighth value
              // may lie past the row (or the chunk: the caller's arrays follow dx in this
              // memory): it is written back unchanged.
              while (src + 16 <= end) {
                const c = v128.load(src);
                v128.store(dst, f32x4.add(v128.load(dst), interleaveNegZero(c, false)));
                v128.store(dst, f32x4.add(v128.load(dst, 16), interleaveNegZero(c, true)), 16);
                src += 16;
                dst += 32;
              }
            }
            while (src < end) {
              store<f32>(dst, load<f32>(dst) + load<f32>(src));
              src += 4;
              dst += step;
            }
          } else {
            while (src < end) {
              let s = src;
              for (let c = 0; c < C; c++) {
                const a = dst + (<usize>c << 2);
                store<f32>(a, load<f32>(a) + load<f32>(s));
                s += rowBytes;
              }
              src += 4;
              dst += step;
            }
          }
        }
      }
    }
  }
}

/**
 * out[i][p] = Σ_j m[i·si + j·sj] · inp[j][p] for i < I, p < pp (pp a multiple of 8; rows of
 * `inp` and `out` are pp floats apart), the sum taken in increasing j.
 *
 * With m the HWIO filter seen as W[l][k] (L×K): the forward convolution takes si = 1, sj = K
 * (out = Wᵀ·colT, one row per output channel); the input gradient si = K, sj = 1 (out = W·dyT,
 * one row per filter tap).
 *
 * Four rows by eight pixels per inner step: 8 accumulators, 2 vector loads and 4 load-and-splats
 * per j. Rows left over (I not a multiple of 4) go one at a time, sixteen pixels per step.
 */
export function gemmRows(
  m: usize, si: i32, sj: i32, inp: usize, out: usize, I: i32, J: i32, pp: i32,
): void {
  const rowBytes = <usize>pp << 2;
  const sjB = <usize>sj << 2;
  let i = 0;
  for (; i + 4 <= I; i += 4) {
    const m0 = m + (<usize>(i * si) << 2);
    const m1 = m + (<usize>((i + 1) * si) << 2);
    const m2 = m + (<usize>((i + 2) * si) << 2);
    const m3 = m + (<usize>((i + 3) * si) << 2);
    const o0 = out + <usize>i * rowBytes;
    for (let p: usize = 0; p < rowBytes; p += 32) {
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
      let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
      let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
      let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
      let src = inp + p;
      let mj: usize = 0;
      for (let j = 0; j < J; j++) {
        const v0 = v128.load(src);
        const v1 = v128.load(src, 16);
        const w0 = v128.load32_splat(m0 + mj);
        const w1 = v128.load32_splat(m1 + mj);
        const w2 = v128.load32_splat(m2 + mj);
        const w3 = v128.load32_splat(m3 + mj);
        a0 = f32x4.add(a0, f32x4.mul(v0, w0));
        b0 = f32x4.add(b0, f32x4.mul(v1, w0));
        a1 = f32x4.add(a1, f32x4.mul(v0, w1));
        b1 = f32x4.add(b1, f32x4.mul(v1, w1));
        a2 = f32x4.add(a2, f32x4.mul(v0, w2));
        b2 = f32x4.add(b2, f32x4.mul(v1, w2));
        a3 = f32x4.add(a3, f32x4.mul(v0, w3));
        b3 = f32x4.add(b3, f32x4.mul(v1, w3));
        src += rowBytes;
        mj += sjB;
      }
      const o = o0 + p;
      v128.store(o, a0);
      v128.store(o, b0, 16);
      v128.store(o + rowBytes, a1);
      v128.store(o + rowBytes, b1, 16);
      v128.store(o + 2 * rowBytes, a2);
      v128.store(o + 2 * rowBytes, b2, 16);
      v128.store(o + 3 * rowBytes, a3);
      v128.store(o + 3 * rowBytes, b3, 16);
    }
  }
  for (; i < I; i++) {
    const mi = m + (<usize>(i * si) << 2);
    const o0 = out + <usize>i * rowBytes;
    let p: usize = 0;
    for (; p + 64 <= rowBytes; p += 64) {
      let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0), d = f32x4.splat(0);
      let src = inp + p;
      let mj: usize = 0;
      for (let j = 0; j < J; j++) {
        const w = v128.load32_splat(mi + mj);
        a = f32x4.add(a, f32x4.mul(v128.load(src), w));
        b = f32x4.add(b, f32x4.mul(v128.load(src, 16), w));
        c = f32x4.add(c, f32x4.mul(v128.load(src, 32), w));
        d = f32x4.add(d, f32x4.mul(v128.load(src, 48), w));
        src += rowBytes;
        mj += sjB;
      }
      v128.store(o0 + p, a);
      v128.store(o0 + p, b, 16);
      v128.store(o0 + p, c, 32);
      v128.store(o0 + p, d, 48);
    }
    for (; p < rowBytes; p += 32) {
      let a = f32x4.splat(0), b = f32x4.splat(0);
      let src = inp + p;
      let mj: usize = 0;
      for (let j = 0; j < J; j++) {
        const w = v128.load32_splat(mi + mj);
        a = f32x4.add(a, f32x4.mul(v128.load(src), w));
        b = f32x4.add(b, f32x4.mul(v128.load(src, 16), w));
        src += rowBytes;
        mj += sjB;
      }
      v128.store(o0 + p, a);
      v128.store(o0 + p, b, 16);
    }
  }
}

/** Pixels summed in f32 lanes before the lane sums go into the f64 totals. */
const DOT_BLOCK: usize = 256 * 4;

/** ((v0 + v1) + (v2 + v3)) of a vector's lanes, in f64. */
@inline
function laneSum(v: v128): f64 {
  return <f64>(
    (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/**
 * acc[l·K + k] += Σ_p colT[l][p] · dyT[k][p] (f64 totals, HWIO order), for l < L, k < K, over
 * pp pixels (a multiple of 8); `acc` must be zero on entry. Each block of 256 pixels is summed
 * in four f32 lanes (lane q takes p ≡ q mod 4), its lanes added in a fixed order and the block
 * total added to the f64 total: f32 rounding stays within a block, and the order depends on the
 * shapes only.
 *
 * The blocks are the outer loop, so that the block's rows of colT and dyT (1 KB each) stay in
 * the L1 cache while every (l, k) pair reads them; with the rows outer, each l read all of dyT
 * (a chunk's 8 rows of 10,240 pixels: 320 KB) again from further away.
 */
export function dotRows(
  col: usize, dyT: usize, acc: usize, L: i32, K: i32, pp: i32,
): void {
  const rowBytes = <usize>pp << 2;
  for (let p0: usize = 0; p0 < rowBytes; p0 += DOT_BLOCK) {
    const p1 = p0 + DOT_BLOCK < rowBytes ? p0 + DOT_BLOCK : rowBytes;
    for (let l = 0; l < L; l++) {
      const c0 = col + <usize>l * rowBytes;
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const d0 = dyT + <usize>k * rowBytes;
        let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
        for (let p = p0; p < p1; p += 16) {
          const x = v128.load(c0 + p);
          const q = d0 + p;
          s0 = f32x4.add(s0, f32x4.mul(x, v128.load(q)));
          s1 = f32x4.add(s1, f32x4.mul(x, v128.load(q + rowBytes)));
          s2 = f32x4.add(s2, f32x4.mul(x, v128.load(q + 2 * rowBytes)));
          s3 = f32x4.add(s3, f32x4.mul(x, v128.load(q + 3 * rowBytes)));
        }
        const a = acc + (<usize>(l * K + k) << 3);
        store<f64>(a, load<f64>(a) + laneSum(s0));
        store<f64>(a, load<f64>(a, 8) + laneSum(s1), 8);
        store<f64>(a, load<f64>(a, 16) + laneSum(s2), 16);
        store<f64>(a, load<f64>(a, 24) + laneSum(s3), 24);
      }
      for (; k < K; k++) {
        const d0 = dyT + <usize>k * rowBytes;
        let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
        // Two accumulators, for pixels [p, p+4) and [p+4, p+8): pp is a multiple of 8.
        for (let p = p0; p < p1; p += 32) {
          s0 = f32x4.add(s0, f32x4.mul(v128.load(c0 + p), v128.load(d0 + p)));
          s1 = f32x4.add(s1, f32x4.mul(v128.load(c0 + p, 16), v128.load(d0 + p, 16)));
        }
        const a = acc + (<usize>(l * K + k) << 3);
        store<f64>(a, load<f64>(a) + laneSum(f32x4.add(s0, s1)));
      }
    }
  }
}

/** [v0₀, v0₂, v1₀, v1₂]: the even lanes of eight consecutive floats. */
@inline
function evenLanes(v0: v128, v1: v128): v128 {
  return i8x16.shuffle(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}

/** [c₀, −0, c₁, −0] (or [c₂, −0, c₃, −0] for the high half). */
@inline
function interleaveNegZero(c: v128, high: bool): v128 {
  const z = f32x4.splat(-0.0);
  return high
    ? i8x16.shuffle(c, z, 8, 9, 10, 11, 16, 17, 18, 19, 12, 13, 14, 15, 16, 17, 18, 19)
    : i8x16.shuffle(c, z, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 16, 17, 18, 19);
}

/**
 * Transposes the 4×4 block of vectors a, b, c, d (rows) and stores its columns at `o0` … `o3`:
 * o0 gets [a₀, b₀, c₀, d₀], and so on.
 */
@inline
function storeTransposed(a: v128, b: v128, c: v128, d: v128, o0: usize, o1: usize, o2: usize, o3: usize): void {
  const abLo = i8x16.shuffle(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  const abHi = i8x16.shuffle(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
  const cdLo = i8x16.shuffle(c, d, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  const cdHi = i8x16.shuffle(c, d, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
  v128.store(o0, i8x16.shuffle(abLo, cdLo, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  v128.store(o1, i8x16.shuffle(abLo, cdLo, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
  v128.store(o2, i8x16.shuffle(abHi, cdHi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  v128.store(o3, i8x16.shuffle(abHi, cdHi, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
}

/**
 * The 4×4 block of floats whose rows start at src, src + srcStride, … (four floats each), stored
 * transposed: row i of the result at dst + i·dstStride.
 */
@inline
function transpose4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  storeTransposed(
    v128.load(src),
    v128.load(src + srcStride),
    v128.load(src + 2 * srcStride),
    v128.load(src + 3 * srcStride),
    dst,
    dst + dstStride,
    dst + 2 * dstStride,
    dst + 3 * dstStride,
  );
}

/**
 * dst[k][p] = src[p][k] for p < P, k < K; dst rows pp floats apart, zero for p in [P, pp).
 * Four channels by four pixels per step (a 4×4 transposition in registers) where K is a
 * multiple of 4; a plain copy for K = 1; one value at a time otherwise.
 */
export function toChannelRows(src: usize, dst: usize, P: i32, K: i32, pp: i32): void {
  const rowBytes = <usize>pp << 2;
  if (K == 1) {
    memory.copy(dst, src, <usize>P << 2);
    memory.fill(dst + (<usize>P << 2), 0, <usize>(pp - P) << 2);
    return;
  }
  if (K % 4 == 0) {
    const pixelBytes = <usize>K << 2;
    const P4 = P & ~3;
    for (let k = 0; k < K; k += 4) {
      const r0 = dst + <usize>k * rowBytes;
      for (let p = 0; p < P4; p += 4) {
        const s = src + <usize>p * pixelBytes + (<usize>k << 2);
        const o = r0 + (<usize>p << 2);
        transpose4(s, pixelBytes, o, rowBytes);
      }
      for (let kk = k; kk < k + 4; kk++) {
        const row = dst + <usize>kk * rowBytes;
        for (let p = P4; p < P; p++) {
          store<f32>(row + (<usize>p << 2), load<f32>(src + (<usize>(p * K + kk) << 2)));
        }
        memory.fill(row + (<usize>P << 2), 0, <usize>(pp - P) << 2);
      }
    }
    return;
  }
  for (let k = 0; k < K; k++) {
    const row = dst + <usize>k * rowBytes;
    let s = src + (<usize>k << 2);
    const step = <usize>K << 2;
    for (let p = 0; p < P; p++) {
      store<f32>(row + (<usize>p << 2), load<f32>(s));
      s += step;
    }
    memory.fill(row + (<usize>P << 2), 0, <usize>(pp - P) << 2);
  }
}

/**
 * dst[p][k] = src[k][p] for p < P, k < K (src rows pp floats apart): back to NHWC. Four by four
 * in registers where K is a multiple of 4, a copy for K = 1 (as {@linkcode toChannelRows}).
 */
export function fromChannelRows(src: usize, dst: usize, P: i32, K: i32, pp: i32): void {
  const rowBytes = <usize>pp << 2;
  const step = <usize>K << 2;
  if (K == 1) {
    memory.copy(dst, src, <usize>P << 2);
    return;
  }
  if (K % 4 == 0) {
    const P4 = P & ~3;
    for (let k = 0; k < K; k += 4) {
      const r0 = src + <usize>k * rowBytes;
      for (let p = 0; p < P4; p += 4) {
        const r = r0 + (<usize>p << 2);
        const o = dst + <usize>p * step + (<usize>k << 2);
        transpose4(r, rowBytes, o, step);
      }
      for (let kk = k; kk < k + 4; kk++) {
        const row = src + <usize>kk * rowBytes;
        for (let p = P4; p < P; p++) {
          store<f32>(dst + (<usize>(p * K + kk) << 2), load<f32>(row + (<usize>p << 2)));
        }
      }
    }
    return;
  }
  for (let k = 0; k < K; k++) {
    const row = src + <usize>k * rowBytes;
    let d = dst + (<usize>k << 2);
    for (let p = 0; p < P; p++) {
      store<f32>(d, load<f32>(row + (<usize>p << 2)));
      d += step;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pixel-major path, for layers whose channel count along the SIMD axis is a multiple of 4: the
// vectors run along channels, which NHWC keeps together, so no transposition is needed. The
// channel-major path above is kept for the others (1, 2 or 3 channels, where vectors along
// channels would be mostly empty).

/**
 * col[p][l] (rows of L floats): the patch output pixel p reads, tap l = (fy·FW + fx)·C + c; 0 in
 * the padding. Rows for p in [P, pp) are zeroed. C must be a multiple of 4.
 */
export function im2colPix(
  x: usize, col: usize, nb: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PT: i32, PL: i32, pp: i32,
): void {
  const L = FH * FW * C;
  const rowBytes = <usize>L << 2;
  const cBytes = <usize>C << 2;
  let dst = col;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let d = dst;
        for (let fy = 0; fy < FH; fy++) {
          const iy = oy * SH + fy - PT;
          for (let fx = 0; fx < FW; fx++) {
            const ix = ox * SW + fx - PL;
            // Explicit vector moves: memory.fill and memory.copy cost a call each, far more
            // than moving 16 or 32 bytes.
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
              for (let c: usize = 0; c < cBytes; c += 16) v128.store(d + c, f32x4.splat(0));
            } else {
              const s = x + (<usize>(((b * H + iy) * W + ix) * C) << 2);
              for (let c: usize = 0; c < cBytes; c += 16) v128.store(d + c, v128.load(s + c));
            }
            d += cBytes;
          }
        }
        dst += rowBytes;
      }
    }
  }
  const P = nb * OH * OW;
  if (P < pp) memory.fill(col + <usize>P * rowBytes, 0, <usize>(pp - P) * rowBytes);
}

/**
 * out[p][n] = Σ_j a[p·lda + j] · b[j·N + n] for p < pp (a multiple of 4) and n < N (a multiple
 * of 4); rows of out are N floats. The sum is taken in increasing j.
 *
 * Four pixels by eight (or four) columns per inner step: 8 (4) accumulators, 2 (1) vector
 * loads of b and 4 load-and-splats of a per j.
 */
export function gemmPix(
  a: usize, lda: i32, b: usize, N: i32, out: usize, pp: i32, J: i32,
): void {
  const aRow = <usize>lda << 2;
  const bRow = <usize>N << 2;
  for (let p = 0; p < pp; p += 4) {
    const a0 = a + <usize>p * aRow;
    const o0 = out + <usize>p * bRow;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let bp = b + (<usize>n << 2);
      let ap = a0;
      for (let j = 0; j < J; j++) {
        const v0 = v128.load(bp);
        const v1 = v128.load(bp, 16);
        const x0 = v128.load32_splat(ap);
        const x1 = v128.load32_splat(ap + aRow);
        const x2 = v128.load32_splat(ap + 2 * aRow);
        const x3 = v128.load32_splat(ap + 3 * aRow);
        s00 = f32x4.add(s00, f32x4.mul(x0, v0));
        s01 = f32x4.add(s01, f32x4.mul(x0, v1));
        s10 = f32x4.add(s10, f32x4.mul(x1, v0));
        s11 = f32x4.add(s11, f32x4.mul(x1, v1));
        s20 = f32x4.add(s20, f32x4.mul(x2, v0));
        s21 = f32x4.add(s21, f32x4.mul(x2, v1));
        s30 = f32x4.add(s30, f32x4.mul(x3, v0));
        s31 = f32x4.add(s31, f32x4.mul(x3, v1));
        bp += bRow;
        ap += 4;
      }
      const o = o0 + (<usize>n << 2);
      v128.store(o, s00);
      v128.store(o, s01, 16);
      v128.store(o + bRow, s10);
      v128.store(o + bRow, s11, 16);
      v128.store(o + 2 * bRow, s20);
      v128.store(o + 2 * bRow, s21, 16);
      v128.store(o + 3 * bRow, s30);
      v128.store(o + 3 * bRow, s31, 16);
    }
    for (; n < N; n += 4) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let bp = b + (<usize>n << 2);
      let ap = a0;
      for (let j = 0; j < J; j++) {
        const v = v128.load(bp);
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), v));
        s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap + aRow), v));
        s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap + 2 * aRow), v));
        s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap + 3 * aRow), v));
        bp += bRow;
        ap += 4;
      }
      const o = o0 + (<usize>n << 2);
      v128.store(o, s0);
      v128.store(o + bRow, s1);
      v128.store(o + 2 * bRow, s2);
      v128.store(o + 3 * bRow, s3);
    }
  }
}

/**
 * The reverse of {@linkcode im2colPix} for C a multiple of 4: adds col[p][l] into the NHWC images
 * at `dx` (zeroed here first), four channels per vector. Order per dx value: output pixel
 * (b, oy, ox), then tap (fy, fx): fixed by the shapes.
 */
export function col2imPixAdd(
  col: usize, dx: usize, nb: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PT: i32, PL: i32, pp: i32,
): void {
  memory.fill(dx, 0, <usize>(nb * H * W * C) << 2);
  const L = FH * FW * C;
  const rowBytes = <usize>L << 2;
  const cBytes = <usize>C << 2;
  let src = col;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let s = src;
        for (let fy = 0; fy < FH; fy++) {
          const iy = oy * SH + fy - PT;
          for (let fx = 0; fx < FW; fx++) {
            const ix = ox * SW + fx - PL;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
              const d = dx + (<usize>(((b * H + iy) * W + ix) * C) << 2);
              for (let c: usize = 0; c < cBytes; c += 16) {
                v128.store(d + c, f32x4.add(v128.load(d + c), v128.load(s + c)));
              }
            }
            s += cBytes;
          }
        }
        src += rowBytes;
      }
    }
  }
}

/** dst[n][m] = src[m][n] for m < M, n < N (a small matrix: the filter, for the input gradient). */
export function transpose(src: usize, dst: usize, M: i32, N: i32): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      store<f32>(dst + (<usize>(n * M + m) << 2), load<f32>(src + (<usize>(m * N + n) << 2)));
    }
  }
}

/**
 * acc[l·K + k] += Σ_p col[p][l] · dy[p][k] (f64 totals, HWIO order) for l < L (a multiple of 4,
 * col rows L floats), k < K (dy rows K floats, NHWC), over pp pixels (rows past the chunk's
 * pixels are zero in col). Vectors run along l; each block of 256 pixels is summed in f32 and
 * its totals added to the f64 ones, as in {@linkcode dotRows}.
 */
export function dotPix(col: usize, dy: usize, acc: usize, L: i32, K: i32, pp: i32): void {
  const colRow = <usize>L << 2;
  const dyRow = <usize>K << 2;
  for (let p0 = 0; p0 < pp; p0 += 256) {
    const p1 = p0 + 256 < pp ? p0 + 256 : pp;
    let k = 0;
    for (; k + 2 <= K; k += 2) {
      let l = 0;
      for (; l + 16 <= L; l += 16) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        let cp = col + <usize>p0 * colRow + (<usize>l << 2);
        let dp = dy + <usize>p0 * dyRow + (<usize>k << 2);
        for (let p = p0; p < p1; p++) {
          const u = v128.load32_splat(dp);
          const v = v128.load32_splat(dp, 4);
          const c0 = v128.load(cp), c1 = v128.load(cp, 16);
          const c2 = v128.load(cp, 32), c3 = v128.load(cp, 48);
          a0 = f32x4.add(a0, f32x4.mul(c0, u));
          a1 = f32x4.add(a1, f32x4.mul(c1, u));
          a2 = f32x4.add(a2, f32x4.mul(c2, u));
          a3 = f32x4.add(a3, f32x4.mul(c3, u));
          b0 = f32x4.add(b0, f32x4.mul(c0, v));
          b1 = f32x4.add(b1, f32x4.mul(c1, v));
          b2 = f32x4.add(b2, f32x4.mul(c2, v));
          b3 = f32x4.add(b3, f32x4.mul(c3, v));
          cp += colRow;
          dp += dyRow;
        }
        addLanes(acc, l, k, K, a0);
        addLanes(acc, l + 4, k, K, a1);
        addLanes(acc, l + 8, k, K, a2);
        addLanes(acc, l + 12, k, K, a3);
        addLanes(acc, l, k + 1, K, b0);
        addLanes(acc, l + 4, k + 1, K, b1);
        addLanes(acc, l + 8, k + 1, K, b2);
        addLanes(acc, l + 12, k + 1, K, b3);
      }
      for (; l < L; l += 4) {
        let a = f32x4.splat(0), b = f32x4.splat(0);
        let cp = col + <usize>p0 * colRow + (<usize>l << 2);
        let dp = dy + <usize>p0 * dyRow + (<usize>k << 2);
        for (let p = p0; p < p1; p++) {
          const c = v128.load(cp);
          a = f32x4.add(a, f32x4.mul(c, v128.load32_splat(dp)));
          b = f32x4.add(b, f32x4.mul(c, v128.load32_splat(dp, 4)));
          cp += colRow;
          dp += dyRow;
        }
        addLanes(acc, l, k, K, a);
        addLanes(acc, l, k + 1, K, b);
      }
    }
    for (; k < K; k++) {
      for (let l = 0; l < L; l += 4) {
        let a = f32x4.splat(0);
        let cp = col + <usize>p0 * colRow + (<usize>l << 2);
        let dp = dy + <usize>p0 * dyRow + (<usize>k << 2);
        for (let p = p0; p < p1; p++) {
          a = f32x4.add(a, f32x4.mul(v128.load(cp), v128.load32_splat(dp)));
          cp += colRow;
          dp += dyRow;
        }
        addLanes(acc, l, k, K, a);
      }
    }
  }
}

/** acc[(l + q)·K + k] += lane q of v, for q < 4 (f64 totals). */
@inline
function addLanes(acc: usize, l: i32, k: i32, K: i32, v: v128): void {
  const a = acc + (<usize>(l * K + k) << 3);
  const s = <usize>K << 3;
  store<f64>(a, load<f64>(a) + <f64>f32x4.extract_lane(v, 0));
  store<f64>(a + s, load<f64>(a + s) + <f64>f32x4.extract_lane(v, 1));
  store<f64>(a + 2 * s, load<f64>(a + 2 * s) + <f64>f32x4.extract_lane(v, 2));
  store<f64>(a + 3 * s, load<f64>(a + 3 * s) + <f64>f32x4.extract_lane(v, 3));
}

// ---------------------------------------------------------------------------------------------
// Epilogue of a layer: bias and leaky ReLU applied to a chunk's output while it is still in this
// memory (and in cache), instead of two more passes over the whole activation in JavaScript.

/**
 * φ(v) = v for v ≥ 0 (and NaN, and −0), float32(α·v) in double precision below: the value the
 * JavaScript `LeakyRelu` stores, rounding for rounding (it multiplies a double by α, a double).
 */
@inline
function leakyScalar(v: f32, alpha: f64): f32 {
  return v < 0 ? <f32>(<f64>v * alpha) : v;
}

/**
 * The same for four lanes: both products in f64x2 (α·v is exact-then-rounded as above, never a
 * float32 product), chosen lane by lane where v < 0 (false for NaN, which is kept).
 */
@inline
function leakyVector(v: v128, a2: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), a2));
  const hiIn = i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(hiIn), a2));
  const scaled = i8x16.shuffle(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  return v128.bitselect(scaled, v, f32x4.lt(v, f32x4.splat(0)));
}

/**
 * In place over the `n` values at `y` (NHWC, K channels per pixel): y = φ(float32(y + bias[k])),
 * the bytes of the JavaScript bias addition followed by `LeakyRelu`. Vectors along channels when
 * K is a multiple of 4, along pixels with the bias repeated when K is 1 or 2, else one value at
 * a time.
 */
export function biasLeakyRelu(y: usize, n: i32, K: i32, bias: usize, alpha: f64): void {
  const a2 = f64x2.splat(alpha);
  if (K % 4 == 0) {
    const end = y + (<usize>n << 2);
    const pixelBytes = <usize>K << 2;
    for (let p = y; p < end; p += pixelBytes) {
      for (let k = 0; k < K; k += 4) {
        const at = p + (<usize>k << 2);
        const v = f32x4.add(v128.load(at), v128.load(bias + (<usize>k << 2)));
        v128.store(at, leakyVector(v, a2));
      }
    }
    return;
  }
  let i = 0;
  if (K == 1 || K == 2) {
    const b0 = load<f32>(bias), b1 = load<f32>(bias + (<usize>(K - 1) << 2));
    const pattern = f32x4.replace_lane(
      f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(b0), 1, b1), 2, b0),
      3,
      b1,
    );
    for (; i + 4 <= n; i += 4) {
      const at = y + (<usize>i << 2);
      v128.store(at, leakyVector(f32x4.add(v128.load(at), pattern), a2));
    }
  }
  for (; i < n; i++) {
    const at = y + (<usize>i << 2);
    store<f32>(at, leakyScalar(load<f32>(at) + load<f32>(bias + (<usize>(i % K) << 2)), alpha));
  }
}

// Elementwise kernels of the backward pass and the loss (their JavaScript counterparts are
// `leakyReluGradAndSumRange` and `squaredErrorSumRange` / `squaredErrorGradRange`). The caller
// copies one block of each operand into this memory per call. They give the bytes of the
// JavaScript loops: a float32 product of two float32 values is what JavaScript's double product
// rounds to, and every float64 sum adds the same values in the same order.

/** The upper two lanes of a f32x4 in its lower two (for `f64x2.promote_low_f32x4`). */
@inline
function highHalf(v: v128): v128 {
  return i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
}

/**
 * dz = dy·slope for four values, slope `sv` where x > 0 and `av` elsewhere, stored at `dz`;
 * returns dz.
 */
@inline
function gradStore(dy: usize, xv: v128, dz: usize, av: v128, sv: v128): v128 {
  const d = f32x4.mul(v128.load(dy), v128.bitselect(sv, av, f32x4.gt(xv, f32x4.splat(0))));
  v128.store(dz, d);
  return d;
}

/** Whether every lane of `bad` (a sum of x − x over the inputs) is 0: every x was finite. */
@inline
function allFinite(bad: v128): i32 {
  return i32(
    f32x4.extract_lane(bad, 0) == 0 && f32x4.extract_lane(bad, 1) == 0 &&
      f32x4.extract_lane(bad, 2) == 0 && f32x4.extract_lane(bad, 3) == 0,
  );
}

/**
 * The leaky ReLU's gradient and the layer's bias gradient over one block: dz = float32(dy·slope)
 * with slope `s` where x > 0 and `a` elsewhere (both float32), over the `n` values at dy, x (NHWC,
 * K channels per pixel, n a multiple of K), written at dz; each dz value, as a float64, added in
 * order to its channel's running sum at `sums` (K float64). Returns 1 if every x was finite, else
 * 0: a NaN x must give a NaN, which the select does not, so the caller redoes such a block.
 * Vectors along channels for K a multiple of 4 (sums in memory, each updated once per pixel),
 * along pixels for K = 1 (one running sum: bound by its adds' latency, as the JavaScript loop)
 * and K = 2 (two pixels a vector, the first's channels added before the second's); one value at a
 * time otherwise.
 */
export function leakyReluGradSum(
  dy: usize,
  x: usize,
  dz: usize,
  n: i32,
  K: i32,
  a: f32,
  s: f32,
  sums: usize,
): i32 {
  const av = f32x4.splat(a), sv = f32x4.splat(s);
  let bad = f32x4.splat(0);
  let i = 0;
  if (K % 4 == 0) {
    const bytes = <usize>n << 2, pixel = <usize>K << 2;
    for (let p: usize = 0; p < bytes; p += pixel) {
      for (let k: usize = 0; k < pixel; k += 16) {
        const at = p + k;
        const xv = v128.load(x + at);
        bad = f32x4.add(bad, f32x4.sub(xv, xv));
        const d = gradStore(dy + at, xv, dz + at, av, sv);
        const acc = sums + (k << 1);
        v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(d)));
        v128.store(acc + 16, f64x2.add(v128.load(acc + 16), f64x2.promote_low_f32x4(highHalf(d))));
      }
    }
    return allFinite(bad);
  }
  if (K == 1) {
    let t = load<f64>(sums);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const xv = v128.load(x + at);
      bad = f32x4.add(bad, f32x4.sub(xv, xv));
      const d = gradStore(dy + at, xv, dz + at, av, sv);
      t += <f64>f32x4.extract_lane(d, 0);
      t += <f64>f32x4.extract_lane(d, 1);
      t += <f64>f32x4.extract_lane(d, 2);
      t += <f64>f32x4.extract_lane(d, 3);
    }
    store<f64>(sums, t);
  } else if (K == 2) {
    let t = v128.load(sums);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const xv = v128.load(x + at);
      bad = f32x4.add(bad, f32x4.sub(xv, xv));
      const d = gradStore(dy + at, xv, dz + at, av, sv);
      t = f64x2.add(t, f64x2.promote_low_f32x4(d));
      t = f64x2.add(t, f64x2.promote_low_f32x4(highHalf(d)));
    }
    v128.store(sums, t);
  }
  // The values left (every value for other K), one at a time, channel i mod K.
  let worst: f32 = 0;
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const xv = load<f32>(x + at);
    worst += xv - xv;
    const d = load<f32>(dy + at) * (xv > 0 ? s : a);
    store<f32>(dz + at, d);
    const acc = sums + (<usize>(i % K) << 3);
    store<f64>(acc, load<f64>(acc) + <f64>d);
  }
  return allFinite(bad) & i32(worst == 0);
}

/**
 * The squared error's sum over one block: Σ float32(d·d), d = float32(y − t), over the `n`
 * values at y, t, each term added in order (float64) to the running sum at `sum`.
 */
export function squaredErrorSum(y: usize, t: usize, n: i32, sum: usize): void {
  let acc = load<f64>(sum);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const d = f32x4.sub(v128.load(y + at), v128.load(t + at));
    const q = f32x4.mul(d, d);
    acc += <f64>f32x4.extract_lane(q, 0);
    acc += <f64>f32x4.extract_lane(q, 1);
    acc += <f64>f32x4.extract_lane(q, 2);
    acc += <f64>f32x4.extract_lane(q, 3);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const d = load<f32>(y + at) - load<f32>(t + at);
    acc += <f64>(d * d);
  }
  store<f64>(sum, acc);
}

/** The squared error's gradient over one block: g = float32(float32(y − t)·c), n values. */
export function squaredErrorGrad(y: usize, t: usize, g: usize, n: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(g + at, f32x4.mul(f32x4.sub(v128.load(y + at), v128.load(t + at)), cv));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(g + at, (load<f32>(y + at) - load<f32>(t + at)) * c);
  }
}
