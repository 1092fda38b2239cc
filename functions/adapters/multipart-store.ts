import { Transform, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { invalidInput } from '../core/errors.ts';
import { bucketName } from '../resources.ts';
import { s3 } from './aws-clients.ts';

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
}

const PART_REFUSALS: Record<string, string> = {
  EntityTooSmall:
    'S3 refused the slices: a slice other than the last is smaller than 5 MiB (each PUT must carry the size it was presigned for)',
  InvalidPart: 'S3 refused the slices: a listed slice was not uploaded, or its ETag does not match what S3 stored',
  InvalidPartOrder: 'S3 refused the slices: they are not in ascending order',
};

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

/** S3 multipart uploads and the staging area for proxied slices, in the one bucket. */
export const multipartStore = {
  async create(key: string, contentType: string): Promise<string> {
    const result = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucketName(), Key: key, ContentType: contentType }));
    if (!result.UploadId) throw new Error('S3 returned no UploadId');
    return result.UploadId;
  },

  /** One part, streamed: its size must be known (S3 takes no part of unknown length). */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: Readable | Buffer, size: number): Promise<string> {
    const result = await s3().send(
      new UploadPartCommand({
        Bucket: bucketName(),
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: size,
      }),
    );
    return unquote(result.ETag);
  },

  /**
   * A URL the client PUTs one part to, straight to S3. The length is signed, so on AWS the part
   * must be exactly the size the client declared when it asked for the URL.
   */
  async presignPart(key: string, uploadId: string, partNumber: number, size: number, expiresIn: number): Promise<string> {
    return getSignedUrl(
      s3(),
      new UploadPartCommand({ Bucket: bucketName(), Key: key, UploadId: uploadId, PartNumber: partNumber, ContentLength: size }),
      { expiresIn, signableHeaders: new Set(['content-length']) },
    );
  },

  /** Completes the upload; S3's refusals of the client's parts come back as bad input. */
  async complete(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    try {
      await s3().send(
        new CompleteMultipartUploadCommand({
          Bucket: bucketName(),
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: `"${part.etag}"` })) },
        }),
      );
    } catch (error) {
      if (error instanceof S3ServiceException && PART_REFUSALS[error.name]) throw invalidInput(PART_REFUSALS[error.name]!);
      throw error;
    }
  },

  async abort(key: string, uploadId: string): Promise<void> {
    try {
      await s3().send(new AbortMultipartUploadCommand({ Bucket: bucketName(), Key: key, UploadId: uploadId }));
    } catch (error) {
      // Already aborted or completed: either way nothing is left to abort.
      if (!(error instanceof S3ServiceException && (error.name === 'NoSuchUpload' || error.$metadata.httpStatusCode === 404))) throw error;
    }
  },

  async putStaged(key: string, body: Buffer): Promise<void> {
    await s3().send(new PutObjectCommand({ Bucket: bucketName(), Key: key, Body: body, ContentLength: body.length }));
  },

  /** Writes a stream to a staging object as it arrives (8 MiB parts, one in flight); answers its size. */
  async spool(key: string, body: Readable): Promise<number> {
    let size = 0;
    const counted = body.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
        },
      }),
    );
    body.once('error', (error) => counted.destroy(error));
    const upload = new Upload({
      client: s3(),
      params: { Bucket: bucketName(), Key: key, Body: counted },
      queueSize: 1,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await upload.done();
    return size;
  },

  /** Bytes `start` to `end` (exclusive) of a staged slice. */
  async openStaged(key: string, start: number, end: number): Promise<Readable> {
    const result = await s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: key, Range: `bytes=${start}-${end - 1}` }));
    return result.Body as Readable;
  },

  async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
      if (keys.length) await s3().send(new DeleteObjectsCommand({ Bucket: bucketName(), Delete: { Objects: keys, Quiet: true } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  },
};
