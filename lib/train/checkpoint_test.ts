import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { type Checkpoint, loadLatestCheckpoint, saveCheckpoint } from "./checkpoint.ts";

function ckpt(step: number): Checkpoint {
  return {
    state: { step, seed: 7, fingerprint: "fp", lossCurve: [{ step, loss: 1 / step }] },
    weights: [{ name: "w", shape: [2, 2], data: new Float32Array([1, 2, 3, step]) }],
    optimizer: [{ name: "m", shape: [2], data: new Float32Array([0.5, step]) }],
    weightsExtra: { config: { size: 2 } },
  };
}

/** A directory with a sound checkpoint at step 10 and, given `newer`, one at step 20. */
async function setUp(newer = false): Promise<string> {
  const dir = Deno.makeTempDirSync({ prefix: "ckpt-" });
  await saveCheckpoint(dir, ckpt(10));
  if (newer) {
    // Saving removes older checkpoints: keep a copy of the first to have two.
    cpSync(join(dir, "ckpt-000000010"), join(dir, "keep"), { recursive: true });
    await saveCheckpoint(dir, ckpt(20));
    Deno.renameSync(join(dir, "keep"), join(dir, "ckpt-000000010"));
  }
  return dir;
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("a sound checkpoint loads as saved", async () => {
  const dir = await setUp();
  const got = await loadLatestCheckpoint(dir, "fp");
  assert.equal(got?.state.step, 10);
  assert.deepEqual([...got!.weights[0].data], [1, 2, 3, 10]);
  assert.deepEqual(got!.weightsExtra, { config: { size: 2 } });
  assert.equal(await loadLatestCheckpoint(dir, "other settings"), null);
  assert.deepEqual(names(dir), ["ckpt-000000010"], "a checkpoint of other settings stays");
});

Deno.test("a checkpoint with one flipped byte is set aside, said, and not resumed", async () => {
  const dir = await setUp();
  const bin = join(dir, "ckpt-000000010", "weights.bin");
  const bytes = Deno.readFileSync(bin);
  bytes[5] ^= 1;
  Deno.writeFileSync(bin, bytes);
  const log: string[] = [];
  assert.equal(await loadLatestCheckpoint(dir, "fp", (m) => log.push(m)), null);
  assert.match(
    log.join("\n"),
    /ckpt-000000010 is damaged \(weights\.bin differs from its checksum\).*from scratch/,
  );
  assert.deepEqual(names(dir), [`damaged-ckpt-000000010-${Deno.pid}`]);
});

Deno.test("a truncated or incomplete checkpoint is set aside; the older sound one is resumed", async () => {
  for (
    const [file, harm] of [
      ["optimizer.bin", (p: string) => Deno.truncateSync(p, 3)],
      ["state.json", (p: string) => Deno.removeSync(p)],
      ["checksums.json", (p: string) => Deno.removeSync(p)],
      ["checksums.json", (p: string) => Deno.writeTextFileSync(p, "{")],
    ] as const
  ) {
    const dir = await setUp(true);
    harm(join(dir, "ckpt-000000020", file));
    const log: string[] = [];
    const got = await loadLatestCheckpoint(dir, "fp", (m) => log.push(m));
    assert.equal(got?.state.step, 10, file);
    assert.match(log.join("\n"), /ckpt-000000020 is damaged .*trying the older one at step 10/);
    assert.deepEqual(names(dir), ["ckpt-000000010", `damaged-ckpt-000000020-${Deno.pid}`]);
  }
});
