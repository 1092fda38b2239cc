import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { OstClient } from '../cli/ost-client.ts';
import { uploadFile } from '../cli/uploader.ts';
import { s3 } from '../functions/adapters/aws-clients.ts';
import { multipartStore } from '../functions/adapters/multipart-store.ts';
import { bucketName } from '../functions/resources.ts';
import type { LocalStack } from '../local/local-stack.ts';
import { ms, percentile, verdict, type Row } from './stats.ts';

const MiB = 1024 * 1024;
const SLICE = 5 * MiB;

function writeRandomFile(bytes: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tessera-bench-')), 'payload.bin');
  const fd = openSync(path, 'w');
  for (let written = 0; written < bytes; written += 16 * MiB) writeSync(fd, randomBytes(Math.min(16 * MiB, bytes - written)));
  closeSync(fd);
  return path;
}

/** The same bytes as one S3 multipart upload, straight to the same emulator, same part size and parallelism. */
async function directMultipartPut(path: string, size: number, parallel: number): Promise<void> {
  const key = `bench/direct-${Date.now()}`;
  const uploadId = await multipartStore.create(key, 'application/octet-stream');
  const handle = await open(path, 'r');
  const count = Math.ceil(size / SLICE);
  const etags: string[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < count) {
          const index = next++;
          const length = Math.min(SLICE, size - index * SLICE);
          const body = Buffer.allocUnsafe(length);
          await handle.read(body, 0, length, index * SLICE);
          etags[index] = await multipartStore.uploadPart(key, uploadId, index + 1, body, body.length);
        }
      }),
    );
  } finally {
    await handle.close();
  }
  await multipartStore.complete(
    key,
    uploadId,
    etags.map((etag, index) => ({ partNumber: index + 1, etag })),
  );
  await s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: key }));
}

const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').slice(2).join('/'));

/** CLI upload vs a direct S3 multipart put, and complete for many presigned slices. */
export async function benchOst(stack: LocalStack, appId: string, secret: string): Promise<Row[]> {
  const rows: Row[] = [];
  const size = Number(process.env.BENCH_UPLOAD_MIB ?? 256) * MiB;
  const path = writeRandomFile(size);
  const cliSeconds: number[] = [];
  const directSeconds: number[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      let started = performance.now();
      const result = await uploadFile({
        file: path,
        endpoint: stack.url,
        appId,
        secret,
        parallel: 4,
        quiet: true,
        statePath: `${path}.state`,
      });
      cliSeconds.push((performance.now() - started) / 1000);
      await s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: keyOf(result.url) }));
      started = performance.now();
      await directMultipartPut(path, size, 4);
      directSeconds.push((performance.now() - started) / 1000);
    }
  } finally {
    rmSync(path, { force: true });
  }
  const cliRate = size / MiB / percentile(cliSeconds, 50);
  const directRate = size / MiB / percentile(directSeconds, 50);
  const ratio = cliRate / directRate;
  rows.push({ measure: `tessera-upload ${size / MiB} MiB, 4 parallel (median of 3)`, value: `${cliRate.toFixed(0)} MiB/s` });
  rows.push({ measure: `direct S3 multipart put, same bytes (median of 3)`, value: `${directRate.toFixed(0)} MiB/s` });
  rows.push({ measure: 'upload throughput, Tessera / direct', value: ratio.toFixed(2), goal: '≥ 0.8', verdict: verdict(ratio >= 0.8) });

  rows.push(...(await benchComplete(stack, appId, secret, Number(process.env.BENCH_COMPLETE_SLICES ?? 1000))));
  return rows;
}

/** complete for N presigned 5 MiB slices: Tessera's own work, and the emulator's S3 call on its own. */
async function benchComplete(stack: LocalStack, appId: string, secret: string, slices: number): Promise<Row[]> {
  const client = new OstClient({ endpoint: stack.url, appId, secret });
  const uploadId = OstClient.ok(await client.json<{ upload_id: string }>('/file/mpupload/init', {})).data!.upload_id;
  const body = randomBytes(SLICE);
  const etags: string[] = [];
  for (let first = 1; first <= slices; first += 100) {
    const batch = Array.from({ length: Math.min(100, slices - first + 1) }, (_, index) => ({ slice_id: first + index, size: SLICE }));
    const answer = OstClient.ok(
      await client.json<{ urls: Array<{ slice_id: number; url: string }> }>('/file/mpupload/presign', {
        upload_id: uploadId,
        slices: batch,
      }),
    );
    let next = 0;
    const urls = answer.data!.urls;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < urls.length) {
          const entry = urls[next++]!;
          const response = await fetch(entry.url, { method: 'PUT', body });
          etags[entry.slice_id] = response.headers.get('etag')!;
        }
      }),
    );
  }
  // fauxqs hashes and concatenates every part inside CompleteMultipartUpload (5 GiB here), which
  // takes longer than a Lambda may run. So the S3 call is held back while Tessera's complete is
  // timed, answered as S3 answers, and then replayed against the emulator and timed on its own.
  const held: { input?: unknown } = {};
  const hold = 'bench-hold-complete';
  s3().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'CompleteMultipartUploadCommand') return next(args);
      held.input = (args as { input: unknown }).input;
      return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
    },
    { step: 'initialize', name: hold },
  );
  const parts = etags.map((etag, sliceId) => ({ slice_id: sliceId, etag })).filter((part) => part.etag);
  let started = performance.now();
  let done;
  try {
    done = OstClient.ok(await client.json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId, parts }));
  } finally {
    s3().middlewareStack.remove(hold);
  }
  const ownMs = performance.now() - started;
  started = performance.now();
  await s3().send(new CompleteMultipartUploadCommand(held.input as ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]));
  const emulatorMs = performance.now() - started;
  await s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: keyOf(done.data!.url) }));
  return [
    {
      measure: `complete, ${slices} presigned 5 MiB slices: Tessera's work`,
      value: ms(ownMs),
      goal: '≤ 2 s',
      verdict: verdict(ownMs <= 2000),
    },
    { measure: "  then the emulator's CompleteMultipartUpload of it", value: ms(emulatorMs) },
  ];
}
