import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import { checkSlices, chooseSliceSize, describeIds, missingSlices, planParts, readyRun } from '../../functions/core/slices.ts';
import { invalidInput } from '../../functions/core/errors.ts';
import { sliceIdField } from '../../functions/ost/request.ts';

const MiB = 1024 * 1024;
const slices = (...sizes: number[]) => sizes.map((size, index) => ({ sliceId: index + 1, size }));
const refused = (run: () => void, message: string) =>
  assert.throws(run, (error: TesseraError) => error.kind === 'invalid-input' && error.message === message);

/** The multipart slice_id field, read as the dialect kit reads it: its first problem is the error. */
function parseSliceId(raw: string | undefined): number {
  const parsed = sliceIdField.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error.issues[0]!.message);
  return parsed.data;
}

describe('slice ids', () => {
  it('are integers 1 to 10,000, sent as text', () => {
    assert.equal(parseSliceId('1'), 1);
    assert.equal(parseSliceId('10000'), 10_000);
    for (const raw of ['0', '10001', 'x', '1.0', '-1', ' 1', '1e3'])
      refused(() => parseSliceId(raw), 'slice_id must be an integer from 1 to 10000');
    refused(() => parseSliceId(undefined), 'slice_id is required');
  });

  it('are described as folded runs', () => {
    assert.equal(describeIds([9, 3, 4, 5, 1, 7]), '1, 3-5, 7, 9');
    assert.deepEqual(missingSlices([1, 2, 5, 9]), [3, 4, 6, 7, 8]);
    assert.deepEqual(missingSlices([3]), [1, 2]);
  });
});

describe('checkSlices', () => {
  it('wants 1..N, none empty, and for S3 parts 5 MiB except the last', () => {
    checkSlices(slices(1, 1, 1), { partSized: false });
    checkSlices(slices(0), { partSized: false });
    checkSlices(slices(5 * MiB, 5 * MiB, 1), { partSized: true });
    refused(() => checkSlices([], { partSized: false }), 'no slices were uploaded');
    refused(() => checkSlices([{ sliceId: 2, size: 1 }], { partSized: false }), 'slices missing: 1');
    refused(() => checkSlices(slices(1, 0, 1), { partSized: false }), 'slices empty: 2');
    refused(() => checkSlices(slices(MiB, 5 * MiB, MiB, 1), { partSized: true }), 'slices smaller than 5 MiB (only the last may be): 1, 3');
  });
});

describe('planParts and readyRun', () => {
  it('groups contiguous slices into parts of at least 5 MiB, the rest into a last part', () => {
    assert.deepEqual(
      planParts(slices(3 * MiB, 3 * MiB, 3 * MiB, 3 * MiB, MiB)).map((part) => [part.partNumber, part.firstSlice, part.lastSlice]),
      [
        [1, 1, 2],
        [2, 3, 4],
        [3, 5, 5],
      ],
    );
    assert.deepEqual(
      planParts(slices(6 * MiB, 1)).map((part) => [part.firstSlice, part.lastSlice, part.size]),
      [
        [1, 1, 6 * MiB],
        [2, 2, 1],
      ],
    );
  });

  it('finds the same runs while slices arrive as planParts finds at the end', () => {
    const sizes = new Map([
      [1, 3 * MiB],
      [2, 3 * MiB],
      [4, 3 * MiB],
      [5, 3 * MiB],
    ]);
    assert.deepEqual(readyRun(sizes, 1), { lastSlice: 2, size: 6 * MiB });
    assert.equal(readyRun(sizes, 3), undefined, 'a gap stops the run');
    sizes.set(3, 3 * MiB);
    assert.deepEqual(readyRun(sizes, 3), { lastSlice: 4, size: 6 * MiB });
    assert.equal(readyRun(new Map([[1, MiB]]), 1), undefined, 'a short run waits');
  });

  it('chooses slice sizes of whole MiB, at least 5 MiB, at most 10,000 slices', () => {
    assert.equal(chooseSliceSize(1), 5 * MiB);
    assert.equal(chooseSliceSize(40 * 1024 * MiB), 5 * MiB);
    const size = chooseSliceSize(200 * 1024 * MiB);
    assert.equal(size % MiB, 0);
    assert.ok(Math.ceil((200 * 1024 * MiB) / size) <= 10_000);
  });
});
