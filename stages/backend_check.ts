/**
 * What the entry checks before running on a backend named by `--backend`, so that a backend
 * that cannot run here is a usage error (exit code 2) before any stage starts, not a failure of
 * the first compute stage (exit code 1), and a software WebGPU adapter, which runs every stage
 * about 20 times slower than the cpu backend, is said in one line.
 *
 * Imported by the entry only: no stage's key depends on it.
 *
 * @module
 */
import { detectHardwareGpu } from "../lib/ml/backend.ts";

/** The packages `--backend tensorflow` loads, best first (see `ml/backend.ts`). */
const TENSORFLOW_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];

/** Checks `backend` on this machine: an error when it cannot run, a warning when it runs badly. */
export async function checkBackend(backend: string): Promise<{ error?: string; warning?: string }> {
  if (backend === "tensorflow") {
    for (const spec of TENSORFLOW_PACKAGES) {
      try {
        // A specifier in a variable: neither type checking nor the module graph needs it.
        await import(spec);
        return {};
      } catch { /* next */ }
    }
    return {
      error: `Cannot use --backend tensorflow: neither ${TENSORFLOW_PACKAGES.join(" nor ")} is ` +
        `installed (install one yourself), or use --backend cpu or --backend webgpu`,
    };
  }
  if (backend === "webgpu") {
    const gpu = await detectHardwareGpu();
    if (!gpu) {
      return {
        error: "Cannot use --backend webgpu: this machine has no WebGPU adapter; use --backend cpu",
      };
    }
    if (!gpu.hardware) {
      return {
        warning: `--backend webgpu runs on "${gpu.description}", a software adapter, about 20 ` +
          `times slower than --backend cpu`,
      };
    }
  }
  return {};
}
