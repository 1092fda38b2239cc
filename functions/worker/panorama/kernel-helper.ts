import { Worker } from 'node:worker_threads';
import { FILE_PAGE, PUNCH_HOLE, READ_ONLY_ERRORS } from './file-holes.ts';
import { koffiPath } from './libc.ts';

/** States of a FollowJob's control word, set by the thread that waits for the writer. */
export const FOLLOW_WRITING = 0;
export const FOLLOW_WRITTEN = 1;
export const FOLLOW_ABANDONED = 2;
/** A FollowJob copies in chunks of this size, each taken from control[1] (an atomic counter), so another thread can share the work. */
export const FOLLOW_CHUNK_BYTES = 8 << 20;
/** Where a FollowJob's control array marks chunk k read: control[FOLLOW_READ + k] = 1. */
export const FOLLOW_READ = 2;

/**
 * A FollowJob's control array for `bytes` bytes: the writer's state, the next chunk to claim, and
 * a flag for each chunk once it is read, which is then gone from the file (punchHole).
 */
export const followControl = (bytes: number) =>
  new Int32Array(new SharedArrayBuffer(4 * (FOLLOW_READ + Math.ceil(bytes / FOLLOW_CHUNK_BYTES))));

/**
 * A second thread running the same kernel on the same (shared) memory, so a face is projected on
 * two cores. Its source is inline, so the worker bundle needs no second file. It runs one call at a
 * time, in the order they were sent.
 *
 * Besides the kernel's exports it runs follow (see FollowJob), which copies a file into the
 * memory while another thread is still writing it: the decoder writes the panorama to a file and
 * this thread reads it in behind it, so the pixels never sit in a second buffer, and gives the
 * pages it has read back (punchHole).
 */
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const kernel = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory, abort() {} } }).exports;
const CHUNK = ${FOLLOW_CHUNK_BYTES};
// openToConsume and punchHole (file-holes.ts) on this thread, with the same koffi.
let fallocate = null;
try {
  if (workerData.koffi) fallocate = require(workerData.koffi).load('libc.so.6').func('${PUNCH_HOLE.prototype}');
} catch {}
function punchHole(fd, from, to) {
  const start = Math.ceil(from / ${FILE_PAGE}) * ${FILE_PAGE};
  const end = Math.floor(to / ${FILE_PAGE}) * ${FILE_PAGE};
  if (fallocate && end > start) fallocate(fd, ${PUNCH_HOLE.mode}, start, end - start);
}
function follow({ path, fileOffset, offset, bytes, control, bounced }) {
  const memory = new Uint8Array(workerData.memory.buffer);
  const bounce = bounced ? new Uint8Array(CHUNK) : undefined;
  let fd;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    if (!${JSON.stringify(READ_ONLY_ERRORS)}.includes(error.code)) throw error;
    fd = openSync(path, 'r');
  }
  try {
    for (let chunk = Atomics.add(control, 1, 1); chunk * CHUNK < bytes; chunk = Atomics.add(control, 1, 1)) {
      const start = chunk * CHUNK;
      const length = Math.min(CHUNK, bytes - start);
      let got = 0;
      while (got < length) {
        const state = Atomics.load(control, 0);
        if (state === ${FOLLOW_ABANDONED}) return;
        const read = readSync(fd, bounce ?? memory, bounce ? got : offset + start + got, length - got, fileOffset + start + got);
        if (read > 0) got += read;
        else if (state === ${FOLLOW_WRITTEN}) throw new Error('the decoded image ended after ' + (start + got) + ' of ' + bytes + ' bytes');
        else Atomics.wait(control, 0, ${FOLLOW_WRITING}, 2);
      }
      if (bounce) memory.set(length === CHUNK ? bounce : bounce.subarray(0, length), offset + start);
      Atomics.store(control, ${FOLLOW_READ} + chunk, 1);
      punchHole(fd, fileOffset + start, fileOffset + start + length);
    }
  } finally {
    closeSync(fd);
  }
}
parentPort.on('message', ({ name, args }) => {
  try {
    if (name === 'follow') follow(args);
    else kernel[name](...args);
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
  }
});
`;

/**
 * Copies `bytes` bytes of the file at `path`, from `fileOffset`, to `offset` in the shared memory,
 * reading behind a writer until control[0] says it has written all (then a short file is an
 * error) or the job is abandoned, and gives each chunk's pages back once read (punchHole). Chunks
 * are claimed from control[1], so once the writer is done another thread may claim the rest too
 * (readFileInto). `bounced`: through a bounce buffer (see readFileInto).
 */
export interface FollowJob {
  readonly path: string;
  readonly fileOffset: number;
  readonly offset: number;
  readonly bytes: number;
  readonly control: Int32Array;
  readonly bounced: boolean;
}

export interface KernelHelper {
  /** Runs kernel export `name` with `args` on the helper thread. */
  call(name: string, args: readonly number[]): Promise<void>;
  follow(job: FollowJob): Promise<void>;
  close(): Promise<void>;
}

interface Job {
  readonly name: string;
  readonly args: unknown;
  resolve(): void;
  reject(error: Error): void;
}

export function startKernelHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelHelper {
  const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, koffi: koffiPath() } });
  worker.unref();
  const queue: Job[] = [];
  let running: Job | undefined;
  let exited = false;
  // Posted at once when the helper is idle, so it starts while the caller does its own half.
  const next = () => {
    running = queue.shift();
    if (!running) return worker.unref();
    // Held while it works, so the process does not exit under an await on it.
    worker.ref();
    worker.postMessage({ name: running.name, args: running.args });
  };
  const settle = (outcome: { ok: boolean; message?: string } | Error) => {
    const current = running;
    if (outcome instanceof Error || !outcome.ok)
      current?.reject(outcome instanceof Error ? outcome : new Error(`the kernel helper failed: ${outcome.message}`));
    else current?.resolve();
    next();
  };
  worker.on('message', settle);
  worker.on('error', settle);
  worker.on('exit', (code) => {
    exited = true;
    const error = new Error(`the kernel helper exited (${code})`);
    for (const job of [running, ...queue.splice(0)]) job?.reject(error);
    running = undefined;
    worker.unref();
  });
  return {
    call: (name, args) => send(name, args),
    follow: (job) => send('follow', job),
    async close() {
      await worker.terminate();
    },
  };

  /** Runs after the calls sent before it. */
  function send(name: string, args: unknown): Promise<void> {
    if (exited) return Promise.reject(new Error('the kernel helper has exited'));
    return new Promise((resolve, reject) => {
      queue.push({ name, args, resolve, reject });
      if (!running) next();
    });
  }
}
