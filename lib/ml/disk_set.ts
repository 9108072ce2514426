/**
 * A disk data set as a dataset stage writes it (`images.npy`, float32 [n, m, m], and
 * `radii.npy`, [n]), read back for evaluation.
 *
 * @module
 */
import { readNpy, readNpyFloat32 } from "./npy.ts";

/** A stack of square disk images with their radii. */
export interface DiskSet {
  /** n × m × m values, row-major. */
  images: Float32Array;
  /** The radius of each image. */
  radii: Float64Array;
  /** Number of images n. */
  count: number;
  /** Image side m. */
  size: number;
}

/** Reads a dataset stage's `images.npy` and `radii.npy`. */
export async function readDiskSet(imagesPath: string, radiiPath: string): Promise<DiskSet> {
  const images = await readNpyFloat32(imagesPath);
  const radii = await readNpy(radiiPath);
  const [count, h, w] = images.shape;
  if (images.shape.length !== 3 || h !== w || radii.data.length !== count) {
    throw new Error(
      `Cannot read disks "${imagesPath}": shape [${images.shape}] with ${radii.data.length} radii; expected [n, m, m] and n radii; regenerate its dataset stage`,
    );
  }
  return { images: images.data, radii: Float64Array.from(radii.data), count, size: h };
}
