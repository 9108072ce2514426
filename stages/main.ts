/**
 * The project's entry: `deno task reproduce | status | dag | verify | gc | export | import`.
 * It hands the registry and the backend hooks (checking, detecting and starting the compute
 * backend) to the engine.
 *
 * @module
 */
import { main } from "../pipeline/cli.ts";
import { stages } from "./mod.ts";
import { REPORT_STAGE_ID } from "./report/stage.ts";
import { isTrainingStage, TRAINING_CURVES_ID } from "./training/stage.ts";

Deno.exit(
  await main(stages, Deno.args, {
    backends: ["cpu", "webgpu", "tensorflow"],
    gpuBackend: "webgpu",
    // Measured on an H100 (`bench --processes 1,4,8,16`, paper model, batch 300): one training
    // alone makes 50.7 steps/s; 4 at once 165 steps/s in all (3.26×), 8 and 16 at once 178
    // (3.52×): past 4 the GPU's kernels, not the hosts' dispatches, are the limit. 8 takes the
    // last 8% and leaves half of a 16-core host free.
    gpuJobs: 8,
    // Trainings of one architecture on one dataset stepped together in one process
    // (`lib/ml/group/`). On the CPU, 5 cost per model what one costs (bench --models, 2-core
    // machine, 2026-12-04: 0.95× with the value pool's cap at 3 GB) and 10 cost 1.25×; on a GPU
    // the point is to run the 34 trainings on `data-hole` in one process.
    groupSize: (backend) => backend === "cpu" ? 5 : backend === "webgpu" ? 40 : 1,
    // A profile run in parts may never have every stage up to date at once: these two can be
    // built from what is (`reproduce --partial`), and they name what they go without.
    partial: [TRAINING_CURVES_ID, REPORT_STAGE_ID],
    // What `reproduce --shard I/N` shares out among machines: the long stages. Datasets and
    // evaluations are cheaper to recompute where they are needed than to carry.
    trainings: stages.filter(isTrainingStage).map((s) => s.id),
    // Every stage with `compute` gets its backend here, in its own process, before it runs.
    compute: {
      module: new URL("../lib/ml/backend.ts", import.meta.url).href,
      start: async (backend, threads) => {
        const { startCompute } = await import("../lib/ml/backend.ts");
        return await startCompute(backend, threads);
      },
    },
    checkBackend: async (backend) => {
      const { checkBackend } = await import("./backend_check.ts");
      return await checkBackend(backend);
    },
    detectGpu: async () => {
      const { detectHardwareGpu } = await import("../lib/ml/backend.ts");
      const gpu = await detectHardwareGpu();
      return gpu?.hardware ? { description: gpu.description } : null;
    },
  }),
);
