/**
 * Reading the weights of a Keras model saved with `model.save_weights(...)` (HDF5): the file's
 * root attribute `layer_names` lists the layers in model order; each layer's group has an
 * attribute `weight_names` (e.g. `conv2d_1/kernel:0`, `conv2d_1/bias:0`) naming datasets
 * under that group. The HDF5 format itself is read by `h5wasm` (the HDF5 C library compiled to
 * WebAssembly); it works on its own in-memory file system, so the bytes are read here (with
 * the caller's read permission, nothing more) and written there. It is imported on first use:
 * compiling its 4 MB of WebAssembly takes about half a second, which every other stage process
 * (they all load the stage registry) would otherwise pay.
 *
 * @module
 */
import type { File as H5File } from "h5wasm";

/** One weight array of a layer. */
export interface KerasWeight {
  /** Name within the layer, e.g. `kernel:0`, `bias:0`. */
  name: string;
  /** Shape as Keras stores it (Conv2D kernel [kh, kw, in, out]; Conv2DTranspose [kh, kw, out, in]). */
  shape: number[];
  /** Values, row-major (C order), as float32. */
  data: Float32Array;
}

/** One layer of the file: its name and weights (empty for activations and inputs). */
export interface KerasLayer {
  /** Layer name, e.g. `conv2d_1`. */
  name: string;
  /** Its weights, in the order of `weight_names`. */
  weights: KerasWeight[];
}

/** What {@link readKerasWeights} returns. */
export interface KerasWeightsFile {
  /** Root attributes that are plain strings (`keras_version`, `backend`). */
  attributes: Record<string, string>;
  /** Every layer of `layer_names`, in that order. */
  layers: KerasLayer[];
}

let opened = 0;

/** The HDF5 format signature; a superblock starts with it at byte 0, 512, 1024, 2048, … */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the bytes carry the HDF5 signature where a superblock may start. Checked first so
 * that another file gets one clear error, not the HDF5 library's diagnostics. */
export function looksLikeHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

function asStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.map(String);
  return []; // h5wasm gives an empty object for an empty string array
}

/**
 * Reads every layer's weights from a Keras HDF5 weights file.
 *
 * @throws {Error} when the file is not HDF5 or lacks `layer_names` (not a Keras weights file).
 */
export async function readKerasWeights(path: string): Promise<KerasWeightsFile> {
  const bytes = await Deno.readFile(path);
  if (!looksLikeHdf5(bytes)) {
    throw new Error(`Cannot read "${path}": no HDF5 signature; is it a Keras .h5 weights file?`);
  }
  const { default: h5wasm } = await import("h5wasm");
  const { FS } = await h5wasm.ready;
  if (!FS) throw new Error(`Cannot read "${path}": h5wasm has no file system; reinstall h5wasm`);
  const name = `/keras_weights_${opened++}.h5`;
  FS.writeFile(name, bytes);
  let file: H5File | null = null;
  try {
    file = new h5wasm.File(name, "r");
    const layerNames = asStrings(file.attrs["layer_names"]?.value);
    if (layerNames.length === 0) {
      throw new Error(
        `Cannot read "${path}": no layer_names attribute; is it a Keras weights file (model.save_weights)?`,
      );
    }
    const attributes: Record<string, string> = {};
    for (const [k, a] of Object.entries(file.attrs)) {
      if (typeof a.value === "string") attributes[k] = a.value;
    }
    const layers = layerNames.map((layer): KerasLayer => {
      const group = file!.get(layer);
      if (!(group instanceof h5wasm.Group)) {
        throw new Error(
          `Cannot read "${path}": layer "${layer}" has no group; the file is damaged`,
        );
      }
      const weights = asStrings(group.attrs["weight_names"]?.value).map((w): KerasWeight => {
        const ds = group.get(w);
        if (!(ds instanceof h5wasm.Dataset) || !ds.shape) {
          throw new Error(`Cannot read "${path}": weight "${layer}/${w}" is not a dataset`);
        }
        const value = ds.value;
        if (!ArrayBuffer.isView(value) || value instanceof DataView) {
          throw new Error(
            `Cannot read "${path}": weight "${layer}/${w}" is not numeric (dtype ${ds.dtype})`,
          );
        }
        return {
          name: w.slice(w.lastIndexOf("/") + 1),
          shape: [...ds.shape],
          data: value instanceof Float32Array
            ? Float32Array.from(value)
            : Float32Array.from(value as unknown as ArrayLike<number>),
        };
      });
      return { name: layer, weights };
    });
    return { attributes, layers };
  } finally {
    file?.close();
    FS.unlink(name);
  }
}
