/**
 * The saved-weights format: two files, loadable without this code.
 *
 * - `weights.bin`: every tensor's float32 values, little-endian, C order, one after the
 *   other, nothing else.
 * - `weights.json`: `{ format: "autoencoder-weights/1", dtype: "<f4", byteLength, config,
 *   tensors: [{ name, shape, offset, length }], ...extra }`, where `offset` and `length` count
 *   float32 elements and `config` is the model's {@linkcode AutoencoderConfig}. Names are
 *   `<encoder|decoder>_<layer>_<kernel|bias>`; kernels are in TensorFlow layout (encoder
 *   [kh, kw, c_in, c_out], decoder [kh, kw, c_out, c_in]).
 *
 * In NumPy: `w = np.fromfile("weights.bin", "<f4")`, then
 * `w[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"])` for each entry `t`.
 *
 * The same bundle layout (with another `format`) stores Adam's state in checkpoints.
 *
 * @module
 */
import { type Autoencoder, type AutoencoderConfig, createAutoencoder } from "./model.ts";
import { stableJson } from "./npy.ts";

/** One tensor of a bundle. */
export interface BundleEntry {
  /** Stable name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Start, in float32 elements, in the `.bin` file. */
  offset: number;
  /** Number of float32 elements. */
  length: number;
}

/** The JSON half of a bundle. */
export interface BundleHeader {
  /** Format tag, e.g. `autoencoder-weights/1`. */
  format: string;
  /** Always `<f4`. */
  dtype: "<f4";
  /** Size of the `.bin` file. */
  byteLength: number;
  /** The tensors, in file order. */
  tensors: BundleEntry[];
  /** Anything else (the model configuration, training facts). */
  [extra: string]: unknown;
}

/** A named float32 tensor on the host. */
export interface HostTensor {
  /** Stable name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Values, C order. */
  data: Float32Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Packs tensors into a bundle (header + little-endian bytes). */
export function encodeBundle(
  format: string,
  tensors: HostTensor[],
  extra: Record<string, unknown> = {},
): { header: BundleHeader; bin: Uint8Array } {
  const entries: BundleEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const length = t.shape.reduce((a, b) => a * b, 1);
    if (length !== t.data.length) {
      throw new Error(
        `Cannot save tensor "${t.name}": shape [${t.shape}] holds ${length} values, data has ${t.data.length}`,
      );
    }
    entries.push({ name: t.name, shape: t.shape, offset, length });
    offset += length;
  }
  const bin = new Uint8Array(offset * 4);
  const view = new DataView(bin.buffer);
  for (let i = 0; i < tensors.length; i++) {
    const { data } = tensors[i];
    const at = entries[i].offset * 4;
    if (LITTLE_ENDIAN_HOST) {
      bin.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else for (let k = 0; k < data.length; k++) view.setFloat32(at + 4 * k, data[k], true);
  }
  return {
    header: { ...extra, format, dtype: "<f4", byteLength: bin.byteLength, tensors: entries },
    bin,
  };
}

/** Unpacks a bundle into host tensors by name. */
export function decodeBundle(
  header: BundleHeader,
  bin: Uint8Array,
  where = "bundle",
): Map<string, HostTensor> {
  if (header.dtype !== "<f4" || bin.byteLength !== header.byteLength) {
    throw new Error(
      `Cannot read weights "${where}": expected ${header.byteLength} bytes of <f4, found ${bin.byteLength} bytes of ${header.dtype}; are the .json and .bin from the same save?`,
    );
  }
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out = new Map<string, HostTensor>();
  for (const e of header.tensors) {
    const data = new Float32Array(e.length);
    for (let k = 0; k < e.length; k++) data[k] = view.getFloat32(4 * (e.offset + k), true);
    out.set(e.name, { name: e.name, shape: e.shape, data });
  }
  return out;
}

/** Writes a bundle as `<jsonPath>` and `<binPath>`. */
export async function writeBundle(
  jsonPath: string,
  binPath: string,
  format: string,
  tensors: HostTensor[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const { header, bin } = encodeBundle(format, tensors, extra);
  await Deno.writeFile(binPath, bin);
  await Deno.writeTextFile(jsonPath, stableJson(header) + "\n");
}

/** Reads a bundle written by {@linkcode writeBundle}. */
export async function readBundle(
  jsonPath: string,
  binPath: string,
): Promise<{ header: BundleHeader; tensors: Map<string, HostTensor> }> {
  const header = JSON.parse(await Deno.readTextFile(jsonPath)) as BundleHeader;
  return { header, tensors: decodeBundle(header, await Deno.readFile(binPath), jsonPath) };
}

/** The format tag of saved model weights. */
export const WEIGHTS_FORMAT = "autoencoder-weights/1";

/** The model's variables as host tensors (reads back from the device). */
export async function modelTensors(model: Autoencoder): Promise<HostTensor[]> {
  const values = await model.readWeights();
  return model.variables.map((v) => ({
    name: v.name,
    shape: v.variable.shape,
    data: values[v.name],
  }));
}

/** Saves a model's weights and configuration (see the module documentation). */
export async function saveWeights(
  model: Autoencoder,
  jsonPath: string,
  binPath: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await writeBundle(jsonPath, binPath, WEIGHTS_FORMAT, await modelTensors(model), {
    ...extra,
    config: model.config,
  });
}

/** Saved weights read back: the configuration and the values by name. */
export interface LoadedWeights {
  /** The architecture. */
  config: AutoencoderConfig;
  /** Values by variable name. */
  values: Record<string, Float32Array>;
  /** The whole header (training facts the saver added). */
  header: BundleHeader;
}

/** Reads saved weights. */
export async function readWeights(jsonPath: string, binPath: string): Promise<LoadedWeights> {
  const { header, tensors } = await readBundle(jsonPath, binPath);
  if (header.format !== WEIGHTS_FORMAT) {
    throw new Error(
      `Cannot load weights "${jsonPath}": format "${header.format}", expected "${WEIGHTS_FORMAT}"`,
    );
  }
  const values: Record<string, Float32Array> = {};
  for (const [name, t] of tensors) values[name] = t.data;
  return { config: header.config as AutoencoderConfig, values, header };
}

/** Builds a model from saved weights (its initial seed is irrelevant: every value is overwritten). */
export async function loadWeightsModel(jsonPath: string, binPath: string): Promise<Autoencoder> {
  const w = await readWeights(jsonPath, binPath);
  const model = createAutoencoder(w.config, 0);
  try {
    model.writeWeights(w.values);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
