import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_PAGE, punchHole } from '../../functions/worker/panorama/file-holes.ts';

/** Whether this machine takes a hole punched in a file in the temporary folder (Linux, koffi, a filesystem that supports it). */
function probe(): boolean {
  const path = join(tmpdir(), `tessera-punch-probe-${process.pid}`);
  writeFileSync(path, new Uint8Array(4 * FILE_PAGE).fill(1));
  const fd = openSync(path, 'r+');
  try {
    return punchHole(fd, 0, 4 * FILE_PAGE);
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

export const punchingWorksHere = probe();

/**
 * Marks the file append-only (chattr +a): it may be appended to, as a decoder writes it, but not
 * opened for writing otherwise, even by root, so a reader must fall back to reading it read-only.
 * Returns a function that clears the mark (the file cannot be removed before), or undefined where
 * the mark cannot be set (no chattr, not root, a filesystem without it).
 */
export function markAppendOnly(path: string): (() => void) | undefined {
  try {
    execFileSync('chattr', ['+a', path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => execFileSync('chattr', ['-a', path], { stdio: 'ignore' });
}

/** Whether markAppendOnly works in the temporary folder and makes opening for writing fail. */
function probeAppendOnly(): boolean {
  const path = join(tmpdir(), `tessera-append-only-probe-${process.pid}`);
  writeFileSync(path, '');
  const clear = markAppendOnly(path);
  try {
    if (!clear) return false;
    try {
      closeSync(openSync(path, 'r+'));
      return false;
    } catch {
      return true;
    }
  } finally {
    clear?.();
    rmSync(path, { force: true });
  }
}

export const appendOnlyWorksHere = probeAppendOnly();
