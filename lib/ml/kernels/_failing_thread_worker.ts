/// <reference lib="deno.worker" />
/**
 * A cpu kernel thread for the tests that fails every call while reading it, before any chunk, as
 * a call whose layers or task order cannot be read would.
 *
 * @module
 */

import { serveCpuThread, type WorkerStart } from "./cpu_threads.ts";

self.onmessage = (e: MessageEvent<WorkerStart>) =>
  serveCpuThread(e.data, (task) => {
    throw new Error(
      `Cannot read the call of kernel "${task.kernel}": this test thread fails them all`,
    );
  });
self.postMessage("ready");
