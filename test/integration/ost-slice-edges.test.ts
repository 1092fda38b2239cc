import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { OstClient, type OstAnswer } from '../../cli/ost-client.ts';
import { s3 } from '../../functions/adapters/aws-clients.ts';
import { uploadSessions } from '../../functions/adapters/upload-sessions.ts';
import { PROXIED_PART_BYTES } from '../../functions/core/slices.ts';
import { BUCKET } from '../../functions/resources.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { MiB, download, init, randomFile, sendSlice, sha256 } from '../support/ost.ts';

const APP = 'tcostfixes000000001';
const SECRET = 'ost-fixes-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const client = () => new OstClient({ endpoint: stack.current.url, appId: APP, secret: SECRET });
const sessionOf = (uploadId: string) => uploadSessions.get({ clientId: APP, uploadId });

function expectRefused(answer: OstAnswer, status: number, code: number, message: string | RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer));
  assert.equal(answer.code, code);
  if (typeof message === 'string') assert.equal(answer.message, message);
  else assert.match(answer.message, message);
}

/** A session still open and still free to send its slices either way: presigning one works. */
async function assertStillUndecided(uploadId: string): Promise<void> {
  const session = await sessionOf(uploadId);
  assert.equal(session?.state, 'open');
  assert.equal(session?.mode, undefined, 'the way of sending slices is not fixed');
  OstClient.ok(await client().json('/file/mpupload/presign', { upload_id: uploadId, slices: [{ slice_id: 1, size: 6 * MiB }] }));
}

describe('a proxied slice sent again at another size', () => {
  it('rebuilds every part whose bytes moved, so the completed file is the slices as last sent', async () => {
    const uploadId = await init(client());
    const first = randomFile(8 * MiB);
    const second = randomFile(16 * MiB);
    OstClient.ok(await sendSlice(client(), uploadId, 1, first));
    OstClient.ok(await sendSlice(client(), uploadId, 2, second));
    // Three parts built: the second and third lie wholly inside slice 2, which is not sent again.
    assert.equal((await uploadSessions.parts({ clientId: APP, uploadId })).length, 3);

    const shorter = randomFile(4 * MiB);
    OstClient.ok(await sendSlice(client(), uploadId, 1, shorter));
    const done = OstClient.ok(await client().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    const got = await download(done.data!.url);
    const want = Buffer.concat([shorter, second]);
    assert.equal(got.length, want.length);
    for (let offset = 0; offset < want.length; offset += PROXIED_PART_BYTES) {
      const end = offset + PROXIED_PART_BYTES;
      assert.ok(got.subarray(offset, end).equals(want.subarray(offset, end)), `bytes ${offset / MiB}-${end / MiB} MiB`);
    }
    assert.equal(sha256(got), sha256(want));
  });
});

describe('a multipart part named __proto__', () => {
  it('/file/upload refuses it in the ost envelope (400, 10001)', async () => {
    const answer = await client().multipart('/file/upload', {}, { name: '__proto__', data: Buffer.from('hello') });
    expectRefused(answer, 400, 10001, 'a field or file may not be named __proto__');
  });

  it('/file/mpupload/upload refuses it and leaves the session as it was', async () => {
    const uploadId = await init(client());
    const answer = await client().multipart(
      '/file/mpupload/upload',
      { upload_id: uploadId, slice_id: '1' },
      { name: '__proto__', data: Buffer.from('abc') },
    );
    expectRefused(answer, 400, 10001, 'a field or file may not be named __proto__');
    assert.deepEqual(await uploadSessions.slices({ clientId: APP, uploadId }), []);
    await assertStillUndecided(uploadId);
  });
});

const FAULT = 'tessera-test-staging-fault';
type Next = (args: { input: { Key?: string } }) => Promise<unknown>;
interface FaultableStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
}

afterEach(() => {
  s3().middlewareStack.remove(FAULT);
});

describe('a proxied slice whose staging fails', () => {
  it('leaves the session free to send its slices either way', async () => {
    const uploadId = await init(client());
    // An S3 failure while the slice is being staged: the emulator cannot produce one.
    (s3().middlewareStack as unknown as FaultableStack).add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && args.input.Key?.startsWith(`${BUCKET.stagingPrefix}${uploadId}/`)) {
          throw new S3ServiceException({
            name: 'InternalError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
            message: 'We encountered an internal error',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: FAULT },
    );
    expectRefused(await sendSlice(client(), uploadId, 1, Buffer.from('slice')), 500, 10002, 'storage (S3) operation failed');
    s3().middlewareStack.remove(FAULT);
    await assertStillUndecided(uploadId);
  });
});
