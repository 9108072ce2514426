/**
 * Counts and times the WebGPU calls a process makes, to see where the host side of a training
 * step goes on `webgpu`.
 *
 * Why: on a fast GPU the step is bounded by the host, not the kernels: every dispatch costs a
 * bind group, a uniform upload and encoder work, and every tensor made from CPU data costs a
 * staging buffer mapped at creation (`getMappedRange`). The number of such calls per step does
 * not depend on the GPU, so it can be read on any adapter (even a software one) and compared
 * before and after a change; the milliseconds are only meaningful on the hardware measured.
 *
 * The recorder wraps methods of the WebGPU prototypes (`GPUDevice`, `GPUQueue`, `GPUBuffer`,
 * `GPUCommandEncoder`, `GPUComputePassEncoder`) and times their synchronous part; the wait of
 * `mapAsync` is GPU time and is not counted. Only one recorder may be active at a time.
 *
 * @module
 */

/** Calls, host milliseconds and bytes of one WebGPU method. */
export interface CallStats {
  /** Number of calls. */
  calls: number;
  /** Milliseconds spent inside the calls (synchronous part). */
  ms: number;
  /** Bytes moved or allocated, where the method has a size (uploads, copies, buffers). */
  bytes: number;
}

/** What a recorder has seen since its last reset, by `Interface.method`. */
export type CallTable = Record<string, CallStats>;

/** A running recorder. */
export interface WebgpuCallRecorder {
  /** Forgets what was recorded so far. */
  reset(): void;
  /** A copy of what was recorded since the last reset. */
  snapshot(): CallTable;
  /** Puts the original methods back. */
  stop(): void;
}

/** The methods wrapped, by interface name. */
const METHODS: Readonly<Record<string, readonly string[]>> = {
  GPUDevice: ["createBuffer", "createBindGroup", "createComputePipeline", "createCommandEncoder"],
  GPUQueue: ["writeBuffer", "submit"],
  GPUBuffer: ["getMappedRange", "mapAsync", "unmap", "destroy"],
  GPUCommandEncoder: ["beginComputePass", "copyBufferToBuffer", "finish"],
  GPUComputePassEncoder: ["setPipeline", "setBindGroup", "dispatchWorkgroups", "end"],
};

/**
 * Bytes of one call, from its arguments: the size of a new buffer, of an upload, of a copy.
 * A buffer mapped at creation is a CPU→GPU upload; it is counted under its own name.
 */
function callBytes(key: string, args: unknown[]): number {
  switch (key) {
    case "GPUDevice.createBuffer":
      return Number((args[0] as { size?: number }).size ?? 0);
    case "GPUQueue.writeBuffer": {
      // writeBuffer(buffer, offset, data, dataOffset?, size?): size in elements of a typed array.
      const data = args[2] as ArrayBufferView | ArrayBuffer;
      const perElement = "BYTES_PER_ELEMENT" in data ? Number(data.BYTES_PER_ELEMENT) : 1;
      if (args[4] !== undefined) return Number(args[4]) * perElement;
      return data.byteLength - Number(args[3] ?? 0) * perElement;
    }
    case "GPUCommandEncoder.copyBufferToBuffer":
      return Number(args[4] ?? 0);
    default:
      return 0;
  }
}

/** The name a call is recorded under: buffers mapped at creation are uploads, kept apart. */
function callName(key: string, args: unknown[]): string {
  if (
    key === "GPUDevice.createBuffer" &&
    (args[0] as { mappedAtCreation?: boolean }).mappedAtCreation
  ) {
    return "GPUDevice.createBuffer(mappedAtCreation)";
  }
  return key;
}

let active = false;

/**
 * Starts recording every call to the wrapped WebGPU methods of this process. Throws when WebGPU
 * is not available or another recorder is running.
 */
export function recordWebgpuCalls(): WebgpuCallRecorder {
  if (active) throw new Error("Cannot record WebGPU calls: a recorder is already running");
  const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> }>;
  for (const iface of Object.keys(METHODS)) {
    if (typeof g[iface]?.prototype !== "object") {
      throw new Error(
        `Cannot record WebGPU calls: ${iface} is not defined here; run with a WebGPU-capable Deno`,
      );
    }
  }
  let table: CallTable = {};
  const originals: { proto: Record<string, unknown>; method: string; fn: unknown }[] = [];
  for (const [iface, methods] of Object.entries(METHODS)) {
    const proto = g[iface].prototype;
    for (const method of methods) {
      const fn = proto[method];
      if (typeof fn !== "function") continue;
      const key = `${iface}.${method}`;
      originals.push({ proto, method, fn });
      proto[method] = function (this: unknown, ...args: unknown[]) {
        const t0 = performance.now();
        try {
          return fn.apply(this, args);
        } finally {
          const ms = performance.now() - t0;
          const name = callName(key, args);
          const e = table[name] ?? (table[name] = { calls: 0, ms: 0, bytes: 0 });
          e.calls++;
          e.ms += ms;
          e.bytes += callBytes(key, args);
        }
      };
    }
  }
  active = true;
  return {
    reset() {
      table = {};
    },
    snapshot() {
      return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { ...v }]));
    },
    stop() {
      if (!active) return;
      for (const o of originals) o.proto[o.method] = o.fn;
      active = false;
    },
  };
}

/** Divides every entry of a table by `n` (a table recorded over n steps, per step). */
export function perStep(table: CallTable, n: number): CallTable {
  return Object.fromEntries(
    Object.entries(table).map(([k, v]) => [k, {
      calls: v.calls / n,
      ms: v.ms / n,
      bytes: v.bytes / n,
    }]),
  );
}

/** The entries of a table by host time, largest first, as `{ name, ...stats }` rows. */
export function topCalls(table: CallTable, top: number): ({ name: string } & CallStats)[] {
  return Object.entries(table)
    .map(([name, s]) => ({ name, ...s }))
    .sort((a, b) => b.ms - a.ms || b.calls - a.calls)
    .slice(0, top);
}
