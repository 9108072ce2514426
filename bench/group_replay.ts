/**
 * Retrains published disk-autoencoder trainings as one group and compares the bytes:
 *
 *     deno run -A bench/group_replay.ts --archive results/<run>/trainings.tar.gz \
 *       --images PATH/images.npy --keys PATH/radii.npy [--threads N] STAGE...
 *
 * Each STAGE's `weights.json` in the archive records what it was trained with (seed, data
 * count, every parameter, the kept update); `--images` and `--keys` are the dataset it read
 * (its manifest's input hashes are checked against them). The stages train together through
 * `lib/ml/group/group_train.ts`, and each model's weights are compared with the archive's
 * `weights.bin` byte for byte, and its loss curve with `loss.json`. Exit 0 when every stage
 * matches, 1 otherwise; 2 on bad input.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { initBackend } from "../lib/ml/backend.ts";
import { readNpy, readNpyFloat32 } from "../lib/ml/npy.ts";
import type { AutoencoderConfig } from "../lib/ml/model.ts";
import type { TrainSettings } from "../lib/ml/train.ts";
import { trainSettings, type TrainStageParams } from "../lib/ml/train_stage.ts";
import { type BundleHeader, decodeBundle } from "../lib/ml/weights_io.ts";
import { trainGroup } from "../lib/ml/group/group_train.ts";
import { lossFileText, termRunLoss } from "../lib/train/loss_file.ts";
import { unpackTarGz } from "../pipeline/tar.ts";

/** One stage's files from the archive. */
interface Published {
  weights: BundleHeader & {
    config: AutoencoderConfig;
    training: { seed: number; count: number; params: TrainStageParams };
  };
  bin: Uint8Array;
  loss: string;
  inputs: Record<string, string>;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether two float32 arrays hold the same bytes. */
function sameBytes(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

/** The settings a training stage passed to `train()`, from its saved parameters. */
function settingsOf(p: Published): TrainSettings {
  const t = p.weights.training;
  return trainSettings(t.params, p.weights.config, t.seed);
}

/** Reads a file the user named, or null after one line saying which and why. */
async function readNamed(flag: string, path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    console.error(
      `Cannot replay: cannot read ${flag} "${path}" (${
        e instanceof Error ? e.message.split(":")[0] : e
      }); give an existing file`,
    );
    return null;
  }
}

/** The command: returns its exit code (0 all match, 1 some differ, 2 bad input). */
export async function replayMain(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        archive: { type: "string" },
        images: { type: "string" },
        keys: { type: "string" },
        threads: { type: "string" },
      },
    });
  } catch (e) {
    console.error(
      `Cannot replay: ${
        e instanceof Error ? e.message : e
      }; see the usage at the top of bench/group_replay.ts`,
    );
    return 2;
  }
  const { values: v, positionals: stages } = parsed;
  const threads = Number(v.threads ?? 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    console.error(
      `Cannot replay: --threads "${v.threads}" is not an integer from 1 to 64; give one`,
    );
    return 2;
  }
  if (!v.archive || !v.images || !v.keys || stages.length === 0) {
    console.error(
      "Cannot replay: give --archive FILE, --images NPY, --keys NPY and at least one stage id",
    );
    return 2;
  }
  const archive = await readNamed("--archive", v.archive);
  if (!archive) return 2;
  let files: Map<string, Uint8Array>;
  try {
    files = new Map(unpackTarGz(archive));
  } catch {
    console.error(
      `Cannot replay: --archive "${v.archive}" is not a gzip'd tar; give a run's trainings.tar.gz`,
    );
    return 2;
  }
  const published: Published[] = [];
  for (const id of stages) {
    const prefix = [...files.keys()].find((f) => f.startsWith(`cache/${id}/`))
      ?.split("/").slice(0, 3).join("/");
    if (!prefix) {
      console.error(`Cannot replay "${id}": the archive holds no such training; name one it holds`);
      return 2;
    }
    const missing = ["manifest.json", "weights.json", "weights.bin", "loss.json"]
      .filter((name) => !files.has(`${prefix}/${name}`));
    if (missing.length > 0) {
      console.error(
        `Cannot replay "${id}": its entry in the archive has no ${
          missing.join(", ")
        }, so it is not a training; name a training stage`,
      );
      return 2;
    }
    const text = (name: string) => new TextDecoder().decode(files.get(`${prefix}/${name}`)!);
    const manifest = JSON.parse(text("manifest.json"));
    published.push({
      weights: JSON.parse(text("weights.json")),
      bin: files.get(`${prefix}/weights.bin`)!,
      loss: text("loss.json"),
      inputs: Object.fromEntries(
        Object.entries(manifest.inputs as Record<string, { sha256: string }>).map((
          [k, e],
        ) => [k, e.sha256]),
      ),
    });
  }
  const imagesBytes = await readNamed("--images", v.images);
  const keysBytes = imagesBytes && await readNamed("--keys", v.keys);
  if (!imagesBytes || !keysBytes) return 2;
  const imagesHash = await sha256Hex(imagesBytes);
  const keysHash = await sha256Hex(keysBytes);
  for (const [i, p] of published.entries()) {
    if (p.inputs.images !== imagesHash || p.inputs.keys !== keysHash) {
      console.error(
        `Cannot replay "${
          stages[i]
        }": --images or --keys is not the dataset it was trained on; build that dataset (its profile's data stage) and pass its files`,
      );
      return 2;
    }
  }
  await initBackend("cpu", { cpuThreads: threads });
  const images = await readNpyFloat32(v.images);
  const keys = (await readNpy(v.keys)).data;
  const members = published.map(settingsOf);
  console.log(`training ${members.length} models together on the cpu...`);
  const r = await trainGroup({ count: images.shape[0], images: images.data, keys }, members, {
    onProgress: (step, total) => {
      if (step % 1000 === 0) console.log(`  update ${step} of ${total}`);
    },
  });
  let same = 0;
  for (const [i, p] of published.entries()) {
    const m = r.members[i];
    const want = decodeBundle(p.weights, p.bin, stages[i]);
    const weightsMatch = [...want.values()].every((t) => {
      const got = m.weights[t.name];
      return got !== undefined && sameBytes(got, t.data);
    });
    const seed = members[i].seed;
    const lossMatch = lossFileText([termRunLoss("", seed, m.lossCurve, m.kept)]) ===
      inOneFormat(p.loss, seed);
    if (weightsMatch && lossMatch) same++;
    console.log(
      `${stages[i]}: weights ${weightsMatch ? "same bytes" : "DIFFER"}, loss curve ${
        lossMatch ? "same" : "DIFFERS"
      }`,
    );
  }
  console.log(
    `${same} of ${published.length} trainings reproduced byte for byte in one group (${
      r.seconds.toFixed(0)
    } s of updates)`,
  );
  return same === published.length ? 0 : 1;
}

if (import.meta.main) Deno.exit(await replayMain(Deno.args));

/**
 * A published `loss.json` in the one format of `lib/train/loss_file.ts`: runs published before
 * that format wrote `{ terms, records: [{ step, loss, terms }], kept? }`, the same curve.
 */
function inOneFormat(text: string, seed: number): string {
  const json = JSON.parse(text);
  if ("runs" in json) return text;
  return lossFileText([termRunLoss("", seed, json.records, json.kept ?? null)]);
}
