import assert from 'node:assert/strict';
import { openSync, closeSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FILE_PAGE, punchHole } from '../../functions/worker/panorama/file-holes.ts';
import { FOLLOW_CHUNK_BYTES, FOLLOW_READ, followControl } from '../../functions/worker/panorama/kernel-helper.ts';
import { readFileInto, sharedChunks, unreadChunks } from '../../functions/worker/panorama/read-file-into.ts';
import { appendOnlyWorksHere, markAppendOnly, punchingWorksHere } from '../support/file-holes.ts';

const HEADER = 64;
/** Two whole chunks and part of a third, so chunk boundaries fall inside pages. */
const BYTES = 2 * FOLLOW_CHUNK_BYTES + 1000;

function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 11;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

describe('reading the decoded file in chunks (readFileInto)', () => {
  const pixels = noise(BYTES);
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tessera-read-into-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  const writeDecoded = async (name: string) => {
    const path = join(directory, name);
    await writeFile(path, Buffer.concat([new Uint8Array(HEADER).fill(9), pixels, Buffer.from('<xml/>')]));
    return path;
  };

  /** Chunk `chunk` read as the helper reads it: copied, flagged, its pages given back. */
  const readAsTheHelper = (path: string, target: Uint8Array, control: Int32Array, chunk: number) => {
    const start = chunk * FOLLOW_CHUNK_BYTES;
    const end = Math.min(BYTES, start + FOLLOW_CHUNK_BYTES);
    target.set(pixels.subarray(start, end), start);
    Atomics.store(control, FOLLOW_READ + chunk, 1);
    const fd = openSync(path, 'r+');
    try {
      punchHole(fd, HEADER + start, HEADER + end);
    } finally {
      closeSync(fd);
    }
  };

  it('after a helper that failed part-way, reads only the chunks it left unread: the read ones are gone from the file', async () => {
    const path = await writeDecoded('after-failure.v');
    const control = followControl(BYTES);
    const target = new Uint8Array(BYTES);
    readAsTheHelper(path, target, control, 0);
    readAsTheHelper(path, target, control, 2);
    // Chunk 1 was claimed and half read when the helper failed: neither flagged nor punched.
    target.fill(7, FOLLOW_CHUNK_BYTES, FOLLOW_CHUNK_BYTES + FOLLOW_CHUNK_BYTES / 2);
    readFileInto(path, HEADER, target, false, unreadChunks(control));
    assert.ok(Buffer.from(target).equals(pixels), 'every byte is the panorama’s');
    assert.deepEqual([...control.subarray(FOLLOW_READ)], [1, 1, 1]);
  });

  it('beside the helper, takes the chunks it has not claimed, and flags them', async () => {
    const path = await writeDecoded('shared.v');
    const control = followControl(BYTES);
    const target = new Uint8Array(BYTES);
    // The helper claimed chunk 0 and is reading it.
    Atomics.store(control, 1, 1);
    readFileInto(path, HEADER, target, true, sharedChunks(control));
    assert.ok(Buffer.from(target.subarray(FOLLOW_CHUNK_BYTES)).equals(pixels.subarray(FOLLOW_CHUNK_BYTES)));
    assert.ok(
      target.subarray(0, FOLLOW_CHUNK_BYTES).every((byte) => byte === 0),
      'chunk 0 is left to the helper',
    );
    assert.deepEqual([...control.subarray(FOLLOW_READ)], [0, 1, 1]);
  });

  it(
    'leaves the file holding only the pages no chunk holds whole: the header’s, one at each chunk boundary, the last',
    { skip: !punchingWorksHere && 'holes are not punched here (not Linux, no koffi, or a filesystem without them)' },
    async () => {
      const path = await writeDecoded('punched.v');
      readFileInto(path, HEADER, new Uint8Array(BYTES), false);
      const allocated = statSync(path).blocks * 512;
      assert.ok(allocated <= 4 * FILE_PAGE, `${allocated} bytes still allocated`);
      assert.equal(statSync(path).size, HEADER + BYTES + '<xml/>'.length, 'the size stays');
    },
  );

  it(
    'reads a file it may not write read-only, and leaves it whole',
    { skip: !appendOnlyWorksHere && 'a file cannot be made append-only here (no chattr, not root, or a filesystem without it)' },
    async () => {
      const path = await writeDecoded('append-only.v');
      const before = await readFile(path);
      const clear = markAppendOnly(path)!;
      try {
        const target = new Uint8Array(BYTES);
        readFileInto(path, HEADER, target, false);
        assert.ok(Buffer.from(target).equals(pixels), 'every byte is the panorama’s');
        assert.ok((await readFile(path)).equals(before), 'the file is as it was');
        assert.ok(statSync(path).blocks * 512 >= before.length, 'no page was given back');
      } finally {
        clear();
      }
    },
  );
});
