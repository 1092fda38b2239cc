import { closeSync, readSync } from 'node:fs';
import { openToConsume, punchHole } from './file-holes.ts';
import { FOLLOW_CHUNK_BYTES, FOLLOW_READ } from './kernel-helper.ts';

/** How a reader takes chunk numbers, and tells which it has read. */
export interface ChunkClaims {
  /** The next chunk to read; one past the last ends the reading. */
  claim(): number;
  /** Chunk `chunk` is in the target (and its pages are given back). */
  read?(chunk: number): void;
}

/** Chunk numbers 0, 1, 2, … for one reader. */
const inOrder = (): ChunkClaims => {
  let next = 0;
  return { claim: () => next++ };
};

const markRead = (control: Int32Array) => (chunk: number) => Atomics.store(control, FOLLOW_READ + chunk, 1);

/** Chunks taken from a FollowJob's control array, beside the helper thread that follows the writer. */
export const sharedChunks = (control: Int32Array): ChunkClaims => ({ claim: () => Atomics.add(control, 1, 1), read: markRead(control) });

/** The chunks no reader has flagged read, in order: what is left when the helper failed part-way. */
export function unreadChunks(control: Int32Array): ChunkClaims {
  const chunks = control.length - FOLLOW_READ;
  let next = 0;
  return {
    claim() {
      while (next < chunks && Atomics.load(control, FOLLOW_READ + next) === 1) next++;
      return next++;
    },
    read: markRead(control),
  };
}

/**
 * Reads `target.length` bytes of a finished file from `fileOffset` into `target`, in chunks of
 * FOLLOW_CHUNK_BYTES numbered by `chunks` (shared with a FollowJob, two threads split the file), and
 * gives each chunk's pages back once read (punchHole, where the file may be written: a chunk read
 * is then gone from it). A shorter file is an error. `bounced`: each chunk through a bounce buffer,
 * for a target on 4 KiB pages not touched yet: on Firecracker guests a page first written by read()
 * costs a second page fault on its first use from user space (0.4–0.6 s more at 16K); on huge pages
 * it does not, and reading straight in saves the copy.
 */
export function readFileInto(
  path: string,
  fileOffset: number,
  target: Uint8Array,
  bounced: boolean,
  chunks: ChunkClaims = inOrder(),
): void {
  const bounce = bounced ? new Uint8Array(FOLLOW_CHUNK_BYTES) : undefined;
  const fd = openToConsume(path);
  try {
    for (let chunk = chunks.claim(); chunk * FOLLOW_CHUNK_BYTES < target.length; chunk = chunks.claim()) {
      const start = chunk * FOLLOW_CHUNK_BYTES;
      const length = Math.min(FOLLOW_CHUNK_BYTES, target.length - start);
      for (let got = 0; got < length;) {
        const read = readSync(fd, bounce ?? target, bounce ? got : start + got, length - got, fileOffset + start + got);
        if (read === 0) throw new Error(`the decoded image ended after ${start + got} of ${target.length} bytes`);
        got += read;
      }
      if (bounce) target.set(bounce.subarray(0, length), start);
      chunks.read?.(chunk);
      punchHole(fd, fileOffset + start, fileOffset + start + length);
    }
  } finally {
    closeSync(fd);
  }
}
