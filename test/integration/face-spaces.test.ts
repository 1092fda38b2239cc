import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from '../../functions/adapters/aws-clients.ts';
import { FaceBaseCache } from '../../functions/adapters/face-base-cache.ts';
import { faceSpaces, faceSpaceStore, isTransientStoreError, type PlannedChange } from '../../functions/adapters/face-spaces.ts';
import { TesseraError } from '../../functions/core/errors.ts';
import { decodeRows } from '../../functions/core/faces/space-encoding.ts';
import { DESCRIPTOR_LENGTH, SpaceIndex } from '../../functions/core/faces/space-index.ts';
import { MAX_FACES_PER_SPACE } from '../../functions/core/faces/space-limits.ts';
import { BUCKET, bucketName, tableName } from '../../functions/resources.ts';
import { descriptorSource } from '../support/face-descriptors.ts';
import { useLocalStack } from '../support/local-stack.ts';

useLocalStack();

let clients = 0;
const newClient = () => `fs${Date.now().toString(36)}${clients++}`;

const adding = (personId: number, descriptor: Float32Array): PlannedChange => ({ op: 'add', personId, descriptor });
const addAll = (clientId: string, space: string, changes: PlannedChange[], store = faceSpaces) =>
  store.change(clientId, space, () => ({ changes, result: undefined }));

const headOf = async (clientId: string, space: string) =>
  (
    await dynamo().send(
      new GetCommand({ TableName: tableName('faceSpaces'), Key: { spaceKey: `${clientId}/${space}` }, ConsistentRead: true }),
    )
  ).Item as { version: number; changes: unknown[] } | undefined;

async function basesOf(clientId: string, space: string): Promise<string[]> {
  const page = await s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: `${BUCKET.facesPrefix}${clientId}/${space}/` }));
  return (page.Contents ?? []).map(({ Key }) => Key!);
}

/** Face ids of a space, ascending. */
const faceIdsOf = (index: SpaceIndex) => [...decodeRows(index.encode()).faceIds];

/** A base cache that counts the bases it had to download. */
class CountingCache extends FaceBaseCache {
  downloads = 0;
  override get(key: string, load: () => Promise<SpaceIndex | undefined>) {
    return super.get(key, () => {
      this.downloads++;
      return load();
    });
  }
}

describe('face spaces on DynamoDB and S3', () => {
  it('reads back what the first writes stored, and writes nothing for a decision without changes', async () => {
    const clientId = newClient();
    const source = descriptorSource(11);
    const empty = await faceSpaces.read(clientId, '0');
    assert.deepEqual([empty.version, empty.faceCount, empty.nextPersonId, empty.index.size], [0, 0, 1, 0]);

    // One photo's descriptor is a view into a larger array, as face-api's batches give them.
    const [alice, alice2, bob] = [source.next(), source.fill(new Float32Array(3 * DESCRIPTOR_LENGTH)).subarray(128, 256), source.next()];
    await addAll(clientId, '0', [adding(1, alice), adding(1, alice2), adding(7, bob)]);
    const unchanged = await faceSpaces.change(clientId, '0', () => ({ changes: [], result: 'nothing' }));
    assert.equal(unchanged, 'nothing');

    const stored = await faceSpaceStore().read(clientId, '0');
    assert.deepEqual([stored.version, stored.faceCount, stored.nextPersonId], [1, 3, 8]);
    assert.deepEqual(stored.index.personIds(), [1, 7]);
    assert.deepEqual(faceIdsOf(stored.index), [1, 2, 3]);
    assert.deepEqual(stored.index.nearest(alice2), { faceId: 2, personId: 1, distance: 0 });
    assert.deepEqual(stored.index.nearest(source.near(bob, 0.2), 0.5)?.personId, 7);
  });

  it('compacts the change log into a base and reads the same faces after as before', async () => {
    const clientId = newClient();
    const source = descriptorSource(12);
    const warm = new CountingCache();
    const store = faceSpaceStore(warm);
    let compactions = 0;
    for (let round = 0; round < 15; round++) {
      // 60 new persons of one face each (face id = person id), and from the second round on one person of the round before removed.
      const added = Array.from({ length: 60 }, (_, row) => ({ id: round * 60 + row + 1, descriptor: source.next() }));
      const removed = round ? [{ op: 'deletePerson' as const, personId: round * 60 - 5 }] : [];
      const before = await store.read(clientId, '1');
      await addAll(clientId, '1', [...added.map(({ id, descriptor }) => adding(id, descriptor)), ...removed], store);
      const head = (await headOf(clientId, '1'))!;
      assert.ok(head.changes.length <= 256);
      if (head.changes.length === 0) compactions++;

      const after = await store.read(clientId, '1');
      const expected = before.index.apply([
        ...added.map(({ id, descriptor }) => ({ op: 'add' as const, faceId: id, personId: id, descriptor })),
        ...removed,
      ]);
      assert.deepEqual(after.index.encode(), expected.encode(), 'what was read before, with the changes');
      assert.deepEqual(
        (await faceSpaceStore().read(clientId, '1')).index.encode(),
        after.index.encode(),
        'a cold container reads the same',
      );
    }
    assert.equal(compactions, 3);
    assert.equal((await store.read(clientId, '1')).faceCount, 15 * 60 - 14);
    assert.equal(warm.downloads, 0, 'the writer keeps the bases it wrote');
    assert.equal((await basesOf(clientId, '1')).length, 2, 'only the current base and the one it replaced remain');
  });

  it('truncates a space, keeps counting person ids, and removes its bases', async () => {
    const clientId = newClient();
    const source = descriptorSource(13);
    await addAll(
      clientId,
      '2',
      Array.from({ length: 300 }, (_, row) => adding(row + 1, source.next())),
    );
    assert.equal((await basesOf(clientId, '2')).length, 1);
    await faceSpaces.truncate(clientId, '2');
    const emptied = await faceSpaceStore().read(clientId, '2');
    assert.deepEqual([emptied.version, emptied.faceCount, emptied.nextPersonId], [2, 0, 301]);
    assert.deepEqual(await basesOf(clientId, '2'), []);

    const created = await faceSpaces.change(clientId, '2', (snapshot) => ({
      changes: [adding(snapshot.nextPersonId, source.next())],
      result: snapshot.nextPersonId,
    }));
    assert.equal(created, 301);
    assert.deepEqual(faceIdsOf((await faceSpaces.read(clientId, '2')).index), [301]);
    await faceSpaces.truncate(newClient(), '2'); // a space never written: nothing to do
  });

  it('loses no face when 20 writers add to one space at once', async () => {
    const clientId = newClient();
    const source = descriptorSource(14);
    await Promise.all(
      Array.from({ length: 20 }, (_, writer) => addAll(clientId, '3', [adding(writer + 1, source.next())], faceSpaceStore())),
    );
    const space = await faceSpaces.read(clientId, '3');
    assert.equal(space.faceCount, 20);
    assert.deepEqual(
      faceIdsOf(space.index),
      Array.from({ length: 20 }, (_, row) => row + 1),
    );
    assert.equal(space.version, 20);
  });

  it('gives 10 racing create_new decisions 10 different person ids', async () => {
    const clientId = newClient();
    const source = descriptorSource(15);
    const created = await Promise.all(
      Array.from({ length: 10 }, () =>
        faceSpaceStore().change(clientId, '4', (snapshot) => ({
          changes: [adding(snapshot.nextPersonId, source.next())],
          result: snapshot.nextPersonId,
        })),
      ),
    );
    assert.deepEqual(
      [...created].sort((a, b) => a - b),
      Array.from({ length: 10 }, (_, row) => row + 1),
    );
    assert.deepEqual(
      (await faceSpaces.read(clientId, '4')).index.personIds(),
      Array.from({ length: 10 }, (_, row) => row + 1),
    );
  });

  it("keeps each client's spaces apart", async () => {
    const [first, second] = [newClient(), newClient()];
    const source = descriptorSource(16);
    const face = source.next();
    await addAll(first, '1', [adding(1, face)]);
    await addAll(second, '2', [adding(2, face)]);
    assert.equal((await faceSpaces.read(second, '1')).faceCount, 0);
    assert.equal((await faceSpaces.read(first, '2')).faceCount, 0);
    assert.equal((await faceSpaces.read(first, '1')).index.nearest(face)?.personId, 1);
    await faceSpaces.truncate(second, '1');
    assert.equal((await faceSpaces.read(first, '1')).faceCount, 1);
    await assert.rejects(faceSpaces.read(first, '10'), (error: TesseraError) => error.kind === 'invalid-input');
  });

  it(`refuses a write that would take a space past ${MAX_FACES_PER_SPACE} faces`, async () => {
    const clientId = newClient();
    const source = descriptorSource(17);
    const descriptors = source.fill(new Float32Array(MAX_FACES_PER_SPACE * DESCRIPTOR_LENGTH));
    const full = Array.from({ length: MAX_FACES_PER_SPACE }, (_, row) =>
      adding((row % 25_000) + 1, descriptors.subarray(row * DESCRIPTOR_LENGTH, (row + 1) * DESCRIPTOR_LENGTH)),
    );
    await addAll(clientId, '5', full);
    await assert.rejects(addAll(clientId, '5', [adding(1, source.next())]), (error: TesseraError) => {
      assert.equal(error.kind, 'conflict');
      assert.match(error.message, /space 5 is full: it would hold 75001 faces, over the limit of 75000/);
      return true;
    });
    await addAll(clientId, '5', [{ op: 'deletePerson', personId: 9 }, adding(25_001, source.next())]);
    const space = await faceSpaceStore().read(clientId, '5');
    assert.equal(space.faceCount, MAX_FACES_PER_SPACE - 2);
    assert.equal(space.index.nearest(descriptors.subarray(74_999 * DESCRIPTOR_LENGTH))?.faceId, 75_000);
  });

  it('reads a base again only when another container moved the version to a new one', async () => {
    const clientId = newClient();
    const source = descriptorSource(18);
    const [here, there] = [new CountingCache(), new CountingCache()];
    const [mine, theirs] = [faceSpaceStore(here), faceSpaceStore(there)];
    await addAll(
      clientId,
      '6',
      Array.from({ length: 300 }, (_, row) => adding(row + 1, source.next())),
      theirs,
    );
    await mine.read(clientId, '6');
    await mine.read(clientId, '6');
    assert.equal(here.downloads, 1);

    const logged = source.next();
    await addAll(clientId, '6', [adding(500, logged)], theirs);
    assert.equal((await mine.read(clientId, '6')).index.nearest(logged)?.personId, 500);
    assert.equal(here.downloads, 1, 'a change in the log needs no new base');

    const compacted = source.next();
    await addAll(
      clientId,
      '6',
      [...Array.from({ length: 299 }, (_, row) => adding(1000 + row, source.next())), adding(600, compacted)],
      theirs,
    );
    const moved = await mine.read(clientId, '6');
    assert.equal(moved.index.nearest(compacted)?.personId, 600);
    assert.equal(moved.faceCount, 601);
    assert.equal(here.downloads, 2);
    assert.equal(there.downloads, 0);
  });

  it('tells transient failures from the others', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $retryable: { throttling: true },
    });
    const unavailable = Object.assign(new Error('Service Unavailable'), { $fault: 'server', $metadata: { httpStatusCode: 503 } });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    assert.deepEqual([throttled, unavailable, reset].map(isTransientStoreError), [true, true, true]);
    assert.equal(isTransientStoreError(new TesseraError('conflict', 'busy', { reason: 'Busy' })), true);
    assert.deepEqual(
      [denied, new TesseraError('conflict', 'full', { reason: 'StateNotAllowed' }), new Error('bug')].map(isTransientStoreError),
      [false, false, false],
    );
  });
});
