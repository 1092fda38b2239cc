import { closeSync, openSync, readSync } from 'node:fs';
import { FOLLOW_CHUNK_BYTES } from './kernel-helper.ts';

/** Hands out chunk numbers 0, 1, 2, … to one reader. */
const inOrder = () => {
  let next = 0;
  return () => next++;
};

/**
 * Reads `target.length` bytes of a finished file from `fileOffset` into `target`, in chunks of
 * FOLLOW_CHUNK_BYTES numbered by `claim` (shared with a FollowJob, two threads split the file), each
 * through a bounce buffer: pages of `target` are first written from user space, which costs one
 * page fault each here, where pages written by read() cost a second one on their first use. A
 * shorter file is an error.
 */
export function readFileInto(path: string, fileOffset: number, target: Uint8Array, claim: () => number = inOrder()): void {
  const bounce = new Uint8Array(FOLLOW_CHUNK_BYTES);
  const fd = openSync(path, 'r');
  try {
    for (let chunk = claim(); chunk * FOLLOW_CHUNK_BYTES < target.length; chunk = claim()) {
      const start = chunk * FOLLOW_CHUNK_BYTES;
      const length = Math.min(FOLLOW_CHUNK_BYTES, target.length - start);
      for (let got = 0; got < length;) {
        const read = readSync(fd, bounce, got, length - got, fileOffset + start + got);
        if (read === 0) throw new Error(`the decoded image ended after ${start + got} of ${target.length} bytes`);
        got += read;
      }
      target.set(bounce.subarray(0, length), start);
    }
  } finally {
    closeSync(fd);
  }
}
