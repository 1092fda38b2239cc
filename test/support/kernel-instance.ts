import { CUBE_KERNEL_WASM_BASE64 } from '../../functions/worker/panorama/kernel/cube-kernel-module.ts';

const PAGE = 65536;
const kernelModule = new WebAssembly.Module(Buffer.from(CUBE_KERNEL_WASM_BASE64, 'base64'));

/**
 * A fresh instance of the product's kernel module in its own shared memory of `bytes` bytes
 * (rounded up to whole pages), for tests that call its exports directly.
 */
export function kernelInstance<Exports>(bytes: number): { memory: Uint8Array; kernel: Exports } {
  const pages = Math.ceil(bytes / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const kernel = new WebAssembly.Instance(kernelModule, { env: { memory, abort: () => undefined } }).exports as unknown as Exports;
  return { memory: new Uint8Array(memory.buffer), kernel };
}
