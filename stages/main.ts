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
    // Training is bound by per-process host latency on a GPU, so several processes share it
    // well (8 processes on an H100 each kept their single-process speed in the measurements
    // of the performance issue); 4 leaves room for the host CPU's other work.
    gpuJobs: 4,
    detectGpu: async () => {
      const { detectHardwareGpu } = await import("./ml/backend.ts");
      const gpu = await detectHardwareGpu();
      return gpu?.hardware ? { description: gpu.description } : null;
    },
  }),
);
