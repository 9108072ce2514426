/**
 * The project's entry: `deno task reproduce | status | dag | verify | gc | export | import`.
 * It hands the registry and the backend hooks to the engine.
 *
 * @module
 */
import { main } from "../pipeline/cli.ts";
import { stages } from "./mod.ts";

Deno.exit(
  await main(stages, Deno.args, {
    backends: ["cpu", "webgpu", "tensorflow"],
    gpuBackend: "webgpu",
    detectGpu: async () => {
      const { detectHardwareGpu } = await import("./ml/backend.ts");
      const gpu = await detectHardwareGpu();
      return gpu?.hardware ? { description: gpu.description } : null;
    },
  }),
);
