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
