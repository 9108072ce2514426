/**
 * Scalar images (the experiments' float arrays) turned into 8-bit rasters through a value range
 * and a colour map, and enlarged by an integer factor with nearest-neighbour sampling so that
 * every pixel stays a crisp square whatever the SVG renderer does with embedded images.
 *
 * @module
 */

import { colormapIndex, type ColormapName, colormapTable } from "./colormap.ts";
import type { Raster } from "./png.ts";

/** A scalar image: `height` rows of `width` values, row-major, values nominally in [0, 1]. */
export interface ScalarImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height` values, row by row from the top. */
  data: ArrayLike<number>;
}

/** Checks that an image's data length matches its size. */
export function checkImage(img: ScalarImage, what = "image"): void {
  if (
    !Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 ||
    img.height < 1 || img.data.length !== img.width * img.height
  ) {
    throw new Error(
      `Cannot draw ${what} of size "${img.width}x${img.height}": data has ${img.data.length} ` +
        `values; fix: pass width*height values, row-major`,
    );
  }
}

/** Smallest and largest finite values over several images ([0, 1] when there are none). */
export function valueExtent(images: readonly ScalarImage[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const img of images) {
    for (let i = 0; i < img.data.length; i++) {
      const v = img.data[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Options for {@link imageToRaster}. */
export interface RasterOptions {
  /** Values mapped to the two ends of the colour map; values outside are clipped. */
  range: readonly [number, number];
  /** Colour map (default grey: black = low, white = high). */
  colormap?: ColormapName;
  /** Integer enlargement factor (default 1): each value becomes a scale×scale block. */
  scale?: number;
  /** Integer enlargement along x only (overrides `scale` for x). */
  scaleX?: number;
  /** Integer enlargement along y only (overrides `scale` for y). */
  scaleY?: number;
}

/**
 * Maps an image through `range` and a colour map to an 8-bit raster (grey maps give one
 * channel, the others RGB), enlarged by integer factors with nearest-neighbour sampling.
 */
export function imageToRaster(img: ScalarImage, opts: RasterOptions): Raster {
  checkImage(img);
  const sx = opts.scaleX ?? opts.scale ?? 1, sy = opts.scaleY ?? opts.scale ?? 1;
  if (!Number.isInteger(sx) || !Number.isInteger(sy) || sx < 1 || sy < 1) {
    throw new Error(
      `Cannot enlarge image by "${sx}x${sy}": factors must be positive integers; ` +
        `fix: round the scale`,
    );
  }
  const [lo, hi] = opts.range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo)) {
    throw new Error(
      `Cannot map values with range "[${lo}, ${hi}]": it must be finite and increasing; ` +
        `fix: pass [lo, hi] with lo <= hi`,
    );
  }
  const name = opts.colormap ?? "grey";
  const table = colormapTable(name);
  const channels = name === "grey" ? 1 : 3;
  const span = hi - lo;
  // A constant image (span 0) is drawn mid-scale rather than dividing by zero.
  const t = (v: number) => span > 0 ? (v - lo) / span : 0.5;
  const W = img.width * sx, H = img.height * sy;
  const out = new Uint8Array(W * H * channels);
  for (let y = 0; y < img.height; y++) {
    // Build one enlarged row, then copy it sy times.
    const rowStart = y * sy * W * channels;
    for (let x = 0; x < img.width; x++) {
      const k = 3 * colormapIndex(t(img.data[y * img.width + x]));
      for (let dx = 0; dx < sx; dx++) {
        const o = rowStart + (x * sx + dx) * channels;
        if (channels === 1) out[o] = table[k];
        else out[o] = table[k], out[o + 1] = table[k + 1], out[o + 2] = table[k + 2];
      }
    }
    const row = out.subarray(rowStart, rowStart + W * channels);
    for (let dy = 1; dy < sy; dy++) out.set(row, rowStart + dy * W * channels);
  }
  return { width: W, height: H, channels, data: out };
}
