import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'tessera-panorama-';
const OWNED = /^tessera-panorama-(\d+)-/;
const inUse = new Set<string>();

export interface ScratchDirectory {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * A fresh folder in the system's temporary folder for one build's decoded pixels (up to 1.5 GiB),
 * after removing what earlier builds left there: a Lambda killed by its timeout or memory limit
 * keeps /tmp for the next invocation, and two leftovers would fill it. A folder is left behind
 * when its process is gone, or when it is this process's and no build here is using it.
 */
export async function scratchDirectory(): Promise<ScratchDirectory> {
  await removeAbandoned();
  const path = await mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
  inUse.add(path);
  return {
    path,
    async remove() {
      inUse.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}

async function removeAbandoned(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const owner = OWNED.exec(name)?.[1];
    if (owner === undefined) continue;
    const path = join(tmpdir(), name);
    const pid = Number(owner);
    const abandoned = pid === process.pid ? !inUse.has(path) : !isAlive(pid);
    if (abandoned) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
