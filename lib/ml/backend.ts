/**
 * Chooses and initialises the tfjs backend for training: `cpu` (always there), `webgpu`
 * (through `navigator.gpu`; the package is imported only when asked for), `tensorflow`
 * (the native bindings, only if they happen to be importable), or `auto` (webgpu on a
 * hardware adapter, else cpu). The fast kernels of `./kernels/` are installed on the chosen
 * backend, and tfjs's "install the node backend" banner is silenced.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installFastKernels, setCpuThreads, stopCpuThreads } from "./kernels/mod.ts";

/** Backend names a stage may ask for. */
export type BackendName = "auto" | "cpu" | "webgpu" | "tensorflow";

/** What {@linkcode initBackend} set up. */
export interface BackendInfo {
  /** The tfjs backend in force: `cpu`, `webgpu` or `tensorflow`. */
  name: string;
  /** The WebGPU adapter's description, or null when no WebGPU adapter is in use. */
  adapter: string | null;
  /** Whether computations run on a hardware GPU. */
  hardwareGpu: boolean;
}

/** Words that name a software rasteriser in an adapter's description. */
const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|swiftshader|softpipe|software|microsoft basic render/i;

// tfjs prints a banner suggesting tfjs-node on the first tensor when it sees Node APIs (Deno
// has them); production mode only silences tfjs's own logging, nothing else.
tf.enableProdMode();

/**
 * Looks for a WebGPU adapter and says whether it is hardware: null when WebGPU or any
 * adapter is missing. An adapter counts as software when it says `isFallbackAdapter` or
 * its description names llvmpipe, lavapipe, SwiftShader and the like.
 */
export async function detectHardwareGpu(): Promise<
  { hardware: boolean; description: string } | null
> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacyFallback =
    (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
  const description = parts.join(" / ") || "unknown adapter";
  const software = info.isFallbackAdapter === true || legacyFallback === true ||
    SOFTWARE_ADAPTERS.test(description);
  return { hardware: !software, description };
}

/** Options of {@linkcode initBackend}. */
export interface BackendOptions {
  /**
   * Threads of the cpu backend's convolution kernels (default 1). Results are the same bytes
   * whatever the count; a stage passes its `ctx.threads`.
   */
  cpuThreads?: number;
}

/** The last request and its result, so repeated calls cost nothing. */
let current: { request: string; info: BackendInfo } | null = null;

/**
 * Initialises a backend and returns what is in force. Idempotent for the same request.
 * `auto` picks webgpu only on a hardware adapter, else cpu. `webgpu` uses any adapter,
 * software ones included (slow, but the user asked). `tensorflow` needs
 * `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` to be importable, which they are
 * not in this project (their install step downloads libtensorflow): it throws then.
 */
export async function initBackend(
  name: BackendName | string,
  options: BackendOptions = {},
): Promise<BackendInfo> {
  const info = await selectBackend(name);
  // The cpu kernels' threads matter only on cpu; elsewhere the workers would sit idle.
  if (info.name === "cpu") await setCpuThreads(options.cpuThreads ?? 1);
  else stopCpuThreads();
  return info;
}

/**
 * Starts the compute backend of a stage's process: the entry's compute hook, which the engine
 * calls once before a stage with `compute` runs (no stage starts a backend itself). Returns
 * the facts every compute stage's manifest records: the backend in force, the device the
 * numbers came from (the GPU adapter, or the CPU backend) and whether it is a hardware GPU.
 */
export async function startCompute(
  backend: string,
  threads: number,
): Promise<{ backend: string; adapter: string; hardware_gpu: boolean }> {
  const info = await initBackend(backend, { cpuThreads: threads });
  return {
    backend: info.name,
    adapter: info.adapter ?? `${info.name} (tfjs-backend-${info.name})`,
    hardware_gpu: info.hardwareGpu,
  };
}

/** Sets up backend `name` (see {@linkcode initBackend}), once per request. */
async function selectBackend(name: BackendName | string): Promise<BackendInfo> {
  if (current && current.request === name && tf.getBackend() === current.info.name) {
    return current.info;
  }
  let info: BackendInfo;
  switch (name) {
    case "cpu":
      info = await useCpu();
      break;
    case "webgpu": {
      const gpu = await detectHardwareGpu();
      if (!gpu) {
        throw new Error(
          `Cannot use backend "webgpu": no WebGPU adapter is available here; use --backend cpu`,
        );
      }
      info = await useWebgpu(gpu);
      break;
    }
    case "auto": {
      const gpu = await detectHardwareGpu();
      info = gpu?.hardware ? await useWebgpu(gpu) : await useCpu();
      break;
    }
    case "tensorflow":
      info = await useTensorflow();
      break;
    default:
      throw new Error(
        `Cannot use backend "${name}": unknown; choose auto, cpu, webgpu or tensorflow`,
      );
  }
  current = { request: name, info };
  return info;
}

async function useCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend("cpu"))) throw new Error(`Cannot use backend "cpu": tfjs refused it`);
  await tf.ready();
  installFastKernels("cpu");
  return { name: "cpu", adapter: null, hardwareGpu: false };
}

async function useWebgpu(gpu: { hardware: boolean; description: string }): Promise<BackendInfo> {
  // Imported lazily: the package registers itself as a backend when loaded.
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) {
    throw new Error(
      `Cannot use backend "webgpu" on "${gpu.description}": tfjs could not initialise it; use --backend cpu`,
    );
  }
  await tf.ready();
  installFastKernels("webgpu");
  watchDevice(tfjsDevice());
  return { name: "webgpu", adapter: gpu.description, hardwareGpu: gpu.hardware };
}

/** The device of tfjs's webgpu backend (call only while it is the current backend). */
function tfjsDevice(): GPUDevice {
  return (tf.backend() as unknown as { device: GPUDevice }).device;
}

/** The first error each watched WebGPU device reported (null: none yet). */
const deviceErrors = new WeakMap<GPUDevice, string | null>();

/**
 * Records what `device` reports. WebGPU delivers a validation error (an invalid pipeline, a
 * binding over a limit) only as an `uncapturederror` event; the work concerned is skipped and
 * its output buffer keeps old contents, so without this a wrong number would pass unnoticed.
 * Idempotent.
 */
export function watchDevice(device: GPUDevice): void {
  if (deviceErrors.has(device)) return;
  deviceErrors.set(device, null);
  device.addEventListener("uncapturederror", (e) => {
    if (deviceErrors.get(device) !== null) return;
    const message = (e as GPUUncapturedErrorEvent).error.message.split("\n")[0].trim();
    deviceErrors.set(device, message);
  });
}

/**
 * Throws if `device` (default: that of the current tfjs backend, when it is WebGPU) has
 * reported an error since it was watched: every result computed since may be wrong. Call it
 * after a read-back: events arrive once the work concerned has run.
 */
export function throwIfDeviceFailed(device?: GPUDevice): void {
  const dev = device ?? (tf.getBackend() === "webgpu" ? tfjsDevice() : undefined);
  const error = dev ? deviceErrors.get(dev) : null;
  if (!error) return;
  throw new Error(
    `Cannot trust this WebGPU run: the device reported "${error}", so some work was ` +
      `skipped and its results are wrong; report it with the stage's log, or use --backend cpu`,
  );
}

async function useTensorflow(): Promise<BackendInfo> {
  // Specifiers in variables, so that neither type checking nor the module graph requires
  // the packages to exist.
  for (const spec of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await import(spec);
    } catch {
      continue;
    }
    if (await tf.setBackend("tensorflow")) {
      await tf.ready();
      return { name: "tensorflow", adapter: null, hardwareGpu: spec.endsWith("-gpu") };
    }
  }
  throw new Error(
    `Cannot use backend "tensorflow": neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node can be imported, and they cannot be installed here (their install step downloads libtensorflow); use --backend cpu or --backend webgpu`,
  );
}
