/**
 * Fast tfjs kernels for training the paper's convolutional autoencoders.
 *
 * On the cpu backend: `Conv2DBackpropFilter`, `Conv2DBackpropInput` and `Conv2D` (flat
 * typed-array loops), `Sum` over leading axes (bias gradients), `Step` (leaky-ReLU gradients),
 * and float32 `Add`, `Sub`, `Multiply`, `RealDiv`, `Greater`, `SquaredDifference` (no
 * per-element closure or index conversion); kernels of our own for a whole layer (convolution,
 * bias and leaky ReLU) and for a run of such layers (an encoder or a decoder, one op per pass),
 * the leaky ReLU's gradient with its bias gradient, the loss's squared error, and Adam's update
 * of every variable at once, each with the bytes of the ops it replaces. On webgpu: `Conv2DBackpropFilter` (a parallel
 * reduction per filter element), and one-dispatch leaky-ReLU gradient and Adam update kernels. Each is deterministic and hands the cases it does not cover to
 * the stock kernel. Call {@linkcode installFastKernels} once the backend is chosen.
 *
 * @module
 */

export * from "./install.ts";
export * from "./conv_geometry.ts";
export * from "./cpu_data.ts";
export * from "./cpu_threads.ts";
export * from "./conv_wasm.ts";
export * from "./conv2d_backprop_filter_cpu.ts";
export * from "./conv2d_backprop_input_cpu.ts";
export * from "./conv2d_cpu.ts";
export * from "./binary_cpu.ts";
export * from "./sum_cpu.ts";
export * from "./step_cpu.ts";
export * from "./gather_cpu.ts";
export * from "./unary_cpu.ts";
export * from "./value_pool.ts";
export * from "./leaky_relu_cpu.ts";
export * from "./epilogue.ts";
export * from "./conv_bias_leaky_relu.ts";
export * from "./conv_stack.ts";
export * from "./conv_stack_cpu.ts";
export * from "./squared_error_cpu.ts";
export * from "./register_gradients.ts";
export * from "./conv2d_backprop_filter_webgpu.ts";
export * from "./elementwise_webgpu.ts";
export * from "./adam_step.ts";
export * from "./adam_step_cpu.ts";
