import { PRESIGN_BATCH, presignedSliceUrls, type SignedSlice } from '../../../functions/core/presigned-slice-urls.ts';
import { chooseSliceSize } from '../../../functions/core/slices.ts';
import { api, ApiError } from '../api.ts';
import { requestId } from '../format.ts';
import { forgetState, identityOf, loadState, saveState, type UploadState } from './state.ts';

/**
 * The ost sliced, presigned upload, as tessera-upload does it (cli/uploader.ts, docs/ost.md): init
 * (or resume from the saved state), presign in batches, PUT slices in parallel straight to S3
 * keeping each ETag, complete; then the file is copied into the chosen key with /upload's
 * `source` (inside the bucket, no bytes move again), with the overwrite choice.
 */
export interface UploadProgress {
  readonly sent: number;
  readonly total: number;
  /** Bytes sent by this run (for the rate), and seconds since it began. */
  readonly sentThisRun: number;
  readonly seconds: number;
  readonly resumedSlices: number;
  readonly slices: number;
}

export interface UploadJob {
  readonly file: File;
  readonly clientId: string;
  readonly target: string;
  readonly overwrite: boolean;
  readonly parallel?: number;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: UploadProgress) => void;
  /** Told once when an earlier upload of this file is picked up again. */
  readonly onResume?: (state: UploadState) => void;
}

const RETRIES = 5;

interface OstAnswer<T> {
  readonly code: number;
  readonly data?: T;
}

const ost = <T>(clientId: string, path: string, body: Record<string, unknown>) =>
  api<OstAnswer<T>>(`/file/mpupload/${path}`, { json: { app_id: clientId, request_id: requestId(), ...body } }).then(
    (answer) => answer.data as T,
  );

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

async function withRetry<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const permanent = signal.aborted || (error instanceof ApiError && error.status >= 400 && error.status < 500);
      if (permanent || attempt >= RETRIES) throw error;
      await sleep(Math.min(10_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
    }
  }
}

/** Uploads, resuming a saved state for the same file and client; resolves with the stored key. */
export async function upload(job: UploadJob): Promise<string> {
  const { file, clientId, signal } = job;
  const identity = identityOf(file);
  let state = loadState(clientId, identity);
  if (state) {
    job.onResume?.(state);
  } else {
    const { upload_id } = await withRetry(signal, () => ost<{ upload_id: string }>(clientId, 'init', { file_name: file.name.slice(-255) }));
    state = {
      version: 1,
      clientId,
      file: identity,
      uploadId: upload_id,
      sliceSize: chooseSliceSize(file.size),
      done: {},
      target: job.target,
      overwrite: job.overwrite,
    };
    saveState(state);
  }
  // Where it goes and whether it replaces are the form's choices now, resumed or not.
  const current: UploadState = { ...state, target: job.target, overwrite: job.overwrite };
  saveState(current);
  const done: Record<string, string> = { ...current.done };
  const sliceCount = Math.max(1, Math.ceil(file.size / current.sliceSize));
  const sizeOf = (id: number) => Math.min(current.sliceSize, file.size - (id - 1) * current.sliceSize);
  const pending = Array.from({ length: sliceCount }, (_, index) => index + 1).filter((id) => !done[id]);
  const resumedSlices = sliceCount - pending.length;
  let sent = Object.keys(done).reduce((sum, id) => sum + sizeOf(Number(id)), 0);
  let sentThisRun = 0;
  const startedAt = performance.now();
  const report = () =>
    job.onProgress({
      sent,
      total: file.size,
      sentThisRun,
      seconds: (performance.now() - startedAt) / 1000,
      resumedSlices,
      slices: sliceCount,
    });
  report();

  const { urlFor, forget } = presignedSliceUrls({
    batchFrom: (from) => pending.filter((id) => id >= from && !done[id]).slice(0, PRESIGN_BATCH),
    presign: async (batch) =>
      (
        await withRetry(signal, () =>
          ost<{ urls: SignedSlice[] }>(clientId, 'presign', {
            upload_id: current.uploadId,
            slices: batch.map((id) => ({ slice_id: id, size: sizeOf(id) })),
          }),
        )
      ).urls,
  });

  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const id = pending[next++]!;
      const body = file.slice((id - 1) * current.sliceSize, (id - 1) * current.sliceSize + sizeOf(id));
      done[id] = await withRetry(signal, async () => {
        const response = await fetch(await urlFor(id), { method: 'PUT', body, signal });
        if (response.status === 403) forget(id); // expired or refused: signed again on the next try
        if (!response.ok) throw new Error(`S3 answered ${response.status} for slice ${id}`);
        return response.headers.get('etag') ?? '';
      });
      saveState({ ...current, done });
      sent += sizeOf(id);
      sentThisRun += sizeOf(id);
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.parallel ?? 4, Math.max(1, pending.length)) }, worker));

  const parts = Array.from({ length: sliceCount }, (_, index) => ({ slice_id: index + 1, etag: done[index + 1]! }));
  const { url } = await withRetry(signal, () => ost<{ url: string }>(clientId, 'complete', { upload_id: current.uploadId, parts }));
  // Into the chosen key: a copy inside the bucket, refused when it exists and overwrite is off.
  await api('/upload', { form: { filename: job.target, source: url, overwrite: job.overwrite ? '1' : '0' } });
  forgetState(current);
  return job.target;
}

/** Cancels the session on the server and forgets it here. */
export async function cancelUpload(state: UploadState): Promise<void> {
  forgetState(state);
  await ost(state.clientId, 'cancel', { upload_id: state.uploadId }).catch(() => undefined);
}
