import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory for a peer's input and output files, in memory (/dev/shm) where there is one,
 * so a peer's file reads and writes cost about what Tessera's in-memory buffers do.
 */
export const scratchDirectory = (name: string): string =>
  mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `tessera-bench-${name}-`));
