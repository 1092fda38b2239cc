import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import {
  checkSlices,
  chooseSliceSize,
  describeIds,
  missingSlices,
  planParts,
  PROXIED_PART_BYTES,
  readyParts,
  type PlannedPart,
} from '../../functions/core/slices.ts';
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
    refused(() => checkSlices(slices(1, 0, 1), { partSized: false }), 'slices empty (only the last may be): 2');
    // xfyun's demo ends a file that is an exact multiple of its slice size with an empty slice.
    checkSlices(slices(5 * MiB, 5 * MiB, 0), { partSized: false });
    refused(() => checkSlices(slices(MiB, 5 * MiB, MiB, 1), { partSized: true }), 'slices smaller than 5 MiB (only the last may be): 1, 3');
  });
});

describe('planParts and readyParts', () => {
  const P = PROXIED_PART_BYTES;
  const layout = (parts: readonly PlannedPart[]) =>
    parts.map((part) => [part.partNumber, part.offset, part.size, part.pieces.map((piece) => [piece.sliceId, piece.start, piece.end])]);

  it('cuts the file the slices make into parts of PROXIED_PART_BYTES, whatever the slice sizes, the rest into a last part', () => {
    assert.deepEqual(layout(planParts(slices(3 * MiB, 3 * MiB, 3 * MiB, MiB))), [
      [
        1,
        0,
        P,
        [
          [1, 0, 3 * MiB],
          [2, 0, 3 * MiB],
          [3, 0, 2 * MiB],
        ],
      ],
      [
        2,
        P,
        2 * MiB,
        [
          [3, 2 * MiB, 3 * MiB],
          [4, 0, MiB],
        ],
      ],
    ]);
    // One large slice becomes several parts, none over PROXIED_PART_BYTES.
    assert.deepEqual(layout(planParts(slices(20 * MiB, 1))), [
      [1, 0, P, [[1, 0, P]]],
      [2, P, P, [[1, P, 2 * P]]],
      [
        3,
        2 * P,
        20 * MiB - 2 * P + 1,
        [
          [1, 2 * P, 20 * MiB],
          [2, 0, 1],
        ],
      ],
    ]);
  });

  it('gives an empty last slice no part, and an empty file one empty part', () => {
    assert.deepEqual(layout(planParts(slices(5 * MiB, 5 * MiB, 0))), layout(planParts(slices(5 * MiB, 5 * MiB))));
    assert.deepEqual(layout(planParts(slices(0))), [[1, 0, 0, []]]);
  });

  it('finds, while slices arrive, exactly the full parts planParts finds at the end', () => {
    const sizes = new Map([
      [1, 3 * MiB],
      [2, 3 * MiB],
      [4, 9 * MiB],
    ]);
    assert.deepEqual(readyParts(sizes, 1), [], 'slices 1-2 do not fill a part, and slice 3 is missing');
    sizes.set(3, 3 * MiB);
    const ready = readyParts(sizes, 1);
    assert.deepEqual(layout(ready), layout(planParts(slices(3 * MiB, 3 * MiB, 3 * MiB, 9 * MiB)).slice(0, 2)));
    assert.deepEqual(layout(readyParts(sizes, 2)), layout(ready.slice(1)), 'from the next part not yet assembled');
  });

  it('chooses slice sizes of whole MiB, at least 5 MiB, at most 10,000 slices', () => {
    assert.equal(chooseSliceSize(1), 5 * MiB);
    assert.equal(chooseSliceSize(40 * 1024 * MiB), 5 * MiB);
    const size = chooseSliceSize(200 * 1024 * MiB);
    assert.equal(size % MiB, 0);
    assert.ok(Math.ceil((200 * 1024 * MiB) / size) <= 10_000);
  });
});
