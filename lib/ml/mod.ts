/**
 * The training core: blurred-disk datasets, the paper's autoencoder built from a plain-data
 * configuration, backends, deterministic and resumable training with the paper's
 * regularisers, saved-weights and `.npy` formats, and pipeline stage factories.
 *
 * @module
 */
export * from "./adam.ts";
export * from "./analysis.ts";
export * from "./backend.ts";
export * from "./disks.ts";
export * from "./fused_losses.ts";
export * from "./model.ts";
export * from "./npy.ts";
export * from "./random.ts";
export * from "./regularisers.ts";
export * from "./train.ts";
export * from "./train_stage.ts";
export * from "./weights_io.ts";
export * from "./webgpu_calls.ts";
