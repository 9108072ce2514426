/**
 * A stand-in for the engine's Context in stage tests: a temporary output directory, the
 * given parameters, a log kept in memory. It does not depend on the engine's implementation.
 *
 * @module
 */

import type { Context, Json, Rng } from "../../pipeline/stage.ts";

/** A Context writing into a fresh temporary directory; `logs` collects `log()` lines. */
export async function fakeContext<P = Record<string, Json>>(
  id: string,
  params: P,
): Promise<Context<P> & { logs: string[] }> {
  const outDir = await Deno.makeTempDir({ prefix: `${id}-test-` });
  const logs: string[] = [];
  const rng: Rng = {
    next: () => {
      throw new Error(
        `Cannot draw from the rng in a test of "${id}": these stages are deterministic`,
      );
    },
    nextUint32: () => 0,
    normal: () => 0,
    fork: () => rng,
    seed: 0,
  };
  return {
    id,
    params,
    profile: "paper",
    backend: "cpu",
    threads: 1,
    inputs: {},
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
