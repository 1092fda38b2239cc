import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import { MAX_REFINE_WEIGHT, type SpaceChange } from '../../functions/core/faces/space-changes.ts';
import { decodeRows, encodingFor } from '../../functions/core/faces/space-encoding.ts';
import { DESCRIPTOR_LENGTH, MATCH_DISTANCE, SpaceIndex } from '../../functions/core/faces/space-index.ts';
import { descriptorSource, distanceBetween } from '../support/face-descriptors.ts';

const adds = (descriptors: readonly Float32Array[], personOf = (row: number) => row + 1, firstFaceId = 1): SpaceChange[] =>
  descriptors.map((descriptor, row) => ({ op: 'add', faceId: firstFaceId + row, personId: personOf(row), descriptor }));

/** The nearest face the slow, obvious way. */
function naiveNearest(faces: ReadonlyMap<number, { personId: number; descriptor: Float32Array }>, query: Float32Array) {
  let best: { faceId: number; personId: number; distance: number } | undefined;
  for (const [faceId, face] of faces) {
    const distance = distanceBetween(face.descriptor, query);
    if (!best || distance < best.distance) best = { faceId, personId: face.personId, distance };
  }
  return best;
}

const refusedAs = (kind: TesseraError['kind'], message: RegExp) => (error: unknown) =>
  error instanceof TesseraError && error.kind === kind && message.test(error.message);

describe('face space index', () => {
  it('encodes and decodes to the same faces, whatever the alignment of the bytes', () => {
    const source = descriptorSource(1);
    const descriptors = Array.from({ length: 40 }, () => source.next());
    const index = SpaceIndex.empty()
      .apply(adds(descriptors, (row) => (row % 7) + 1))
      .apply([
        { op: 'refine', faceId: 3, descriptor: source.next() },
        { op: 'deletePerson', personId: 2 },
      ]);
    const bytes = index.encode();
    const decoded = SpaceIndex.decode(bytes);
    assert.equal(decoded.size, index.size);
    assert.deepEqual(decoded.personIds(), [1, 3, 4, 5, 6, 7]);
    assert.deepEqual(decoded.encode(), bytes);
    const unaligned = new Uint8Array(bytes.byteLength + 1).fill(0xee);
    unaligned.set(bytes, 1);
    assert.deepEqual(SpaceIndex.decode(unaligned.subarray(1)).encode(), bytes);
    for (const query of descriptors) assert.deepEqual(decoded.nearest(query), index.nearest(query));
    assert.deepEqual(SpaceIndex.decode(SpaceIndex.empty().encode()).size, 0);
  });

  it('refuses bytes it did not write', () => {
    const good = SpaceIndex.empty()
      .apply(adds([descriptorSource(2).next(), descriptorSource(3).next()]))
      .encode();
    const edited = (at: number, value: number) => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    const corrupt = (bytes: Uint8Array, why: RegExp) => assert.throws(() => SpaceIndex.decode(bytes), refusedAs('internal', why));
    corrupt(good.subarray(0, 8), /shorter than the header/);
    corrupt(edited(0, 0x41), /does not begin with "TFSI"/);
    corrupt(edited(4, 2), /format version 2/);
    corrupt(edited(6, 64), /descriptors of 64 numbers/);
    corrupt(good.subarray(0, good.byteLength - 4), /do not hold exactly 2 faces/);
    corrupt(edited(8, 3), /do not hold exactly 3 faces/);
    corrupt(edited(16, 1), /face ids do not ascend at row 1/); // second face id 2 → 1
    corrupt(edited(20, 0), /row 0 has no person/);
    const weightless = good.slice();
    new DataView(weightless.buffer).setFloat32(28, 0.5, true);
    corrupt(weightless, /row 0 has weight 0.5/);
  });

  it('finds the nearest face as a naive search does, through deletions and refinements', () => {
    const source = descriptorSource(4);
    const faces = new Map<number, { personId: number; descriptor: Float32Array }>();
    const changes = adds(
      Array.from({ length: 3000 }, () => source.next()),
      (row) => (row % 500) + 1,
    );
    for (const change of changes) if (change.op === 'add') faces.set(change.faceId, change);
    const base = SpaceIndex.decode(SpaceIndex.empty().apply(changes).encode());
    const refinedWith = source.next();
    const index = base.apply([
      { op: 'deletePerson', personId: 17 },
      { op: 'refine', faceId: 5, descriptor: refinedWith },
      { op: 'add', faceId: 3001, personId: 501, descriptor: source.next() },
    ]);
    for (const [faceId, face] of faces) if (face.personId === 17) faces.delete(faceId);
    faces.set(5, { personId: 5, descriptor: faces.get(5)!.descriptor.map((value, k) => (value + refinedWith[k]!) / 2) });
    for (let query = 0; query < 60; query++) {
      const probe = query % 3 === 0 ? source.near(faces.get(query * 7 + 1)!.descriptor, 0.3) : source.next();
      const expected = naiveNearest(faces, probe)!;
      const found = index.nearest(probe)!;
      assert.equal(found.faceId, expected.faceId);
      assert.equal(found.personId, expected.personId);
      assert.ok(Math.abs(found.distance - expected.distance) < 1e-9);
      const match = index.nearest(probe, MATCH_DISTANCE);
      assert.deepEqual(match, expected.distance <= MATCH_DISTANCE ? found : undefined);
    }
  });

  it('refines a face to the weighted mean of its photos, then keeps following new ones', () => {
    const source = descriptorSource(5);
    const photos = Array.from({ length: MAX_REFINE_WEIGHT + 2 }, () => source.next());
    let index = SpaceIndex.decode(
      SpaceIndex.empty()
        .apply(adds([photos[0]!]))
        .encode(),
    );
    const expected = Float64Array.from(photos[0]!);
    let weight = 1;
    for (const photo of photos.slice(1)) {
      index = index.apply([{ op: 'refine', faceId: 1, descriptor: photo }]);
      for (let k = 0; k < DESCRIPTOR_LENGTH; k++) expected[k] = (expected[k]! * weight + photo[k]!) / (weight + 1);
      weight = Math.min(weight + 1, MAX_REFINE_WEIGHT);
      const stored = decodeRows(index.encode());
      assert.equal(stored.weights[0], weight);
      for (let k = 0; k < DESCRIPTOR_LENGTH; k++) assert.ok(Math.abs(stored.descriptors[k]! - expected[k]!) < 1e-6);
    }
    assert.equal(weight, MAX_REFINE_WEIGHT);
  });

  it('deletes every face of a person, in the base and among recent changes', () => {
    const source = descriptorSource(6);
    const base = SpaceIndex.decode(
      SpaceIndex.empty()
        .apply(adds([source.next(), source.next(), source.next()], (row) => (row === 1 ? 2 : 1)))
        .encode(),
    );
    const index = base.apply([
      { op: 'add', faceId: 4, personId: 1, descriptor: source.next() },
      { op: 'refine', faceId: 2, descriptor: source.next() },
      { op: 'deletePerson', personId: 1 },
      { op: 'deletePerson', personId: 99 },
    ]);
    assert.equal(index.size, 1);
    assert.equal(index.hasPerson(1), false);
    assert.equal(index.hasPerson(2), true);
    assert.deepEqual(index.personIds(), [2]);
    assert.equal(index.nearest(source.next())!.faceId, 2);
    assert.deepEqual(decodeRows(index.encode()).faceIds, Uint32Array.of(2));
    assert.equal(index.apply([{ op: 'deletePerson', personId: 2 }]).nearest(source.next()), undefined);
  });

  it('never changes the index it applies changes to', () => {
    const source = descriptorSource(7);
    const descriptors = Array.from({ length: 50 }, () => source.next());
    const bytes = SpaceIndex.empty()
      .apply(adds(descriptors, (row) => (row % 5) + 1))
      .encode();
    const pristine = bytes.slice();
    const base = SpaceIndex.decode(bytes);
    const first = base.apply([
      { op: 'deletePerson', personId: 3 },
      { op: 'refine', faceId: 1, descriptor: source.next() },
    ]);
    const second = first.apply([
      { op: 'deletePerson', personId: 4 },
      { op: 'refine', faceId: 2, descriptor: source.next() },
      { op: 'refine', faceId: 1, descriptor: source.next() },
    ]);
    assert.deepEqual(bytes, pristine);
    assert.deepEqual(base.encode(), pristine);
    assert.deepEqual([base.size, first.size, second.size], [50, 40, 30]);
    assert.deepEqual([base.hasPerson(3), first.hasPerson(3), first.hasPerson(4), second.hasPerson(4)], [true, false, true, false]);
    assert.deepEqual([base.nearest(descriptors[0]!)!.distance, base.nearest(descriptors[1]!)!.distance], [0, 0]);
    assert.ok(first.nearest(descriptors[0]!)!.distance > 0);
    assert.deepEqual(first.nearest(descriptors[1]!)!.distance, 0);
  });

  it('refuses changes that cannot be stored', () => {
    const source = descriptorSource(8);
    const index = SpaceIndex.empty().apply(adds([source.next()]));
    const refused = (change: SpaceChange, message: RegExp) =>
      assert.throws(() => index.apply([change]), refusedAs('invalid-input', message));
    refused({ op: 'add', faceId: 1, personId: 2, descriptor: source.next() }, /face 1 is already in this space/);
    refused({ op: 'refine', faceId: 2, descriptor: source.next() }, /face 2 is not in this space/);
    refused({ op: 'add', faceId: 2, personId: 0, descriptor: source.next() }, /personId must be an integer from 1/);
    refused({ op: 'add', faceId: 2, personId: 2 ** 32, descriptor: source.next() }, /personId must be an integer from 1/);
    refused({ op: 'add', faceId: 2, personId: 2, descriptor: new Float32Array(127) }, /Float32Array of 128 numbers/);
    refused({ op: 'add', faceId: 2, personId: 2, descriptor: new Float32Array(128).fill(Number.NaN) }, /finite numbers only/);
  });

  it('searches 75,000 faces well within 50 ms', (t) => {
    const count = 75_000;
    const source = descriptorSource(9);
    const { bytes, columns: rows } = encodingFor(count);
    for (let row = 0; row < count; row++) rows.faceIds[row] = rows.personIds[row] = row + 1;
    rows.weights.fill(1);
    source.fill(rows.descriptors);
    const index = SpaceIndex.decode(bytes);
    const timings: number[] = [];
    for (let run = 0; run < 25; run++) {
      const query =
        run % 2
          ? source.next()
          : source.near(rows.descriptors.subarray(run * 2999 * DESCRIPTOR_LENGTH, (run * 2999 + 1) * DESCRIPTOR_LENGTH), 0.3);
      const started = performance.now();
      index.nearest(query, run % 4 < 2 ? MATCH_DISTANCE : undefined);
      timings.push(performance.now() - started);
    }
    const median = timings.sort((a, b) => a - b)[12]!;
    t.diagnostic(`nearest() over 75,000 faces: median ${median.toFixed(1)} ms, slowest ${timings.at(-1)!.toFixed(1)} ms`);
    assert.ok(median < 50, `median ${median} ms`);
  });
});
