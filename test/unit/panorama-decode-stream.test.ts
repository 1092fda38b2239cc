import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp, { type Sharp } from 'sharp';
import { FACES } from '../../functions/core/panorama/layout.ts';
import { createCubeSampler, type CubeSampler } from '../../functions/worker/panorama/cube-sampler.ts';
import { FILE_PAGE } from '../../functions/worker/panorama/file-holes.ts';
import { checkVipsHeader, VIPS_HEADER_BYTES } from '../../functions/worker/panorama/vips-file.ts';
import { appendOnlyWorksHere, markAppendOnly, punchingWorksHere } from '../support/file-holes.ts';

/**
 * Below 2 MiB the sampler's memory stays on 4 KiB pages and the file is read through a bounce
 * buffer; above, on huge pages where the kernel grants them, it is read straight in.
 */
const SHAPES = [
  { width: 256, height: 128, size: 80, pages: 'a memory of 4 KiB pages (read through a bounce buffer)' },
  { width: 1024, height: 512, size: 320, pages: 'a memory of 2 MiB and more (read straight in where huge pages are granted)' },
];

/** Deterministic noise: a misplaced or missing byte anywhere shows in some face. */
function noise(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** Bytes the filesystem still holds for the file. */
const allocatedBytes = (path: string) => statSync(path).blocks * 512;

async function allFaces(sampler: CubeSampler): Promise<Uint8Array[]> {
  const faces: Uint8Array[] = [];
  for (const face of FACES) faces.push((await sampler.render(face, 0)).slice());
  return faces;
}

for (const { width: WIDTH, height: HEIGHT, size: SIZE, pages } of SHAPES)
  describe(`the decoded panorama streamed into the kernel (loadSource), ${pages}`, () => {
    const pixels = noise(WIDTH * HEIGHT * 3, 7);
    const header = noise(VIPS_HEADER_BYTES, 3);
    let directory: string;
    let expected: Uint8Array[];
    before(async () => {
      directory = await mkdtemp(join(tmpdir(), 'tessera-stream-test-'));
      const reference = createCubeSampler(SIZE, WIDTH, HEIGHT);
      try {
        reference.setSource(pixels);
        expected = await allFaces(reference);
      } finally {
        await reference.close();
      }
    });
    after(() => rm(directory, { recursive: true, force: true }));

    /** Writes header + pixels (+ a trailer, as libvips writes XML after the pixels) in small pieces, pausing between them. */
    async function writeSlowly(
      path: string,
      body: Uint8Array,
      { failAfter, trailer = true }: { failAfter?: number; trailer?: boolean } = {},
    ): Promise<void> {
      await appendFile(path, header);
      for (let at = 0; at < body.length; at += 4096) {
        if (failAfter !== undefined && at >= failAfter) throw new Error('the decoder gave up');
        await appendFile(path, body.subarray(at, at + 4096));
        if (at % 32768 === 0) await sleep(2);
      }
      if (trailer) await appendFile(path, '<xml/>');
    }

    /** An empty file named `name` (the reader opens it before the writer starts) and a fresh sampler, closed after `use`. */
    async function withEmptyFile(name: string, use: (path: string, sampler: CubeSampler) => Promise<void>): Promise<void> {
      const path = join(directory, name);
      await writeFile(path, '');
      const sampler = createCubeSampler(SIZE, WIDTH, HEIGHT);
      try {
        await use(path, sampler);
      } finally {
        await sampler.close();
      }
    }

    it('reads the file behind its writer: the faces are those of the same pixels set directly', () =>
      withEmptyFile('slow.v', async (path, sampler) => {
        await sampler.loadSource(path, VIPS_HEADER_BYTES, writeSlowly(path, pixels));
        assert.deepEqual(await allFaces(sampler), expected);
      }));

    it('still loads when the helper thread is gone: this thread reads the finished file', () =>
      withEmptyFile('alone.v', async (path, sampler) => {
        await sampler.close();
        await sampler.loadSource(path, VIPS_HEADER_BYTES, writeSlowly(path, pixels));
        assert.deepEqual(await allFaces(sampler), expected);
      }));

    for (const helper of ['the helper thread', 'this thread alone'])
      it(
        `gives back the pages read (${helper}): the header’s page and the last partial one stay, the faces are unchanged`,
        { skip: !punchingWorksHere && 'punched holes are not freed here (not Linux, no koffi, or a filesystem without them)' },
        () =>
          withEmptyFile(`punched-${helper.length}.v`, async (path, sampler) => {
            if (helper === 'this thread alone') await sampler.close();
            await sampler.loadSource(path, VIPS_HEADER_BYTES, writeSlowly(path, pixels));
            const fileBytes = statSync(path).size;
            assert.equal(fileBytes, VIPS_HEADER_BYTES + pixels.length + '<xml/>'.length, 'the size stays');
            assert.ok(allocatedBytes(path) <= 2 * FILE_PAGE, `${allocatedBytes(path)} of ${fileBytes} bytes still allocated`);
            const headerPage = (await readFile(path)).subarray(0, VIPS_HEADER_BYTES);
            assert.deepEqual(new Uint8Array(headerPage), header, 'the header is still there for the check that follows');
            assert.deepEqual(await allFaces(sampler), expected);
          }),
      );

    for (const helper of ['the helper thread', 'this thread alone'])
      it(
        `reads a file it may not write (${helper}) read-only: the file stays whole, the faces are unchanged`,
        { skip: !appendOnlyWorksHere && 'a file cannot be made append-only here (no chattr, not root, or a filesystem without it)' },
        () =>
          withEmptyFile(`append-only-${helper.length}.v`, async (path, sampler) => {
            // Append-only: the decoder's appends go on, opening it for writing otherwise is refused (EPERM).
            const clear = markAppendOnly(path)!;
            try {
              if (helper === 'this thread alone') await sampler.close();
              await sampler.loadSource(path, VIPS_HEADER_BYTES, writeSlowly(path, pixels));
              const written = await readFile(path);
              assert.deepEqual(new Uint8Array(written.subarray(VIPS_HEADER_BYTES, VIPS_HEADER_BYTES + pixels.length)), pixels);
              assert.ok(allocatedBytes(path) >= written.length, 'no page was given back');
              assert.deepEqual(await allFaces(sampler), expected);
            } finally {
              clear();
            }
          }),
      );

    it("fails with the writer's error when the decoder fails half-way, without waiting for bytes that never come", () =>
      withEmptyFile('failed.v', async (path, sampler) => {
        const started = performance.now();
        await assert.rejects(
          sampler.loadSource(path, VIPS_HEADER_BYTES, writeSlowly(path, pixels, { failAfter: pixels.length / 2 })),
          /the decoder gave up/,
        );
        assert.ok(performance.now() - started < 5000, 'abandoned promptly');
      }));

    it('fails when the finished file holds fewer bytes than the panorama', () =>
      withEmptyFile('short.v', async (path, sampler) => {
        await assert.rejects(
          sampler.loadSource(path, VIPS_HEADER_BYTES, writeSlowly(path, pixels.subarray(0, pixels.length - 3), { trailer: false })),
          new RegExp(`ended after ${pixels.length - 3} of ${pixels.length} bytes`),
        );
      }));
  });

describe('the .v header check', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tessera-vips-test-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  const written = async (name: string, image: Sharp) => {
    const path = join(directory, name);
    await image.toFile(path);
    return path;
  };
  const rgb = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#336699' } });

  it('accepts what libvips writes for 8-bit RGB of the expected size, pixels right after the header', async () => {
    const path = await written('rgb.v', rgb(64, 32));
    await checkVipsHeader(path, 64, 32);
    const bytes = await readFile(path);
    assert.deepEqual([...bytes.subarray(VIPS_HEADER_BYTES, VIPS_HEADER_BYTES + 3)], [0x33, 0x66, 0x99]);
  });

  it('refuses another size, another band count and 16-bit samples, naming the shape it found', async () => {
    await assert.rejects(checkVipsHeader(await written('size.v', rgb(64, 32)), 64, 31), /unexpected shape.*"height":32/);
    await assert.rejects(
      checkVipsHeader(await written('rgba.v', sharp({ create: { width: 64, height: 32, channels: 4, background: '#336699ff' } })), 64, 32),
      /"bands":4/,
    );
    await assert.rejects(checkVipsHeader(await written('ushort.v', rgb(64, 32).toColourspace('rgb16')), 64, 32), /"format":2/);
  });
});
