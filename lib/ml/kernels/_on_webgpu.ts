/**
 * Test helpers for the WebGPU kernels: the adapter of this machine, if any, and a runner that
 * switches tfjs to WebGPU with the fast kernels and fails on any validation error.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installFastKernels, restoreStockKernels } from "./install.ts";

/** A WebGPU adapter if this machine has one (a software one counts: correctness only). */
export const adapter = await navigator.gpu?.requestAdapter().catch(() => null) ?? null;

/** Test options of a WebGPU test: skipped without an adapter; tfjs keeps resources alive. */
export const webgpuTest = {
  ignore: adapter === null,
  sanitizeOps: false,
  sanitizeResources: false,
};

/**
 * Runs `fn` on the webgpu backend (with the fast kernels unless `stock`), then goes back to
 * cpu. Fails when the device reports a validation error meanwhile, which tfjs never surfaces.
 */
export async function onWebgpu(
  fn: (device: GPUDevice) => Promise<void>,
  options: { stock?: boolean } = {},
): Promise<void> {
  await import("@tensorflow/tfjs-backend-webgpu");
  assert.ok(await tf.setBackend("webgpu"), "the webgpu backend did not start");
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  if (!options.stock) installFastKernels("webgpu");
  try {
    device.pushErrorScope("validation");
    await fn(device);
    const error = await device.popErrorScope();
    assert.equal(error, null, error?.message ?? "");
  } finally {
    restoreStockKernels("webgpu");
    await tf.setBackend("cpu");
  }
}
