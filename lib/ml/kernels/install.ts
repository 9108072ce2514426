/**
 * Swaps the stock tfjs kernels for the fast ones of this folder, per backend, and back.
 *
 * tfjs looks a kernel up in its global registry at every call, so replacing a registration takes
 * effect at once for every later op (also inside gradients). The stock configuration is kept so
 * that {@linkcode restoreStockKernels} can put it back (benchmarks and tests compare the two) and
 * so that the fast kernels can hand the cases they do not cover (NCHW, other dtypes) to it.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { makeConv2dBackpropFilterCpu } from "./conv2d_backprop_filter_cpu.ts";
import { makeConv2dBackpropInputCpu } from "./conv2d_backprop_input_cpu.ts";
import { makeConv2dCpu } from "./conv2d_cpu.ts";
import { makeConv2dBackpropFilterWebgpu } from "./conv2d_backprop_filter_webgpu.ts";
import { makeAddNWebgpu } from "./add_n_webgpu.ts";
import { BINARY_CPU_KERNELS, makeBinaryCpu } from "./binary_cpu.ts";
import { makeStepCpu } from "./step_cpu.ts";
import { makeGatherCpu } from "./gather_cpu.ts";
import { makeNegCpu, makeReluCpu, makeSigmoidCpu, makeSquareCpu } from "./unary_cpu.ts";
import { makeMeanCpu, makeSumCpu } from "./sum_cpu.ts";
import {
  LEAKY_RELU_GRAD,
  LEAKY_RELU_GRAD_AND_BIAS_GRAD,
  leakyReluGradAndBiasGradCpu,
  leakyReluGradCpu,
  makeLeakyReluCpu,
} from "./leaky_relu_cpu.ts";
import { adamStepWebgpu, leakyReluGradWebgpu } from "./elementwise_webgpu.ts";
import { ADAM_STEP, ADAM_STEPS } from "./adam_step.ts";
import { adamStepCpu, adamStepsCpu } from "./adam_step_cpu.ts";
import {
  CONV2D_BIAS_LEAKY_RELU,
  CONV2D_TRANSPOSE_BIAS_LEAKY_RELU,
  conv2dBiasLeakyReluCpu,
  conv2dTransposeBiasLeakyReluCpu,
  CONV_BIAS_LEAKY_RELU_GRADIENTS,
} from "./conv_bias_leaky_relu.ts";
import {
  SQUARED_ERROR,
  SQUARED_ERROR_GRAD,
  SQUARED_ERROR_GRADIENTS,
  squaredErrorCpu,
  squaredErrorGradCpu,
} from "./squared_error_cpu.ts";
import { attachValuePool } from "./value_pool.ts";
import {
  CONV_BIAS_LEAKY_RELU_BACKWARD,
  convBiasLeakyReluBackwardCpu,
} from "./layer_backward_cpu.ts";
import { registerGradientsOnce } from "./register_gradients.ts";
import { CONV_STACK_BACKWARD, convStackBackwardCpu } from "./conv_stack.ts";

/** One replacement: the kernel it replaces and how to build it from the stock function. */
interface Replacement {
  kernelName: string;
  make: (stock: tf.KernelFunc) => tf.KernelFunc;
}

/** The fast kernels, by backend name. */
const REPLACEMENTS: Readonly<Record<string, readonly Replacement[]>> = {
  cpu: [
    { kernelName: tf.Conv2DBackpropFilter, make: makeConv2dBackpropFilterCpu },
    { kernelName: tf.Conv2DBackpropInput, make: makeConv2dBackpropInputCpu },
    { kernelName: tf.Conv2D, make: makeConv2dCpu },
    { kernelName: tf.Sum, make: makeSumCpu },
    { kernelName: tf.Mean, make: makeMeanCpu },
    { kernelName: tf.Step, make: makeStepCpu },
    { kernelName: tf.GatherV2, make: makeGatherCpu },
    { kernelName: tf.Neg, make: makeNegCpu },
    { kernelName: tf.Square, make: makeSquareCpu },
    { kernelName: tf.Relu, make: makeReluCpu },
    { kernelName: tf.Sigmoid, make: makeSigmoidCpu },
    { kernelName: tf.LeakyRelu, make: makeLeakyReluCpu },
    ...BINARY_CPU_KERNELS.map((kernelName) => ({
      kernelName,
      make: (stock: tf.KernelFunc) => makeBinaryCpu(kernelName, stock),
    })),
  ],
  webgpu: [
    { kernelName: tf.Conv2DBackpropFilter, make: makeConv2dBackpropFilterWebgpu },
    // A correction, not a speed-up: the stock one is wrong from 8 inputs on (see the module).
    { kernelName: tf.AddN, make: makeAddNWebgpu },
  ],
};

/** Kernels of our own (no stock counterpart), by backend name: registered and removed with the rest. */
const ADDITIONS: Readonly<
  Record<string, readonly { kernelName: string; kernelFunc: tf.KernelFunc }[]>
> = {
  cpu: [
    { kernelName: LEAKY_RELU_GRAD, kernelFunc: leakyReluGradCpu },
    { kernelName: LEAKY_RELU_GRAD_AND_BIAS_GRAD, kernelFunc: leakyReluGradAndBiasGradCpu },
    { kernelName: CONV2D_BIAS_LEAKY_RELU, kernelFunc: conv2dBiasLeakyReluCpu },
    { kernelName: CONV2D_TRANSPOSE_BIAS_LEAKY_RELU, kernelFunc: conv2dTransposeBiasLeakyReluCpu },
    { kernelName: CONV_BIAS_LEAKY_RELU_BACKWARD, kernelFunc: convBiasLeakyReluBackwardCpu },
    { kernelName: CONV_STACK_BACKWARD, kernelFunc: convStackBackwardCpu },
    { kernelName: SQUARED_ERROR, kernelFunc: squaredErrorCpu },
    { kernelName: SQUARED_ERROR_GRAD, kernelFunc: squaredErrorGradCpu },
    { kernelName: ADAM_STEP, kernelFunc: adamStepCpu },
    { kernelName: ADAM_STEPS, kernelFunc: adamStepsCpu },
  ],
  webgpu: [
    { kernelName: LEAKY_RELU_GRAD, kernelFunc: leakyReluGradWebgpu },
    { kernelName: ADAM_STEP, kernelFunc: adamStepWebgpu },
  ],
};

/**
 * tfjs flags set while the fast kernels are installed, by backend. `WEBGPU_CPU_FORWARD` off:
 * tfjs would otherwise run ops on small tensors whose values are still in CPU memory (the
 * optimizer's scalars, a batch's indices) on the CPU, and upload each result, through a
 * staging buffer of its own, when a GPU op next reads it: several uploads at every step.
 * With it off, such a tensor is uploaded once and every op on it runs on the GPU.
 */
const FLAGS: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  webgpu: { WEBGPU_CPU_FORWARD: false },
};

/** Flag values saved at installation, by `backend/flag`. */
const savedFlags = new Map<string, number | boolean | string>();

/** Gradients of our own kernels (registered once, see `./register_gradients.ts`). */
const GRADIENTS: readonly tf.GradConfig[] = [
  ...CONV_BIAS_LEAKY_RELU_GRADIENTS,
  ...SQUARED_ERROR_GRADIENTS,
];

/** Stock configurations saved at installation, by `backend/kernelName`. */
const stockConfigs = new Map<string, tf.KernelConfig>();

/** Undo functions of the value pools attached at installation, by backend. */
const detachPools = new Map<string, () => void>();

/** Backends whose fast kernels are registered now. */
const installedBackends = new Set<string>();

/** The kernel names this module replaces or adds on `backend` (empty for unknown backends). */
export function fastKernelNames(backend: string): string[] {
  return [...(REPLACEMENTS[backend] ?? []), ...(ADDITIONS[backend] ?? [])].map((r) => r.kernelName);
}

/** Whether the fast kernels of `backend` are registered now. */
export function fastKernelsInstalled(backend: string): boolean {
  return installedBackends.has(backend);
}

/**
 * Registers the fast kernels for `backend` in place of the stock ones. Idempotent; a no-op for
 * backends without fast kernels. For `webgpu`, `@tensorflow/tfjs-backend-webgpu` must have been
 * imported first (its stock kernels are what gets replaced).
 */
export function installFastKernels(backend: string): void {
  const replacements = REPLACEMENTS[backend];
  if (replacements === undefined || installedBackends.has(backend)) return;
  // Check everything before changing anything, so a failure leaves the registry untouched.
  const stocks = replacements.map((r) => {
    const stock = tf.getKernel(r.kernelName, backend);
    if (stock === undefined) {
      throw new Error(
        `Cannot install fast kernel "${r.kernelName}" for backend "${backend}": no stock kernel is registered; import the backend package (e.g. @tensorflow/tfjs-backend-${backend}) first`,
      );
    }
    return stock;
  });
  replacements.forEach((r, i) => {
    const stock = stocks[i];
    stockConfigs.set(`${backend}/${r.kernelName}`, stock);
    tf.unregisterKernel(r.kernelName, backend);
    tf.registerKernel({ ...stock, kernelFunc: r.make(stock.kernelFunc) });
  });
  registerGradientsOnce(GRADIENTS);
  for (const a of ADDITIONS[backend] ?? []) {
    if (tf.getKernel(a.kernelName, backend) === undefined) {
      tf.registerKernel({
        kernelName: a.kernelName,
        backendName: backend,
        kernelFunc: a.kernelFunc,
      });
    }
  }
  // The cpu kernels' outputs reuse the arrays of disposed tensors (see ./value_pool.ts).
  const instance = backend === "cpu" ? tf.findBackend("cpu") : null;
  if (instance) detachPools.set(backend, attachValuePool(instance));
  for (const [flag, value] of Object.entries(FLAGS[backend] ?? {})) {
    savedFlags.set(`${backend}/${flag}`, tf.env().get(flag) as number | boolean | string);
    tf.env().set(flag, value);
  }
  installedBackends.add(backend);
}

/** Puts the stock kernels of `backend` back. Idempotent; a no-op if nothing was installed. */
export function restoreStockKernels(backend: string): void {
  if (!installedBackends.has(backend)) return;
  for (const r of REPLACEMENTS[backend] ?? []) {
    const key = `${backend}/${r.kernelName}`;
    const stock = stockConfigs.get(key);
    if (stock === undefined) continue;
    tf.unregisterKernel(r.kernelName, backend);
    tf.registerKernel(stock);
    stockConfigs.delete(key);
  }
  for (const a of ADDITIONS[backend] ?? []) {
    if (tf.getKernel(a.kernelName, backend) !== undefined) {
      tf.unregisterKernel(a.kernelName, backend);
    }
  }
  detachPools.get(backend)?.();
  detachPools.delete(backend);
  for (const flag of Object.keys(FLAGS[backend] ?? {})) {
    const key = `${backend}/${flag}`;
    if (savedFlags.has(key)) tf.env().set(flag, savedFlags.get(key)!);
    savedFlags.delete(key);
  }
  installedBackends.delete(backend);
}
