import assert from "node:assert/strict";
import { packTarGz } from "../pipeline/tar.ts";
import { replayMain } from "./group_replay.ts";

/** Runs the command with console.error captured: its exit code and its error lines. */
async function replay(argv: string[]): Promise<{ code: number; errors: string[] }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    return { code: await replayMain(argv), errors };
  } finally {
    console.error = original;
  }
}

const enc = new TextEncoder();

Deno.test("group replay answers bad input with one line and exit 2, before training", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const archive = `${dir}/trainings.tar.gz`;
    const key = `cache/train-x/${"a".repeat(64)}`;
    await Deno.writeFile(
      archive,
      packTarGz([
        [
          `${key}/manifest.json`,
          enc.encode(
            JSON.stringify({ inputs: { images: { sha256: "0" }, keys: { sha256: "0" } } }),
          ),
        ],
        [`${key}/weights.json`, enc.encode("{}")],
        [`${key}/weights.bin`, new Uint8Array(4)],
        [`${key}/loss.json`, enc.encode("{}\n")],
        [`cache/data-x/${"b".repeat(64)}/manifest.json`, enc.encode("{}")],
      ]),
    );
    await Deno.writeFile(`${dir}/images.npy`, new Uint8Array([1]));
    await Deno.writeFile(`${dir}/not.gz`, new Uint8Array([1, 2, 3]));
    const data = ["--images", `${dir}/images.npy`, "--keys", `${dir}/images.npy`];
    const cases: [string[], RegExp][] = [
      [[], /give --archive FILE, --images NPY, --keys NPY and at least one stage id/],
      [["--bogus", "1"], /Cannot replay: .*bogus/],
      [["--archive", archive, ...data, "--threads", "0", "train-x"], /--threads "0"/],
      [["--archive", `${dir}/absent.tar.gz`, ...data, "train-x"], /cannot read --archive/],
      [["--archive", `${dir}/not.gz`, ...data, "train-x"], /is not a gzip'd tar/],
      [["--archive", archive, ...data, "train-y"], /"train-y": the archive holds no such training/],
      [["--archive", archive, ...data, "data-x"], /"data-x": .* not a training/],
      [
        ["--archive", archive, ...data, "train-x"],
        /"train-x": --images or --keys is not the dataset/,
      ],
      [
        ["--archive", archive, "--images", `${dir}/absent.npy`, "--keys", archive, "train-x"],
        /cannot read --images/,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await replay(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.errors.length, 1, argv.join(" "));
      assert.match(r.errors[0], message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
