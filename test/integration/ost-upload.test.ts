import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OstClient } from '../../cli/ost-client.ts';
import { PROXIED_PART_BYTES } from '../../functions/core/slices.ts';
import { uploadSessions } from '../../functions/adapters/upload-sessions.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { MiB, download, inParallel, init, randomFile, sendSlice, sha256, shuffled, slicesOf } from '../support/ost.ts';

const APP = 'tcost00000000000001';
const stack = useLocalStack({ demo: { clientId: APP, secret: 'ost-secret', namespace: 'demo' } });
const client = () => new OstClient({ endpoint: stack.current.url, appId: APP, secret: 'ost-secret' });

describe('POST /file/upload', () => {
  it('stores the data part and answers a download URL in the xfyun envelope', async () => {
    const answer = await client().multipart<{ url: string }>('/file/upload', {}, { name: 'data', data: Buffer.from('==test==') });
    assert.equal(answer.status, 200);
    assert.equal(answer.code, 0);
    assert.equal(answer.message, 'success');
    assert.match(answer.sid, /^ost00010002@dx[0-9a-f]+$/);
    assert.equal((await download(answer.data!.url)).toString(), '==test==');
  });
});

describe('proxied slices through /file/mpupload/upload', () => {
  it('rebuilds a 64 MiB file sent in shuffled 3 MiB slices, two of them sent twice (wrong bytes first)', async () => {
    const file = randomFile(64 * MiB + 12_345);
    const uploadId = await init(client());
    const slices = slicesOf(file, 3 * MiB);
    const resent = [slices[4]!, slices[11]!];
    for (const slice of resent) OstClient.ok(await sendSlice(client(), uploadId, slice.sliceId, randomFile(slice.data.length)));
    for (const slice of shuffled(slices)) OstClient.ok(await sendSlice(client(), uploadId, slice.sliceId, slice.data));
    // Sent again, identical: the last send wins either way.
    for (const slice of resent) OstClient.ok(await sendSlice(client(), uploadId, slice.sliceId, slice.data));

    const assembled = await uploadSessions.parts({ clientId: APP, uploadId });
    assert.ok(assembled.length >= 8, `parts are assembled while slices arrive (${assembled.length} so far)`);
    const done = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    assert.equal(sha256(await download(done.data!.url)), sha256(file));
  });

  it('takes slices sent concurrently and assembles each run exactly once', async () => {
    const file = randomFile(40 * MiB + 7);
    const uploadId = await init(client());
    const slices = slicesOf(file, 2 * MiB);
    const answers = await inParallel(
      8,
      shuffled(slices, 3).map((slice) => () => sendSlice(client(), uploadId, slice.sliceId, slice.data)),
    );
    assert.ok(
      answers.every((answer) => answer.code === 0),
      JSON.stringify(answers.filter((answer) => answer.code !== 0)),
    );
    // Each part was assembled once, at its own place in the file: no two cover the same bytes.
    const parts = (await uploadSessions.parts({ clientId: APP, uploadId })).sort((a, b) => a.offset - b.offset);
    parts.forEach((part, index) => assert.equal(part.offset, index * PROXIED_PART_BYTES, `part ${part.partNumber}`));
    const done = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    assert.equal(sha256(await download(done.data!.url)), sha256(file));
  });

  it('reads a slice whose data part comes before its text fields, as some clients send it', async () => {
    const uploadId = await init(client());
    const boundary = 'tessera-order-test';
    const part = (name: string, value: string, file = '') =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ''}\r\n\r\n${value}\r\n`;
    const body = Buffer.from(
      part('data', 'data first', '1') +
        part('slice_id', '1') +
        part('upload_id', uploadId) +
        part('request_id', 'r1') +
        part('app_id', APP) +
        `--${boundary}--\r\n`,
    );
    OstClient.ok(await client().post('/file/mpupload/upload', body, `multipart/form-data; boundary=${boundary}`));
    const done = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    assert.equal((await download(done.data!.url)).toString(), 'data first');
  });

  it('answers the same URL to a second complete without redoing work', async () => {
    const uploadId = await init(client());
    OstClient.ok(await sendSlice(client(), uploadId, 1, Buffer.from('only slice')));
    const first = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    const second = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    assert.equal(second.data!.url, first.data!.url);
    assert.equal((await download(first.data!.url)).toString(), 'only slice');
  });
});

describe('presigned slices', () => {
  it('rebuilds a 64 MiB file PUT straight to S3 in shuffled 5 MiB slices, two PUT twice (wrong bytes first)', async () => {
    const file = randomFile(64 * MiB + 999);
    const uploadId = await init(client());
    const slices = slicesOf(file, 5 * MiB);
    const presigned = OstClient.ok(
      await client().json<{ urls: Array<{ slice_id: number; url: string; expires_at: string }> }>('/file/mpupload/presign', {
        upload_id: uploadId,
        slices: slices.map((slice) => ({ slice_id: slice.sliceId, size: slice.data.length })),
      }),
    ).data!.urls;
    assert.equal(presigned.length, slices.length);
    for (const entry of presigned) {
      const url = new URL(entry.url);
      assert.equal(
        [...url.searchParams.keys()].some((name) => name.toLowerCase().startsWith('x-amz-checksum')),
        false,
        'no empty-body checksum',
      );
      assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'content-length;host', 'the declared size is signed');
    }
    assert.ok(presigned.every((entry) => Date.parse(entry.expires_at) > Date.now()));
    const urlOf = new Map(presigned.map((entry) => [entry.slice_id, entry.url]));
    const put = async (sliceId: number, body: Buffer) => {
      const response = await fetch(urlOf.get(sliceId)!, { method: 'PUT', body });
      assert.equal(response.status, 200);
      return response.headers.get('etag')!;
    };
    const etags = new Map<number, string>();
    for (const sliceId of [2, 9]) await put(sliceId, randomFile(slices[sliceId - 1]!.data.length));
    await inParallel(
      4,
      shuffled(slices, 11).map((slice) => async () => etags.set(slice.sliceId, await put(slice.sliceId, slice.data))),
    );
    for (const sliceId of [2, 9]) etags.set(sliceId, await put(sliceId, slices[sliceId - 1]!.data));

    const parts = [...etags].map(([slice_id, etag]) => ({ slice_id, etag }));
    const done = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId, parts }));
    assert.equal(sha256(await download(done.data!.url)), sha256(file));
  });
});
