import { imageSize } from 'image-size';
import type { Client } from '../core/client.ts';
import { conflict, invalidInput, notFound } from '../core/errors.ts';
import { isInsideNamespace, validateObjectName } from '../core/object-name.ts';
import { config } from '../config.ts';
import { objectLedger, type WriteClaim } from '../adapters/object-ledger.ts';
import { objectStore } from '../adapters/object-store.ts';
import { fetchSource } from '../adapters/url-fetcher.ts';
import { peekStream } from '../adapters/stream-peek.ts';

export type FileContent =
  | { readonly kind: 'bytes'; readonly data: Buffer; readonly contentType: string }
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
    // Leave the ledger telling the truth: the name holds an object, or it is free again.
    if (await objectStore.head(key)) await commitFromStore(claim);
    else await objectLedger.release(claim);
    throw error;
  }
  return commitFromStore(claim);
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
  const url = parseUrl(content.url);
  const ownKey = await objectStore.keyOfDownloadUrl(url);
  if (ownKey !== undefined && client.namespaces.some((namespace) => isInsideNamespace(ownKey, namespace))) {
    // One of our own download URLs for one of this client's files: copy inside the bucket.
    const stored = await objectStore.head(ownKey);
    if (!stored) throw notFound(`source file ${ownKey} does not exist`);
    if (inspect) inspect(stored.size > 0 ? await objectStore.readStart(ownKey, Math.min(stored.size, INSPECTED_BYTES)) : Buffer.alloc(0));
    await objectStore.copyWithin(ownKey, key);
    return;
  }
  const fetched = await fetchSource(url.href, {
    allowLoopback: config.allowLoopbackUrls(),
    maxBytes: config.sourceMaxBytes(),
    timeoutMs: config.sourceTimeoutMs(),
    maxRedirects: config.sourceMaxRedirects(),
  });
  if (!inspect) {
    await objectStore.put(key, fetched.body, { contentType: fetched.contentType, createOnly });
    return;
  }
  const { head, stream } = await peekStream(fetched.body, INSPECTED_BYTES);
  try {
    inspect(head);
  } catch (error) {
    fetched.body.destroy();
    throw error;
  }
  await objectStore.put(key, stream, { contentType: fetched.contentType, createOnly });
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

// Image headers sit in the first bytes, but a JPEG's EXIF block can push its size marker past
// the first read; the second read covers the 64 KiB APP segments a camera may write.
const HEADER_READS = [64 * 1024, 1024 * 1024];

async function imageDimensions(key: string, size: number) {
  for (const bytes of HEADER_READS) {
    const head = await objectStore.readStart(key, Math.min(bytes, size));
    try {
      const { width, height, type } = imageSize(head);
      return { width, height, format: type === 'jpg' ? 'jpeg' : type };
    } catch {
      if (bytes >= size) return undefined;
    }
  }
  return undefined;
}

export async function describeFile(client: Client, filename: string): Promise<FileInfo> {
  const key = validateObjectName(filename, client.namespaces);
  const stored = await objectStore.head(key);
  if (!stored) throw notFound(`file ${key} does not exist`);
  const image = stored.size > 0 ? await imageDimensions(key, stored.size) : undefined;
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

