import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createCubeSampler } from '../../functions/worker/panorama/cube-sampler.ts';
import { adviseHugePages } from '../../functions/worker/panorama/huge-pages.ts';
import { kernelTakesHugePageAdvice, thpMode } from '../support/transparent-huge-pages.ts';

const MIB = 1024 * 1024;

/** Sizes of this process's mappings that carry the huge page advice (VmFlags `hg` in /proc/self/smaps). */
function advisedMappings(): number[] {
  const sizes: number[] = [];
  let size = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) size = Number(BigInt(`0x${range[2]}`) - BigInt(`0x${range[1]}`));
    else if (line.startsWith('VmFlags:') && line.split(' ').includes('hg')) sizes.push(size);
  }
  return sizes;
}

const wasmMemory = (bytes: number) => new WebAssembly.Memory({ initial: bytes / 65536, maximum: bytes / 65536, shared: true }).buffer;

describe('huge page advice for the panorama kernel memory', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
  it(`is taken for a large WebAssembly memory where the kernel allows it (here: ${thpMode ?? 'no THP'})`, () => {
    const buffer = wasmMemory(64 * MIB);
    const before = advisedMappings().filter((size) => size >= 64 * MIB).length;
    assert.equal(adviseHugePages(buffer), kernelTakesHugePageAdvice);
    const after = advisedMappings().filter((size) => size >= 64 * MIB).length;
    assert.equal(after - before, kernelTakesHugePageAdvice ? 1 : 0);
    // Advice changes how pages are backed, never what they hold.
    const bytes = new Uint8Array(buffer);
    bytes[0] = 1;
    bytes[bytes.length - 1] = 2;
    assert.deepEqual([bytes[0], bytes[1], bytes[bytes.length - 1]], [1, 0, 2]);
  });

  it('is not asked for below one huge page', () => {
    const before = advisedMappings().length;
    assert.equal(adviseHugePages(wasmMemory(MIB)), false);
    assert.equal(advisedMappings().length, before);
  });

  it(
    'is asked for by the cube sampler for its whole memory',
    { skip: !kernelTakesHugePageAdvice && `THP is ${thpMode ?? 'absent'}` },
    async () => {
      const width = 2048;
      const height = 1024;
      const before = advisedMappings().filter((size) => size >= width * height * 3).length;
      const sampler = createCubeSampler(640, width, height);
      try {
        assert.equal(advisedMappings().filter((size) => size >= width * height * 3).length - before, 1);
      } finally {
        await sampler.close();
      }
    },
  );
});
