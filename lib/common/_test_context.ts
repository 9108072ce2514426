/**
 * A stand-in for the engine's Context in tests of deterministic stages: a fresh temporary
 * output directory, the given parameters and input paths, the cpu backend, a log kept in
 * memory, and a generator that refuses every draw. Independent of the engine's implementation.
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
export async function fakeContext<P = Record<string, Json>>(
  id: string,
  params: P,
  inputs: Record<string, string> = {},
): Promise<Context<P> & { logs: string[] }> {
  const outDir = await Deno.makeTempDir({ prefix: `${id}-test-` });
  const logs: string[] = [];
  const refuse = (): never => {
    throw new Error(`Cannot draw from the rng in a test of "${id}": the stage draws nothing`);
  };
  const rng: Rng = { next: refuse, nextUint32: refuse, normal: refuse, fork: () => rng, seed: 0 };
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
