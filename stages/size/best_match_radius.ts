/**
 * The radius of the clean disk an output looks most like, for P-Fig 5's claim that the
 * network "seems to project these disks onto smaller, observed, disks" (P§4.3): for an output
 * y, the r′ minimising ‖y − x_r′‖ over exact blurred disks x_r′ (the test set's geometry) on a
 * fine grid of radii.
 *
 * Why beside r̂ = √(area/π) (`radius_estimate.ts`): r̂ only counts bright pixels, so a blurred
 * or grey output, or a disk with a dim rim, gets a radius that depends on the threshold; the
 * best-matching disk asks which disk the whole output is nearest to, pixel by pixel, which is
 * what "projects onto a disk" says. On a clean disk both give back its radius.
 *
 * @module
 */
import { type DiskGeometry, ExactDiskRenderer } from "../../lib/ml/disks.ts";

/** Clean disks of increasing radius, rendered once and matched against many outputs. */
export interface DiskBank {
  /** The radii r′, increasing. */
  radii: Float64Array;
  /** The disks x_r′, one image after the other. */
  images: Float32Array;
  /** Pixels per image. */
  pixels: number;
}

/** Exact blurred disks of radii 0, step, 2·step, … up to maxRadius, in `geometry`. */
export function cleanDiskBank(geometry: DiskGeometry, maxRadius: number, step: number): DiskBank {
  if (!(step > 0) || !(maxRadius > 0)) {
    throw new RangeError(
      `Cannot build clean disks up to radius ${maxRadius} every ${step} px: both must be > 0`,
    );
  }
  const n = Math.floor(maxRadius / step + 1e-9) + 1;
  const radii = Float64Array.from({ length: n }, (_, i) => i * step);
  const renderer = new ExactDiskRenderer(geometry);
  const pixels = geometry.size * geometry.size;
  const images = new Float32Array(n * pixels);
  radii.forEach((r, i) => renderer.render(r, images.subarray(i * pixels, (i + 1) * pixels)));
  return { radii, images, pixels };
}

/** The best-matching clean disk of an image. */
export interface BestMatch {
  /** Its radius r′. */
  radius: number;
  /** ‖y − x_r′‖², summed over pixels. */
  distance: number;
}

/** argmin over the bank's radii r′ of ‖image − x_r′‖² (the smallest r′ on a tie). */
export function bestMatchRadius(image: ArrayLike<number>, bank: DiskBank): BestMatch {
  if (image.length !== bank.pixels) {
    throw new RangeError(
      `Cannot match an image of ${image.length} pixels against disks of ${bank.pixels}`,
    );
  }
  let best = 0, bestDistance = Infinity;
  for (let k = 0; k < bank.radii.length; k++) {
    const off = k * bank.pixels;
    let d = 0;
    for (let p = 0; p < bank.pixels; p++) {
      const e = image[p] - bank.images[off + p];
      d += e * e;
    }
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return { radius: bank.radii[best], distance: bestDistance };
}
