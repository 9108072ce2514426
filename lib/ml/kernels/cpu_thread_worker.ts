/// <reference lib="deno.worker" />
/**
 * A cpu kernel thread (a Web Worker started by `./cpu_threads.ts`): runs chunks of the
 * convolution kernels it is sent, in memory shared with the thread that started it.
 *
 * @module
 */

import {
  type ImageKernel,
  type ImageKernelImpl,
  type ImageKernelName,
  type ImageTask,
  type RangeKernel,
  type RangeKernelName,
  type RangeSumKernel,
  type RangeSumKernelName,
  type RangeSumTask,
  type RangeTask,
  serveCpuThread,
  type WorkerStart,
  workOnConvStack,
  workOnLayerBackward,
  workOnRanges,
  workOnRangeSums,
  workOnTask,
  workOnTrainStep,
} from "./cpu_threads.ts";
import type { MailTask } from "./cpu_mailbox.ts";
import {
  leakyReluGradAndSumRange,
  leakyReluGradAndSumRangeWasm,
  leakyReluGradRange,
  leakyReluRange,
} from "./leaky_relu_cpu.ts";
import { addPeriodicRange } from "./binary_cpu.ts";
import {
  squaredErrorGradRange,
  squaredErrorGradRangeWasm,
  squaredErrorSumRange,
  squaredErrorSumRangeWasm,
} from "./squared_error_cpu.ts";
import {
  conv2dBackpropFilterImagesWasm,
  conv2dBackpropInputImagesWasm,
  conv2dImagesWasm,
} from "./conv_wasm.ts";
import { conv2dImages } from "./conv2d_cpu.ts";
import { conv2dBackpropInputImages } from "./conv2d_backprop_input_cpu.ts";
import { conv2dBackpropFilterImages } from "./conv2d_backprop_filter_cpu.ts";
import { layerBackwardChunkJs, layerBackwardChunkWasm } from "./layer_backward_cpu.ts";
import { convStackChunk } from "./conv_stack_cpu.ts";
import { gatherRowsRange } from "./gather_cpu.ts";
import { trainStepTask } from "./train_step_cpu.ts";

/** The kernels this thread runs, under the names `runImageChunks` sends. */
const KERNELS: Record<ImageKernelImpl, Record<ImageKernelName, ImageKernel>> = {
  wasm: {
    conv2d: conv2dImagesWasm as ImageKernel,
    conv2dBackpropInput: conv2dBackpropInputImagesWasm as ImageKernel,
    conv2dBackpropFilter: conv2dBackpropFilterImagesWasm as ImageKernel,
  },
  js: {
    conv2d: conv2dImages as ImageKernel,
    conv2dBackpropInput: conv2dBackpropInputImages as ImageKernel,
    conv2dBackpropFilter: conv2dBackpropFilterImages as ImageKernel,
  },
};

/** The elementwise kernels this thread runs, under the names `runRanges` sends. */
const RANGE_KERNELS: Record<RangeKernelName, RangeKernel> = {
  leakyRelu: leakyReluRange,
  leakyReluGrad: leakyReluGradRange,
  addPeriodic: addPeriodicRange,
  squaredErrorGrad: squaredErrorGradRange,
  squaredErrorGradWasm: squaredErrorGradRangeWasm,
  gatherRows: gatherRowsRange,
};

/** The summing elementwise kernels this thread runs, under the names `runRangeSums` sends. */
const RANGE_SUM_KERNELS: Record<RangeSumKernelName, RangeSumKernel> = {
  leakyReluGradAndSum: leakyReluGradAndSumRange,
  leakyReluGradAndSumWasm: leakyReluGradAndSumRangeWasm,
  squaredErrorSum: squaredErrorSumRange,
  squaredErrorSumWasm: squaredErrorSumRangeWasm,
};

/** Runs this thread's part of one call read from the mailbox. */
function serve(task: MailTask, control: Int32Array): void {
  if (task.kind === "range") workOnRanges({ ...task, control } as RangeTask, RANGE_KERNELS);
  else if (task.kind === "layerBackward") {
    workOnLayerBackward(
      task,
      control,
      task.impl === "js" ? layerBackwardChunkJs : layerBackwardChunkWasm,
    );
  } else if (task.kind === "stack") workOnConvStack(task, control, convStackChunk);
  else if (task.kind === "step") workOnTrainStep(task, control, trainStepTask);
  else if (task.kind === "rangeSum") {
    workOnRangeSums({ ...task, control } as RangeSumTask, RANGE_SUM_KERNELS);
  } else workOnTask({ ...task, control } as ImageTask, KERNELS);
}

// From its start message on, this thread serves calls until its pool stops (the loop blocks it).
self.onmessage = (e: MessageEvent<WorkerStart>) => serveCpuThread(e.data, serve);
self.postMessage("ready");
