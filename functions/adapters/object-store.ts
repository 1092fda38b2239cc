import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { bucketName } from '../resources.ts';
import { s3 } from './aws-clients.ts';
import { downloadUrls } from './download-urls.ts';

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');

/** The most one CopyObject copies (S3's limit); past it S3 copies only part by part (UploadPartCopy). */
export const MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

/** The one bucket, by key. Bodies stream: a source of hundreds of MB never sits in memory. */
export const objectStore = {
  async put(key: string, body: Buffer | Readable, options: { contentType: string; createOnly: boolean }): Promise<void> {
    const upload = new Upload({
      client: s3(),
      params: {
        Bucket: bucketName(),
        Key: key,
        Body: body,
        ContentType: options.contentType,
        // S3 itself refuses to replace the object, as a second guard behind the write claim.
        ...(options.createOnly ? { IfNoneMatch: '*' } : {}),
      },
      queueSize: 4,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await upload.done();
  },

  /**
   * One PutObject for a small generated file (a tile): replaces whatever is there, so a rebuild
   * overwrites whole files. Tags are how the bucket policy tells CloudFront which files are public.
   */
  async putGenerated(key: string, data: Buffer, options: { contentType: string; tags?: Readonly<Record<string, string>> }): Promise<void> {
    const tagging = options.tags ? new URLSearchParams(options.tags).toString() : undefined;
    await s3().send(
      new PutObjectCommand({
        Bucket: bucketName(),
        Key: key,
        Body: data,
        ContentType: options.contentType,
        ...(tagging ? { Tagging: tagging } : {}),
      }),
    );
  },

  /** Whether any object's key starts with `prefix`. */
  async anyUnder(prefix: string): Promise<boolean> {
    const result = await s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, MaxKeys: 1 }));
    return (result.KeyCount ?? result.Contents?.length ?? 0) > 0;
  },

  /** An object's body as a stream with what a file server needs to answer, or undefined if absent. */
  async open(key: string): Promise<{ body: Readable; size: number; contentType: string; etag: string } | undefined> {
    try {
      const result = await s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: key }));
      return {
        body: result.Body as Readable,
        size: result.ContentLength ?? 0,
        contentType: result.ContentType ?? 'application/octet-stream',
        etag: unquote(result.ETag),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  /**
   * A copy inside the bucket (S3 copies; nothing passes through here), with a new content type if
   * given, and no tags. One CopyObject: the source must be at most MAX_COPY_BYTES.
   */
  async copyWithin(sourceKey: string, targetKey: string, options: { contentType?: string } = {}): Promise<void> {
    const bucket = bucketName();
    await s3().send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: targetKey,
        CopySource: `${bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
        // Never the source's tags: a copy of a public tile must not take its public tag into
        // another namespace (and reading tags would need s3:GetObjectTagging besides).
        TaggingDirective: 'REPLACE',
        ...(options.contentType ? { ContentType: options.contentType, MetadataDirective: 'REPLACE' } : {}),
      }),
    );
  },

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const result = await s3().send(new HeadObjectCommand({ Bucket: bucketName(), Key: key }));
      return {
        key,
        size: result.ContentLength ?? 0,
        contentType: result.ContentType ?? 'application/octet-stream',
        etag: unquote(result.ETag),
        lastModified: result.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  async read(key: string): Promise<Buffer> {
    const result = await s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: key }));
    return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
  },

  /** The first bytes of an object: enough to read an image header without fetching the image. */
  async readStart(key: string, bytes: number): Promise<Buffer> {
    const result = await s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: key, Range: `bytes=0-${bytes - 1}` }));
    return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
  },

  downloadUrl: (key: string, expiresInSeconds: number): Promise<string> => downloadUrls.issue(key, expiresInSeconds),
};

export type ObjectStore = typeof objectStore;
