/**
 * Saved DCGANs: one bundle (`weights.json` + `weights.bin`, the layout of
 * `lib/ml/weights_io.ts`, format `dcgan-weights/1`) holding every seed's generator and
 * discriminator, tensor names prefixed `seed<k>/` (e.g. `seed2/g_conv1_kernel`), with the
 * configuration and the seeds in the header.
 *
 * In NumPy: `w = np.fromfile("weights.bin", "<f4")`, then for each entry t of
 * `weights.json`'s `tensors`, `w[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"])`.
 * Kernels are in TensorFlow layout (conv [kh, kw, in, out], transposed conv [kh, kw, out, in]).
 *
 * @module
 */
import { type HostTensor, readBundle, writeBundle } from "../../lib/ml/weights_io.ts";
import { createDcgan, type Dcgan, type DcganConfig } from "./model.ts";

/** The format tag of a DCGAN bundle. */
export const DCGAN_WEIGHTS_FORMAT = "dcgan-weights/1";

/** One seed's weights on the host. */
export interface SeedWeights {
  /** The seed label (the stage's `seeds` entry). */
  seed: number;
  /** Every tensor by name (without the prefix). */
  values: Record<string, Float32Array>;
}

/** A bundle read back. */
export interface DcganBundle {
  /** The architecture shared by every seed. */
  config: DcganConfig;
  /** Each seed's weights, in file order. */
  seeds: SeedWeights[];
  /** Everything else the header holds. */
  header: Record<string, unknown>;
}

/** Writes every seed's model into one bundle. */
export async function saveDcganBundle(
  jsonPath: string,
  binPath: string,
  config: DcganConfig,
  models: { seed: number; model: Dcgan }[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const tensors: HostTensor[] = [];
  for (const { seed, model } of models) {
    const values = await model.readWeights();
    for (const t of model.tensors) {
      tensors.push({
        name: `seed${seed}/${t.name}`,
        shape: t.variable.shape,
        data: values[t.name],
      });
    }
  }
  await writeBundle(jsonPath, binPath, DCGAN_WEIGHTS_FORMAT, tensors, {
    ...extra,
    config,
    seeds: models.map((m) => m.seed),
  });
}

/** Reads a bundle written by {@linkcode saveDcganBundle}. */
export async function readDcganBundle(jsonPath: string, binPath: string): Promise<DcganBundle> {
  const { header, tensors } = await readBundle(jsonPath, binPath);
  if (header.format !== DCGAN_WEIGHTS_FORMAT) {
    throw new Error(
      `Cannot load DCGAN weights "${jsonPath}": format "${header.format}", expected "${DCGAN_WEIGHTS_FORMAT}"; is it the output of train-dcgan?`,
    );
  }
  const seeds = (header.seeds as number[]).map((seed) => {
    const prefix = `seed${seed}/`;
    const values: Record<string, Float32Array> = {};
    for (const [name, t] of tensors) {
      if (name.startsWith(prefix)) values[name.slice(prefix.length)] = t.data;
    }
    return { seed, values };
  });
  return { config: header.config as DcganConfig, seeds, header };
}

/** Builds the model of one seed of a bundle (its initial draw is overwritten). */
export function buildSeedModel(config: DcganConfig, weights: SeedWeights): Dcgan {
  const model = createDcgan(config, 0);
  try {
    model.writeWeights(weights.values);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
