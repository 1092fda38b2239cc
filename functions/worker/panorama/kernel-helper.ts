import { Worker } from 'node:worker_threads';

/**
 * A second thread running the same kernel on the same (shared) memory, so a face is projected on
 * two cores. Its source is inline, so the worker bundle needs no second file. One call at a time.
 */
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const kernel = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory, abort() {} } }).exports;
parentPort.on('message', ({ name, args }) => {
  try {
    kernel[name](...args);
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
  }
});
`;

export interface KernelHelper {
  /** Runs kernel export `name` with `args` on the helper thread. */
  call(name: string, args: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

export function startKernelHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelHelper {
  const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory } });
  worker.unref();
  let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let exited = false;
  const settle = (outcome: { ok: boolean; message?: string } | Error) => {
    const current = waiting;
    waiting = undefined;
    worker.unref();
    if (outcome instanceof Error || !outcome.ok)
      current?.reject(outcome instanceof Error ? outcome : new Error(`the kernel helper failed: ${outcome.message}`));
    else current?.resolve();
  };
  worker.on('message', settle);
  worker.on('error', settle);
  worker.on('exit', (code) => {
    exited = true;
    settle(new Error(`the kernel helper exited (${code})`));
  });
  return {
    call(name, args) {
      if (exited) return Promise.reject(new Error('the kernel helper has exited'));
      if (waiting) return Promise.reject(new Error('the kernel helper is busy'));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        // Held while it works, so the process does not exit under an await on it.
        worker.ref();
        worker.postMessage({ name, args });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
