import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { PRESIGN_BATCH, presignedSliceUrls, type SignedSlice } from '../functions/core/presigned-slice-urls.ts';
import { chooseSliceSize } from '../functions/core/slices.ts';
import { OstClient, OstError } from './ost-client.ts';
import { forgetState, loadState, matches, saveState, type UploadState } from './upload-state.ts';

export interface UploadOptions {
  readonly file: string;
  readonly endpoint: string;
  readonly appId: string;
  readonly secret: string;
  readonly parallel?: number;
  readonly retries?: number;
  readonly sliceSize?: number;
  readonly statePath?: string;
  /** Combined rate cap in MiB/s, like curl's --limit-rate. */
  readonly limitRate?: number;
  readonly quiet?: boolean;
}

export interface UploadResult {
  readonly url: string;
  readonly uploadId: string;
  readonly slices: number;
  readonly resumedSlices: number;
  readonly bytesSentThisRun: number;
  readonly seconds: number;
}

const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Retries with exponential backoff and jitter; an answer that cannot succeed on retry is thrown at once. */
async function withRetry<T>(what: string, attempts: number, log: (message: string) => void, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const permanent = error instanceof OstError && error.answer.status >= 400 && error.answer.status < 500 && error.answer.status !== 429;
      if (permanent || attempt >= attempts) throw error;
      const delay = Math.min(15_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      log(`${what} failed (${(error as Error).message}); retry ${attempt}/${attempts - 1} in ${Math.round(delay)} ms`);
      await sleep(delay);
    }
  }
}

/** Keeps the combined rate under the cap by making each worker wait its share. */
function rateLimiter(mibPerSecond: number | undefined) {
  const started = Date.now();
  let sent = 0;
  return async (bytes: number) => {
    if (!mibPerSecond) return;
    sent += bytes;
    const due = started + (sent / (mibPerSecond * MiB)) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  };
}

/**
 * Uploads a file through the ost dialect with presigned slices: init (or resume from the state
 * file), presign in batches, PUT slices in parallel straight to S3, record each ETag as it lands,
 * then complete. A killed run resumes where its state file says it stopped.
 */
export async function uploadFile(options: UploadOptions): Promise<UploadResult> {
  const log = (message: string) => {
    if (!options.quiet) process.stderr.write(`${message}\n`);
  };
  const path = resolve(options.file);
  const info = await stat(path);
  if (info.size === 0) throw new Error('the file is empty');
  const statePath = options.statePath ?? `${path}.tessera-upload.json`;
  const parallel = Math.max(1, options.parallel ?? 4);
  const retries = Math.max(1, options.retries ?? 6);
  const client = new OstClient({ endpoint: options.endpoint, appId: options.appId, secret: options.secret });
  const identity = { endpoint: options.endpoint, appId: options.appId, file: { path, size: info.size, mtimeMs: info.mtimeMs } };

  let state = loadState(statePath);
  if (state && !matches(state, identity)) {
    log('the state file is for another file, endpoint or client; starting a new upload');
    state = undefined;
  }
  if (state) {
    log(`resuming upload ${state.uploadId}: ${Object.keys(state.done).length} slices already sent`);
  } else {
    const sliceSize = options.sliceSize ?? chooseSliceSize(info.size);
    const answer = await withRetry('init', retries, log, async () =>
      OstClient.ok(await client.json<{ upload_id: string }>('/file/mpupload/init', {})),
    );
    state = { version: 1, ...identity, sliceSize, uploadId: answer.data!.upload_id, done: {} };
    saveState(statePath, state);
  }
  const current: UploadState = state;
  const sliceCount = Math.ceil(info.size / current.sliceSize);
  const sizeOf = (sliceId: number) => Math.min(current.sliceSize, info.size - (sliceId - 1) * current.sliceSize);
  const pending = Array.from({ length: sliceCount }, (_, index) => index + 1).filter((id) => !current.done[id]);
  const done: Record<string, string> = { ...current.done };
  const resumedSlices = sliceCount - pending.length;

  const { urlFor, forget } = presignedSliceUrls({
    batchFrom: (from) => pending.filter((id) => id >= from).slice(0, PRESIGN_BATCH),
    presign: async (batch) =>
      (
        await withRetry('presign', retries, log, async () =>
          OstClient.ok(
            await client.json<{ urls: SignedSlice[] }>('/file/mpupload/presign', {
              upload_id: current.uploadId,
              slices: batch.map((id) => ({ slice_id: id, size: sizeOf(id) })),
            }),
          ),
        )
      ).data!.urls,
  });

  const bar = options.quiet
    ? undefined
    : new SingleBar({
        format: 'uploading [{bar}] {percentage}% | {value}/{total} MiB | {rate} MiB/s | ETA {eta_formatted}',
        hideCursor: true,
        stream: process.stderr,
      });
  const sentBefore = Object.keys(done).reduce((sum, id) => sum + sizeOf(Number(id)), 0);
  const startedAt = Date.now();
  let sentNow = 0;
  bar?.start(Math.ceil(info.size / MiB), Math.floor(sentBefore / MiB), { rate: '0.0' });
  const limit = rateLimiter(options.limitRate);
  const handle = await open(path, 'r');
  let next = 0;
  try {
    const worker = async () => {
      while (next < pending.length) {
        const sliceId = pending[next++]!;
        const size = sizeOf(sliceId);
        const body = Buffer.allocUnsafe(size);
        await handle.read(body, 0, size, (sliceId - 1) * current.sliceSize);
        done[sliceId] = await withRetry(`slice ${sliceId}`, retries, log, async () => {
          const response = await fetch(await urlFor(sliceId), { method: 'PUT', body });
          // An expired or refused URL is signed again on the next try.
          if (response.status === 403) forget(sliceId);
          if (!response.ok) throw new Error(`S3 answered ${response.status}`);
          return response.headers.get('etag') ?? '';
        });
        saveState(statePath, { ...current, done });
        sentNow += size;
        await limit(size);
        const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
        bar?.update(Math.floor((sentBefore + sentNow) / MiB), { rate: (sentNow / MiB / seconds).toFixed(1) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, pending.length)) }, worker));
  } finally {
    await handle.close();
    bar?.stop();
  }

  const parts = Array.from({ length: sliceCount }, (_, index) => ({ slice_id: index + 1, etag: done[index + 1]! }));
  const answer = await withRetry('complete', retries, log, async () =>
    OstClient.ok(await client.json<{ url: string }>('/file/mpupload/complete', { upload_id: current.uploadId, parts })),
  );
  forgetState(statePath);
  const seconds = (Date.now() - startedAt) / 1000;
  log(
    `uploaded ${(info.size / MiB).toFixed(1)} MiB in ${sliceCount} slices, ${seconds.toFixed(1)} s (${(sentNow / MiB / Math.max(seconds, 0.001)).toFixed(1)} MiB/s this run)`,
  );
  return { url: answer.data!.url, uploadId: current.uploadId, slices: sliceCount, resumedSlices, bytesSentThisRun: sentNow, seconds };
}
