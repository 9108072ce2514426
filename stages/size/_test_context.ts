/**
 * A stand-in for the engine's Context in the size stages' tests: a fresh temporary output
 * directory, the stage's parameters (defaults merged with overrides), the given input paths,
 * the cpu backend, a log kept in memory. Independent of the engine's implementation.
 *
 * @module
 */
import type { Context, Json, ParamDefs, Rng } from "../../pipeline/stage.ts";

/** The default value of every parameter, then the overrides. */
export function defaultParams(
  defs: ParamDefs,
  overrides: Record<string, Json> = {},
): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, d] of Object.entries(defs)) out[k] = d.default;
  return { ...out, ...overrides };
}

/** A Context writing into a fresh temporary directory; `logs` collects `log()` lines. */
export async function fakeContext<P>(
  id: string,
  params: P,
  inputs: Record<string, string>,
): Promise<Context<P> & { logs: string[] }> {
  const outDir = await Deno.makeTempDir({ prefix: `${id}-test-` });
  const logs: string[] = [];
  const rng: Rng = {
    next: () => {
      throw new Error(`Cannot draw from the rng in a test of "${id}": the size items draw nothing`);
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
