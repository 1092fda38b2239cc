import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 8 << 20;

/** Reads `target.length` bytes of a finished file from `fileOffset` into `target`; a shorter file is an error. */
export function readFileInto(path: string, fileOffset: number, target: Uint8Array): void {
  const fd = openSync(path, 'r');
  try {
    for (let done = 0; done < target.length;) {
      const read = readSync(fd, target, done, Math.min(CHUNK, target.length - done), fileOffset + done);
      if (read === 0) throw new Error(`the decoded image ended after ${done} of ${target.length} bytes`);
      done += read;
    }
  } finally {
    closeSync(fd);
  }
}
