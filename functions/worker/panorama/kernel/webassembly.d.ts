// The WebAssembly globals this project uses. Node has them; @types/node 22 does not declare
// them and lib.dom would bring the whole browser with it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  /** What a trap in a kernel call throws. */
  class RuntimeError extends Error {}
}
