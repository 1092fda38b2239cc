import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CUBE_KERNEL_WASM_BASE64 } from '../../functions/worker/panorama/kernel/cube-kernel-module.ts';
import { FOLLOW_READ, FOLLOW_WRITTEN, followControl, startKernelHelper } from '../../functions/worker/panorama/kernel-helper.ts';

/** The ids of a WebAssembly binary's sections, in order. */
function sectionIds(binary: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < binary.length) {
    ids.push(binary[at++]!);
    let size = 0;
    for (let shift = 0, byte = 0x80; byte & 0x80; shift += 7) size |= ((byte = binary[at++]!) & 0x7f) << shift;
    at += size;
  }
  return ids;
}

describe('the kernel module', () => {
  it('has no data, table or element section: a second instance on the shared memory (the helper thread’s) writes nothing into it', () => {
    // An AssemblyScript closure once brought a table and static data; the helper's instance then
    // rewrote that data over the panorama's first bytes, and its indirect call trapped.
    const ids = sectionIds(Buffer.from(CUBE_KERNEL_WASM_BASE64, 'base64'));
    for (const [id, name] of [
      [4, 'table'],
      [9, 'element'],
      [11, 'data'],
    ] as const) {
      assert.ok(!ids.includes(id), `the kernel has a ${name} section (sections ${ids.join(', ')})`);
    }
    assert.ok(ids.includes(10), 'the parser found the code section');
  });
});

describe('the kernel helper thread', () => {
  it('runs calls sent while it is busy after the ones before, in order; a failed call fails alone; once closed, calls are refused', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const helper = startKernelHelper(new WebAssembly.Module(Buffer.from(CUBE_KERNEL_WASM_BASE64, 'base64')), memory);
    const folder = await mkdtemp(join(tmpdir(), 'kernel-helper-'));
    try {
      // Two files read to the same place: the one sent last must land last.
      const [first, second] = [join(folder, 'first'), join(folder, 'second')];
      await writeFile(first, Buffer.alloc(4096, 1));
      await writeFile(second, Buffer.alloc(4096, 2));
      const written = () => followControl(4096).fill(FOLLOW_WRITTEN, 0, 1);
      const job = (path: string) => ({ path, fileOffset: 0, offset: 1024, bytes: 4096, control: written(), bounced: false });
      const firstJob = job(first);
      const calls = [helper.follow(firstJob), helper.call('noSuchExport', []), helper.follow(job(second))];
      const settled = await Promise.allSettled(calls);
      assert.deepEqual(
        settled.map(({ status }) => status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      await assert.rejects(calls[1]!, /the kernel helper failed/);
      assert.deepEqual(new Uint8Array(memory.buffer, 1024, 4096), new Uint8Array(4096).fill(2));
      assert.equal(firstJob.control[FOLLOW_READ], 1, 'the chunk is marked read');
      await helper.close();
      await assert.rejects(helper.follow(job(first)), /exited/);
    } finally {
      await helper.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
