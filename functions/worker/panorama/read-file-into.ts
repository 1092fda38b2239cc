import { closeSync, openSync, readSync } from 'node:fs';
import { FOLLOW_CHUNK_BYTES } from './kernel-helper.ts';

/** Hands out chunk numbers 0, 1, 2, … to one reader. */
const inOrder = () => {
  let next = 0;
  return () => next++;
};

/**
 * Reads `target.length` bytes of a finished file from `fileOffset` into `target`, in chunks of
 * FOLLOW_CHUNK_BYTES numbered by `claim` (shared with a FollowJob, two threads split the file). A
 * shorter file is an error. `bounced`: each chunk through a bounce buffer, for a target on 4 KiB
 * pages not touched yet: on Firecracker guests a page first written by read() costs a second page
 * fault on its first use from user space (0.4–0.6 s more at 16K); on huge pages it does not, and
 * reading straight in saves the copy.
 */
export function readFileInto(
  path: string,
  fileOffset: number,
  target: Uint8Array,
  bounced: boolean,
  claim: () => number = inOrder(),
): void {
  const bounce = bounced ? new Uint8Array(FOLLOW_CHUNK_BYTES) : undefined;
  const fd = openSync(path, 'r');
  try {
    for (let chunk = claim(); chunk * FOLLOW_CHUNK_BYTES < target.length; chunk = claim()) {
      const start = chunk * FOLLOW_CHUNK_BYTES;
      const length = Math.min(FOLLOW_CHUNK_BYTES, target.length - start);
      for (let got = 0; got < length;) {
        const read = readSync(fd, bounce ?? target, bounce ? got : start + got, length - got, fileOffset + start + got);
        if (read === 0) throw new Error(`the decoded image ended after ${start + got} of ${target.length} bytes`);
        got += read;
      }
      if (bounce) target.set(bounce.subarray(0, length), start);
    }
  } finally {
    closeSync(fd);
  }
}
