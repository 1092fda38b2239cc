import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { OstClient, signedHeaders, type OstAnswer } from '../../cli/ost-client.ts';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { multipartStore } from '../../functions/adapters/multipart-store.ts';
import { uploadSessions } from '../../functions/adapters/upload-sessions.ts';
import { sign } from '../../functions/core/xfyun-signature.ts';
import { slicedUpload } from '../../functions/services/sliced-upload.ts';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3 } from '../../functions/adapters/aws-clients.ts';
import { bucketName } from '../../functions/resources.ts';
import { useLocalStack, withBodyLimit } from '../support/local-stack.ts';
import { MiB, download, init, randomFile, sendSlice } from '../support/ost.ts';

const APP = 'tcosterr000000000001';
const SECRET = 'ost-error-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'errs' } });
const client = () => new OstClient({ endpoint: stack.current.url, appId: APP, secret: SECRET });

function expectError(answer: OstAnswer, status: number, code: number, message: string | RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer));
  assert.equal(answer.code, code, JSON.stringify(answer));
  if (typeof message === 'string') assert.equal(answer.message, message);
  else assert.match(answer.message, message);
  assert.match(answer.sid, /^ost0001[0-9a-f]{4}@dx[0-9a-f]+$/);
  assert.equal(answer.data, undefined);
}

const sliceCount = async (uploadId: string) => (await uploadSessions.slices({ clientId: APP, uploadId })).length;
const staged = async (uploadId: string) =>
  (await s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: `_staging/${uploadId}/` }))).KeyCount ?? 0;

/** Sends a request signed by hand, to vary one piece of the signature at a time. */
async function rawPost(path: string, body: object, headers: Record<string, string>) {
  const response = await fetch(new URL(path, stack.current.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as Omit<OstAnswer, 'status'>) };
}

describe('ost authentication', () => {
  const body = { app_id: APP, request_id: '202006290840' };
  const good = () =>
    signedHeaders({ endpoint: stack.current.url, appId: APP, secret: SECRET }, '/file/mpupload/init', Buffer.from(JSON.stringify(body)));

  it('accepts the signature with or without the "hmac " prefix, and the demos\' digest variants', async () => {
    for (const variant of [
      (headers: Record<string, string>) => headers,
      (headers: Record<string, string>) => ({ ...headers, authorization: `hmac ${headers.authorization}` }),
    ]) {
      assert.equal((await rawPost('/file/mpupload/init', body, variant(good()))).code, 0);
    }
    // The official python demo signs "SHA256=SHA-256=<hash of an empty body>" whatever it sends.
    const headers = good();
    const digest = 'SHA256=SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
    const origin = `host: ${headers.host}\ndate: ${headers.date}\nPOST /file/mpupload/init HTTP/1.1\ndigest: ${digest}`;
    const authorization = `api_key="${APP}", algorithm="hmac-sha256", headers="host date request-line digest", signature="${sign(origin, SECRET)}"`;
    assert.equal((await rawPost('/file/mpupload/init', body, { ...headers, digest, authorization })).code, 0);
  });

  it('refuses a forged signature, a stale or future date, unknown keys and a foreign app_id', async () => {
    const forged = { ...good(), authorization: good().authorization.replace(/signature="[^"]+"/, 'signature="AAAA"') };
    expectError(await rawPost('/file/mpupload/init', body, forged), 401, 10001, 'signature does not match');
    const tampered = { ...good(), digest: 'SHA-256=tampered' };
    expectError(await rawPost('/file/mpupload/init', body, tampered), 401, 10001, 'signature does not match');
    for (const skew of [-301_000, 301_000]) {
      const stale = signedHeaders(
        { endpoint: stack.current.url, appId: APP, secret: SECRET },
        '/file/mpupload/init',
        Buffer.alloc(0),
        new Date(Date.now() + skew),
      );
      expectError(await rawPost('/file/mpupload/init', body, stale), 401, 10001, 'date header is more than 300 s from server time');
    }
    const unknown = signedHeaders(
      { endpoint: stack.current.url, appId: 'tcnobody', secret: SECRET },
      '/file/mpupload/init',
      Buffer.alloc(0),
    );
    // An unknown api_key reads as a wrong signature: no answer tells which client ids exist.
    expectError(await rawPost('/file/mpupload/init', body, unknown), 401, 10001, 'signature does not match');
    expectError(await rawPost('/file/mpupload/init', body, {}), 401, 10001, 'authorization header is required');
    const other = await clientRegistry.create({ name: 'other', namespaces: ['other'] });
    const asOther = signedHeaders(
      { endpoint: stack.current.url, appId: other.client.clientId, secret: other.secret },
      '/file/mpupload/init',
      Buffer.alloc(0),
    );
    expectError(await rawPost('/file/mpupload/init', body, asOther), 403, 10001, 'app_id does not belong to this api_key');
    const wrongLine = signedHeaders({ endpoint: stack.current.url, appId: APP, secret: SECRET }, '/file/mpupload/cancel', Buffer.alloc(0));
    expectError(await rawPost('/file/mpupload/init', body, wrongLine), 401, 10001, 'signature does not match');
  });
});

describe('ost bad input, each answered with its code and no state change', () => {
  it('missing fields on every route', async () => {
    expectError(await client().json('/file/mpupload/init', { app_id: undefined }), 400, 10001, 'app_id is required');
    expectError(await client().json('/file/mpupload/init', { request_id: '' }), 400, 10001, 'request_id is required');
    expectError(await client().json('/file/mpupload/complete', {}), 400, 10001, 'upload_id is required');
    expectError(await client().json('/file/mpupload/cancel', {}), 400, 10001, 'upload_id is required');
    expectError(
      await client().json('/file/mpupload/presign', { upload_id: 'up_x' }),
      400,
      10001,
      'slices is required: [{slice_id, size}, …]',
    );
    expectError(
      await client().multipart('/file/upload', {}, { name: 'other', data: Buffer.from('x') }),
      400,
      10001,
      'data is required, as a file part',
    );
    const uploadId = await init(client());
    expectError(
      await client().multipart('/file/mpupload/upload', { upload_id: uploadId }, { name: 'data', data: Buffer.from('x') }),
      400,
      10001,
      'slice_id is required',
    );
    expectError(
      await client().multipart('/file/mpupload/upload', { slice_id: '1' }, { name: 'data', data: Buffer.from('x') }),
      400,
      10001,
      'upload_id is required',
    );
    expectError(
      await client().multipart('/file/mpupload/upload', { upload_id: uploadId, slice_id: '1' }, { name: 'nodata', data: Buffer.from('x') }),
      400,
      10001,
      'data is required, as a file part',
    );
    assert.equal(await sliceCount(uploadId), 0);
  });

  it('slice_id 0, 10001 and "x"', async () => {
    const uploadId = await init(client());
    for (const sliceId of ['0', '10001', 'x', '1.5', '-1']) {
      expectError(
        await sendSlice(client(), uploadId, sliceId, Buffer.from('x')),
        400,
        10001,
        'slice_id must be an integer from 1 to 10000',
      );
    }
    assert.equal(await sliceCount(uploadId), 0);
  });

  it('unknown, foreign and malformed upload ids answer 10005', async () => {
    expectError(await sendSlice(client(), 'up_doesnotexist', 1, Buffer.from('x')), 404, 10005, 'upload has expired or does not exist');
    const other = await clientRegistry.create({ name: 'thief', namespaces: ['thief'] });
    const thief = new OstClient({ endpoint: stack.current.url, appId: other.client.clientId, secret: other.secret });
    const uploadId = await init(client());
    expectError(await sendSlice(thief, uploadId, 1, Buffer.from('x')), 404, 10005, 'upload has expired or does not exist');
    expectError(await thief.json('/file/mpupload/complete', { upload_id: uploadId }), 404, 10005, 'upload has expired or does not exist');
    expectError(await thief.json('/file/mpupload/cancel', { upload_id: uploadId }), 404, 10005, 'upload has expired or does not exist');
    assert.equal((await uploadSessions.get({ clientId: APP, uploadId }))?.state, 'open');
    assert.equal(await sliceCount(uploadId), 0);
  });

  it('a proxied slice over TESSERA_MAX_BODY_BYTES is refused in the ost envelope, naming the limit and the presigned route', async () => {
    const uploadId = await init(client());
    const answer = await withBodyLimit(2 * MiB, () => sendSlice(client(), uploadId, 1, randomFile(2 * MiB + 1)));
    assert.equal(answer.status, 413);
    assert.equal(answer.code, 10001);
    assert.match(
      answer.message ?? '',
      /^request body is larger than 2097152 bytes \(2 MiB\), the limit of this route; send larger files in slices/,
    );
    assert.match(answer.message ?? '', /presigned URLs from \/file\/mpupload\/presign/);
    assert.equal(await sliceCount(uploadId), 0);
  });

  it('takes a proxied slice of 20 MiB, streamed, and assembles it byte-identical', async () => {
    const uploadId = await init(client());
    const data = randomFile(20 * MiB);
    OstClient.ok(await sendSlice(client(), uploadId, 1, data));
    const { url } = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId })).data!;
    assert.ok((await download(url)).equals(data));
  });

  it('complete names missing slices and leaves the session open to fix', async () => {
    const uploadId = await init(client());
    for (const sliceId of [1, 2, 5, 9]) await sendSlice(client(), uploadId, sliceId, Buffer.from(`s${sliceId}`));
    expectError(await client().json('/file/mpupload/complete', { upload_id: uploadId }), 400, 10001, 'slices missing: 3-4, 6-8');
    for (const sliceId of [3, 4, 6, 7, 8]) await sendSlice(client(), uploadId, sliceId, Buffer.from(`s${sliceId}`));
    const done = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    assert.equal(Buffer.from(await (await fetch(done.data!.url)).arrayBuffer()).toString(), 's1s2s3s4s5s6s7s8s9');
  });

  it('complete with no slices at all', async () => {
    const uploadId = await init(client());
    expectError(await client().json('/file/mpupload/complete', { upload_id: uploadId }), 400, 10001, 'no slices were uploaded');
    assert.equal((await uploadSessions.get({ clientId: APP, uploadId }))?.state, 'open');
  });

  it('a presigned slice under 5 MiB that is not the last', async () => {
    const uploadId = await init(client());
    OstClient.ok(
      await client().json('/file/mpupload/presign', {
        upload_id: uploadId,
        slices: [
          { slice_id: 1, size: MiB },
          { slice_id: 2, size: 10 },
        ],
      }),
    );
    expectError(
      await client().json('/file/mpupload/complete', {
        upload_id: uploadId,
        parts: [
          { slice_id: 1, etag: 'a' },
          { slice_id: 2, etag: 'b' },
        ],
      }),
      400,
      10001,
      'slices smaller than 5 MiB (only the last may be): 1',
    );
  });

  it('presigned slices the client did not report, and sizes out of range', async () => {
    const uploadId = await init(client());
    OstClient.ok(
      await client().json('/file/mpupload/presign', {
        upload_id: uploadId,
        slices: [
          { slice_id: 1, size: 5 * MiB },
          { slice_id: 2, size: 10 },
        ],
      }),
    );
    expectError(
      await client().json('/file/mpupload/complete', { upload_id: uploadId, parts: [{ slice_id: 1, etag: 'a' }] }),
      400,
      10001,
      'complete must list the ETag S3 returned for every presigned slice; missing: 2',
    );
    expectError(
      await client().json('/file/mpupload/presign', { upload_id: uploadId, slices: [{ slice_id: 3, size: 6 * 1024 * MiB }] }),
      400,
      10001,
      'slice sizes must be 1 byte to 5 GiB: 3',
    );
    expectError(
      await client().json('/file/mpupload/presign', { upload_id: uploadId, slices: [{ slice_id: 0, size: 1 }] }),
      400,
      10001,
      /slice_id/,
    );
  });

  it('refuses to mix proxied and presigned slices in one upload', async () => {
    const proxied = await init(client());
    OstClient.ok(await sendSlice(client(), proxied, 1, Buffer.from('x')));
    expectError(
      await client().json('/file/mpupload/presign', { upload_id: proxied, slices: [{ slice_id: 2, size: 5 * MiB }] }),
      400,
      10001,
      'this upload already sends its slices as proxied slices through /file/mpupload/upload; one upload cannot mix the two ways',
    );
    const presigned = await init(client());
    OstClient.ok(await client().json('/file/mpupload/presign', { upload_id: presigned, slices: [{ slice_id: 1, size: 5 * MiB }] }));
    expectError(
      await sendSlice(client(), presigned, 2, Buffer.from('x')),
      400,
      10001,
      'this upload already sends its slices as presigned URLs; one upload cannot mix the two ways',
    );
    assert.equal(await sliceCount(proxied), 1);
    assert.equal(await sliceCount(presigned), 1);
  });
});

describe('ost session lifecycle', () => {
  afterEach(() => {
    delete process.env.TESSERA_OST_SESSION_TTL_SECONDS;
  });

  it('takes no slices after complete', async () => {
    const uploadId = await init(client());
    OstClient.ok(await sendSlice(client(), uploadId, 1, Buffer.from('x')));
    OstClient.ok(await client().json('/file/mpupload/complete', { upload_id: uploadId }));
    expectError(
      await sendSlice(client(), uploadId, 2, Buffer.from('y')),
      409,
      10001,
      'upload is already completed; it takes no more slices',
    );
    expectError(
      await client().json('/file/mpupload/cancel', { upload_id: uploadId }),
      409,
      10001,
      'upload is already completed and cannot be cancelled',
    );
    assert.equal(await sliceCount(uploadId), 1);
  });

  it('cancel aborts the S3 upload and removes staged slices; later calls answer 10005', async () => {
    const uploadId = await init(client());
    OstClient.ok(await sendSlice(client(), uploadId, 1, Buffer.from('x')));
    assert.equal(await staged(uploadId), 1);
    OstClient.ok(await client().json('/file/mpupload/cancel', { upload_id: uploadId }));
    assert.equal(await staged(uploadId), 0);
    const session = (await uploadSessions.get({ clientId: APP, uploadId }))!;
    assert.equal(session.state, 'cancelled');
    await assert.rejects(
      multipartStore.uploadPart(session.objectKey, session.s3UploadId, 1, Buffer.from('late'), 4),
      /NoSuchUpload|does not exist|not found/i,
    );
    expectError(await sendSlice(client(), uploadId, 2, Buffer.from('y')), 404, 10005, 'upload was cancelled');
    expectError(await client().json('/file/mpupload/complete', { upload_id: uploadId }), 404, 10005, 'upload was cancelled');
    OstClient.ok(await client().json('/file/mpupload/cancel', { upload_id: uploadId }));
  });

  it('expires sessions after their time (10005), and the sweeper aborts and cleans them', async () => {
    process.env.TESSERA_OST_SESSION_TTL_SECONDS = '1';
    const uploadId = await init(client());
    OstClient.ok(await sendSlice(client(), uploadId, 1, Buffer.from('x')));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expectError(await sendSlice(client(), uploadId, 2, Buffer.from('y')), 404, 10005, 'upload has expired');
    expectError(await client().json('/file/mpupload/complete', { upload_id: uploadId }), 404, 10005, 'upload has expired');
    assert.ok((await slicedUpload.expireStale()) >= 1);
    assert.equal((await uploadSessions.get({ clientId: APP, uploadId }))?.state, 'expired');
    assert.equal(await staged(uploadId), 0);
    expectError(await client().json('/file/mpupload/cancel', { upload_id: uploadId }), 404, 10005, 'upload has expired');
  });
});
