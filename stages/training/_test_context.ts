/**
 * A stand-in for the engine's Context in the training-curves stage's tests: a fresh temporary
 * output directory, the given input paths, a log kept in memory, and a generator that refuses
 * to draw (the stage is deterministic). Independent of the engine's implementation.
 *
 * @module
 */
import type { Context, Rng } from "../../pipeline/stage.ts";

/** A Context writing into a fresh temporary directory; `logs` collects `log()` lines. */
export async function fakeContext(
  id: string,
  inputs: Record<string, string>,
): Promise<Context & { logs: string[] }> {
  const outDir = await Deno.makeTempDir({ prefix: `${id}-test-` });
  const logs: string[] = [];
  const refuse = (): never => {
    throw new Error(`Cannot draw from the rng in a test of "${id}": the stage draws nothing`);
  };
  const rng: Rng = { next: refuse, nextUint32: refuse, normal: refuse, fork: () => rng, seed: 0 };
  return {
    id,
    params: {},
    profile: "paper",
    backend: "cpu",
    threads: 1,
    inputs,
    outDir,
    outPath: (name: string) => `${outDir}/${name}`,
    scratchDir: outDir,
    rng,
    log: (m: string) => void logs.push(m),
    progress: () => {},
    record: () => {},
    logs,
  };
}
