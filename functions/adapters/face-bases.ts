import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TesseraError } from '../core/errors.ts';
import { SpaceIndex } from '../core/faces/space-index.ts';
import { BUCKET, bucketName } from '../resources.ts';
import { s3 } from './aws-clients.ts';

const spacePrefix = (clientId: string, space: string) => `${BUCKET.facesPrefix}${clientId}/${space}/`;

/** The version a base was written for, from its key. */
const versionOf = (key: string) => Number.parseInt(key.slice(key.lastIndexOf('/') + 1), 10);

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);

/**
 * Packed bases of face spaces in the bucket, "_faces/<client>/<space>/<version>-<uuid>". The
 * uuid makes every write a new object: two writers compacting the same version never overwrite
 * each other's base, whichever wins the head.
 */
export const faceBases = {
  keyFor: (clientId: string, space: string, version: number): string => `${spacePrefix(clientId, space)}${version}-${randomUUID()}`,

  versionOf,

  /** In parts of 8 MiB, sent 4 at a time: a full space's 39 MB base goes up in parallel (and within emulators' body limits). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const upload = new Upload({
      client: s3(),
      params: { Bucket: bucketName(), Key: key, Body: bytes, ContentType: 'application/octet-stream' },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      leavePartsOnError: false,
    });
    await upload.done();
  },

  /** The base under `key`, or undefined if it has been removed; throws if it does not hold `faces` faces. */
  async load(key: string, faces: number): Promise<SpaceIndex | undefined> {
    try {
      const result = await s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: key }));
      const index = SpaceIndex.decode(await result.Body!.transformToByteArray());
      if (index.size !== faces) throw new TesseraError('internal', `face base ${key} holds ${index.size} faces, its head says ${faces}`);
      return index;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  /** Removes one base, if there; for a base whose head write lost. */
  async remove(key: string): Promise<void> {
    await s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: key }));
  },

  /**
   * Removes the space's bases written for versions below `version`: those replaced by later
   * compactions, and those whose writer lost its head write and died before removing them.
   */
  async removeOlderThan(clientId: string, space: string, version: number): Promise<void> {
    let token: string | undefined;
    do {
      const page = await s3().send(
        new ListObjectsV2Command({ Bucket: bucketName(), Prefix: spacePrefix(clientId, space), ContinuationToken: token }),
      );
      const older = (page.Contents ?? []).flatMap(({ Key }) => (Key && versionOf(Key) < version ? [Key] : []));
      await Promise.all(older.map((key) => faceBases.remove(key)));
      token = page.NextContinuationToken;
    } while (token);
  },
};
