#!/usr/bin/env -S npx tsx
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { chooseSliceSize } from '../functions/core/slices.ts';
import { OstClient, OstError } from './ost-client.ts';
import { forgetState, loadState, matches, saveState, type UploadState } from './upload-state.ts';

const USAGE = `Upload a big file to Tessera's ost dialect, in slices sent straight to S3.

  npx tessera-upload FILE --endpoint URL --app-id ID --secret SECRET
      [--parallel 4] [--retries 6] [--slice-size BYTES] [--state FILE] [--limit-rate MiB/s] [--quiet]

Killed or failed? Run the same command again: it resumes from FILE.tessera-upload.json.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    endpoint: { type: 'string' },
    'app-id': { type: 'string' },
    secret: { type: 'string' },
    parallel: { type: 'string', default: '4' },
    retries: { type: 'string', default: '6' },
    'slice-size': { type: 'string' },
    state: { type: 'string' },
    'limit-rate': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

const MiB = 1024 * 1024;
const PRESIGN_BATCH = 100;
const URL_MARGIN_MS = 60_000;

interface PartUrl {
  readonly url: string;
  readonly expiresAt: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const log = (message: string) => {
  if (!values.quiet) process.stderr.write(`${message}\n`);
};

/** Retries with exponential backoff and jitter; an answer that cannot succeed on retry is thrown at once. */
async function withRetry<T>(what: string, attempts: number, run: () => Promise<T>): Promise<T> {
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

/** Keeps the combined rate under --limit-rate by making each worker wait its share. */
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

async function main(): Promise<void> {
  const [file] = positionals;
  if (values.help || !file) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const { endpoint, 'app-id': appId, secret } = values;
  if (!endpoint || !appId || !secret) throw new Error('--endpoint, --app-id and --secret are required');
  const path = resolve(file);
  const info = await stat(path);
  if (info.size === 0) throw new Error('the file is empty');
  const statePath = values.state ?? `${path}.tessera-upload.json`;
  const parallel = Math.max(1, Number(values.parallel));
  const retries = Math.max(1, Number(values.retries));
  const client = new OstClient({ endpoint, appId, secret });
  const identity = { endpoint, appId, file: { path, size: info.size, mtimeMs: info.mtimeMs } };

  let state = loadState(statePath);
  if (state && !matches(state, identity)) {
    log('the state file is for another file, endpoint or client; starting a new upload');
    state = undefined;
  }
  if (state) {
    log(`resuming upload ${state.uploadId}: ${Object.keys(state.done).length} slices already sent`);
  } else {
    const sliceSize = values['slice-size'] ? Number(values['slice-size']) : chooseSliceSize(info.size);
    const answer = await withRetry('init', retries, async () => OstClient.ok(await client.json<{ upload_id: string }>('/file/mpupload/init', {})));
    state = { version: 1, ...identity, sliceSize, uploadId: answer.data!.upload_id, done: {} };
    saveState(statePath, state);
  }
  const current: UploadState = state;
  const sliceCount = Math.ceil(info.size / current.sliceSize);
  const sizeOf = (sliceId: number) => Math.min(current.sliceSize, info.size - (sliceId - 1) * current.sliceSize);
  const pending = Array.from({ length: sliceCount }, (_, index) => index + 1).filter((id) => !current.done[id]);
  const done: Record<string, string> = { ...current.done };

  const urls = new Map<number, PartUrl>();
  const presign = async (from: number) => {
    const batch = pending.filter((id) => id >= from).slice(0, PRESIGN_BATCH);
    const answer = await withRetry('presign', retries, async () =>
      OstClient.ok(
        await client.json<{ urls: Array<{ slice_id: number; url: string; expires_at: string }> }>('/file/mpupload/presign', {
          upload_id: current.uploadId,
          slices: batch.map((id) => ({ slice_id: id, size: sizeOf(id) })),
        }),
      ),
    );
    for (const entry of answer.data!.urls) urls.set(entry.slice_id, { url: entry.url, expiresAt: Date.parse(entry.expires_at) });
  };
  const urlFor = async (sliceId: number) => {
    const known = urls.get(sliceId);
    if (known && known.expiresAt - URL_MARGIN_MS > Date.now()) return known.url;
    await presign(sliceId);
    return urls.get(sliceId)!.url;
  };

  const bar = new SingleBar({
    format: 'uploading [{bar}] {percentage}% | {value}/{total} MiB | {rate} MiB/s | ETA {eta_formatted}',
    hideCursor: true,
    noTTYOutput: false,
    stream: process.stderr,
  });
  const sentBefore = Object.keys(done).reduce((sum, id) => sum + sizeOf(Number(id)), 0);
  const startedAt = Date.now();
  let sentNow = 0;
  if (!values.quiet) bar.start(Math.ceil(info.size / MiB), Math.floor(sentBefore / MiB), { rate: '0.0' });
  const limit = rateLimiter(values['limit-rate'] ? Number(values['limit-rate']) : undefined);
  const handle = await open(path, 'r');
  let next = 0;
  try {
    const worker = async () => {
      while (next < pending.length) {
        const sliceId = pending[next++]!;
        const size = sizeOf(sliceId);
        const body = Buffer.allocUnsafe(size);
        await handle.read(body, 0, size, (sliceId - 1) * current.sliceSize);
        const etag = await withRetry(`slice ${sliceId}`, retries, async () => {
          const response = await fetch(await urlFor(sliceId), { method: 'PUT', body });
          if (response.status === 403) urls.delete(sliceId);
          if (!response.ok) throw new Error(`S3 answered ${response.status}`);
          return response.headers.get('etag') ?? '';
        });
        done[sliceId] = etag;
        saveState(statePath, { ...current, done });
        sentNow += size;
        await limit(size);
        const seconds = (Date.now() - startedAt) / 1000;
        if (!values.quiet) bar.update(Math.floor((sentBefore + sentNow) / MiB), { rate: (sentNow / MiB / Math.max(seconds, 0.001)).toFixed(1) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, pending.length)) }, worker));
  } finally {
    await handle.close();
    if (!values.quiet) bar.stop();
  }

  const parts = Array.from({ length: sliceCount }, (_, index) => ({ slice_id: index + 1, etag: done[index + 1]! }));
  const answer = await withRetry('complete', retries, async () =>
    OstClient.ok(await client.json<{ url: string }>('/file/mpupload/complete', { upload_id: current.uploadId, parts })),
  );
  forgetState(statePath);
  const seconds = (Date.now() - startedAt) / 1000;
  log(`uploaded ${(info.size / MiB).toFixed(1)} MiB in ${sliceCount} slices, ${seconds.toFixed(1)} s (${(sentNow / MiB / Math.max(seconds, 0.001)).toFixed(1)} MiB/s this run)`);
  console.log(answer.data!.url);
}

try {
  await main();
} catch (error) {
  const message = error instanceof OstError ? `Tessera answered ${error.answer.code}: ${error.answer.message}` : (error as Error).message;
  console.error(`tessera-upload: ${message}`);
  if (error instanceof OstError && error.answer.code === 10005) {
    console.error('the upload session is gone; delete the state file to start again');
  }
  process.exitCode = 1;
}
