import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scratchDirectory } from '../../functions/worker/panorama/scratch-directory.ts';

describe("a build's scratch folder", () => {
  it('removes what dead processes and earlier builds of this one left behind, and nothing another live process or build uses', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const leftovers = {
      dead: join(tmpdir(), `tessera-panorama-${deadPid}-dead`),
      ownStale: join(tmpdir(), `tessera-panorama-${process.pid}-stale`),
      liveOther: join(tmpdir(), `tessera-panorama-${process.ppid}-live`),
      unrelated: join(tmpdir(), `tessera-panoramas-${deadPid}-not-ours`),
    };
    for (const path of Object.values(leftovers)) {
      await mkdir(path, { recursive: true });
      await writeFile(join(path, 'decoded.v'), 'x');
    }
    const first = await scratchDirectory();
    try {
      assert.equal(existsSync(leftovers.dead), false, "a dead process's folder is removed");
      assert.equal(existsSync(leftovers.ownStale), false, "this process's folder no build uses is removed");
      assert.equal(existsSync(leftovers.liveOther), true, "a live process's folder is kept");
      assert.equal(existsSync(leftovers.unrelated), true, 'a folder not named like ours is kept');
      // A second build in this process while the first is under way keeps the first's folder.
      const second = await scratchDirectory();
      assert.equal(existsSync(first.path), true);
      assert.notEqual(second.path, first.path);
      await second.remove();
      assert.equal(existsSync(second.path), false);
    } finally {
      await first.remove();
      for (const path of Object.values(leftovers)) await rm(path, { recursive: true, force: true });
    }
  });
});
