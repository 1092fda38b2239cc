import { openSync } from 'node:fs';
import { libcFunction } from './libc.ts';

/** fallocate(2) with FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE: frees the range, the size stays. */
export const PUNCH_HOLE = { prototype: 'int fallocate(int fd, int mode, int64_t offset, int64_t length)', mode: 2 | 1 } as const;
/** Holes are punched in whole pages, so a partly read page (the header's) stays. */
export const FILE_PAGE = 4096;

/** Why a file may not be opened for writing: it is then opened read-only, and keeps its pages. */
export const READ_ONLY_ERRORS: readonly string[] = ['EACCES', 'EPERM', 'EROFS'];

/** Opens a file to read it and give its pages back (punchHole); read-only where it may not be written. */
export function openToConsume(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch (error) {
    if (READ_ONLY_ERRORS.includes((error as NodeJS.ErrnoException).code ?? '')) return openSync(path, 'r');
    throw error;
  }
}

type Fallocate = (fd: number, mode: number, offset: number, length: number) => number;
let fallocate: Fallocate | null | undefined;

/**
 * Gives the pages wholly inside bytes [from, to) of the open file back to the kernel, once they
 * have been read: the scratch file holds little more than what the readers have yet to read (a
 * page at each chunk boundary stays), and its freed page-cache pages serve the decoder's next
 * writes. On a Firecracker guest fresh pages cost ~2 ms per MiB to back; this made builds faster,
 * 8K 1.31 → 1.15 s and 16K 4.38 → 4.01 s (medians of alternating pairs), with about half the
 * system time. Advice only: where punching is refused (a file opened read-only, another
 * filesystem, no koffi, not Linux) the file keeps its pages until it is removed. Returns whether
 * the kernel took it.
 */
export function punchHole(fd: number, from: number, to: number): boolean {
  const start = Math.ceil(from / FILE_PAGE) * FILE_PAGE;
  const end = Math.floor(to / FILE_PAGE) * FILE_PAGE;
  if (end <= start) return false;
  fallocate ??= libcFunction<Fallocate>(PUNCH_HOLE.prototype);
  return fallocate !== null && fallocate(fd, PUNCH_HOLE.mode, start, end - start) === 0;
}
