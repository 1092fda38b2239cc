import type { Readable } from 'node:stream';
import { imageSize } from 'image-size';
import type { Client } from '../core/client.ts';
import { conflict, forbidden, invalidInput, notFound } from '../core/errors.ts';
import { validateObjectName } from '../core/object-name.ts';
import { config } from '../config.ts';
import { objectLedger, type WriteClaim } from '../adapters/object-ledger.ts';
import { downloadUrls } from '../adapters/download-urls.ts';
import { MAX_COPY_BYTES, objectStore } from '../adapters/object-store.ts';
import { fetchSource } from '../adapters/url-fetcher.ts';
import { peekStream } from '../adapters/stream-peek.ts';
import { headerOf } from './object-headers.ts';

export type FileContent =
  | { readonly kind: 'bytes'; readonly data: Buffer; readonly contentType: string }
  /** Bytes the request spooled to a staging object as they arrived (a large file part). */
  | { readonly kind: 'staged'; readonly key: string; readonly contentType: string }
  | { readonly kind: 'url'; readonly url: string };

export interface StoreRequest {
  readonly client: Client;
  readonly filename: string;
  readonly overwrite: boolean;
  readonly content: FileContent;
  /** Checks the content's first bytes (up to INSPECTED_BYTES) before anything is written; throws to refuse it. */
  readonly inspect?: (head: Buffer) => void;
}

/** How much of a file `inspect` sees: enough for any image header, EXIF blocks included. */
export const INSPECTED_BYTES = 1024 * 1024;

/**
 * Stores a file under a client's name. With overwrite=false the name is claimed first, so of
 * two racing uploads exactly one stores its bytes and the other is told the file exists.
 */
export async function storeFile(request: StoreRequest): Promise<{ key: string; size: number; etag: string }> {
  const key = validateObjectName(request.filename, request.client.namespaces);
  const claim = await objectLedger.claim(key, request.client.clientId, {
    overwrite: request.overwrite,
    leaseMs: config.writeLeaseMs(),
  });
  try {
    if (!request.overwrite && (await objectStore.head(key))) throw conflict(`file ${key} already exists`);
    await writeContent(request, key);
  } catch (error) {
    await settleFailedWrite(claim);
    throw error;
  }
  return commitFromStore(claim);
}

/**
 * Leaves the ledger telling the truth after a failed write: the name holds an object, or it is
 * free again. If S3 cannot even say which, the claim is released: a later writer's HEAD and
 * S3's If-None-Match still guard an object that did land, and nothing stays blocked for a lease.
 */
async function settleFailedWrite(claim: WriteClaim): Promise<void> {
  const stored = await objectStore.head(claim.objectKey).catch(() => undefined);
  if (stored) await objectLedger.commit(claim, { size: stored.size, etag: stored.etag });
  else await objectLedger.release(claim);
}

async function commitFromStore(claim: WriteClaim) {
  const stored = await objectStore.head(claim.objectKey);
  if (!stored) throw new Error(`object ${claim.objectKey} vanished right after it was written`);
  await objectLedger.commit(claim, { size: stored.size, etag: stored.etag });
  return { key: claim.objectKey, size: stored.size, etag: stored.etag };
}

async function writeContent({ client, content, overwrite, inspect }: StoreRequest, key: string): Promise<void> {
  const createOnly = !overwrite;
  if (content.kind === 'bytes') {
    inspect?.(content.data.subarray(0, INSPECTED_BYTES));
    await objectStore.put(key, content.data, { contentType: content.contentType, createOnly });
    return;
  }
  if (content.kind === 'staged') {
    if (inspect) inspect(await objectStore.readStart(content.key, INSPECTED_BYTES));
    await objectStore.copyWithin(content.key, key, { contentType: content.contentType });
    return;
  }
  const url = parseUrl(content.url);
  const inBucket = await downloadUrls.check(url);
  if (inBucket.kind === 'bucket' && inBucket.signature !== 'other-signer') {
    await copyOwnFile(client, inBucket.key, inBucket.signature, key, inspect);
    return;
  }
  // Anything else is fetched, within the outbound rules. That includes a bucket URL signed under
  // another function's role (AWS only), which S3 itself then checks.
  const fetched = await fetchSource(url.href, {
    ...config.outboundPolicy(),
    maxBytes: config.sourceMaxBytes(),
    timeoutMs: config.sourceTimeoutMs(),
    maxRedirects: config.sourceMaxRedirects(),
  });
  try {
    await putInspected(key, fetched.body, fetched.contentType, createOnly, inspect);
  } finally {
    // Whatever went wrong, the upstream connection closes now rather than at the time limit.
    fetched.body.destroy();
  }
}

/** Streams bytes into the object, its first INSPECTED_BYTES checked before anything is written. */
async function putInspected(key: string, body: Readable, contentType: string, createOnly: boolean, inspect: StoreRequest['inspect']) {
  if (!inspect) return objectStore.put(key, body, { contentType, createOnly });
  const { head, stream } = await peekStream(body, INSPECTED_BYTES);
  inspect(head);
  await objectStore.put(key, stream, { contentType, createOnly });
}

/**
 * A download URL of the bucket is honoured only when its signature holds and it names one of the
 * client's own files; then the copy stays inside the bucket. It is never fetched over HTTP: the
 * local emulators serve any key to anyone, signature or not. The refusal does not depend on
 * whether the named file exists.
 */
async function copyOwnFile(
  client: Client,
  sourceKey: string,
  signature: 'valid' | 'invalid',
  key: string,
  inspect: StoreRequest['inspect'],
): Promise<void> {
  if (signature === 'invalid') throw invalidInput('source is a Tessera download URL whose signature does not hold or has expired');
  try {
    validateObjectName(sourceKey, client.namespaces);
  } catch {
    throw forbidden('source is a Tessera download URL of a file outside your namespaces');
  }
  const stored = await objectStore.head(sourceKey);
  if (!stored) throw notFound(`source file ${sourceKey} does not exist`);
  checkCopyable(stored.size);
  if (inspect) inspect(stored.size > 0 ? await objectStore.readStart(sourceKey, Math.min(stored.size, INSPECTED_BYTES)) : Buffer.alloc(0));
  await objectStore.copyWithin(sourceKey, key);
}

/**
 * An own file is copied with one CopyObject, which S3 limits to 5 GiB (a part-wise copy cannot be
 * run on the local emulator, which has no UploadPartCopy): a larger one is refused before anything
 * is read or written.
 */
function checkCopyable(size: number): void {
  if (size > MAX_COPY_BYTES) {
    throw invalidInput(`source file is ${size} bytes, over the 5 GiB (${MAX_COPY_BYTES}-byte) limit of a copy inside the bucket`);
  }
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw invalidInput('source is not a valid URL');
  }
}

export interface FileInfo {
  readonly filename: string;
  readonly size: number;
  readonly content_type: string;
  readonly etag: string;
  readonly last_modified: string;
  readonly url: string;
  readonly width?: number;
  readonly height?: number;
  readonly format?: string;
}

/** Width, height and format from an image header, when the bytes hold one. */
function dimensions(bytes: Buffer): { width?: number; height?: number; format?: string } | undefined {
  try {
    const { width, height, type } = imageSize(bytes);
    return { width, height, format: type === 'jpg' ? 'jpeg' : type };
  } catch {
    return undefined;
  }
}

export async function describeFile(client: Client, filename: string): Promise<FileInfo> {
  const key = validateObjectName(filename, client.namespaces);
  const stored = await objectStore.head(key);
  if (!stored) throw notFound(`file ${key} does not exist`);
  const image = await headerOf(key, stored.size, dimensions);
  return {
    filename: key,
    size: stored.size,
    content_type: stored.contentType,
    etag: stored.etag,
    last_modified: stored.lastModified.toISOString(),
    url: await objectStore.downloadUrl(key, config.downloadUrlTtlSeconds()),
    ...image,
  };
}
