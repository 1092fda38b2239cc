import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { OstClient, type OstAnswer } from '../../cli/ost-client.ts';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { templateStore } from '../../functions/adapters/template-store.ts';
import { uploadSessions } from '../../functions/adapters/upload-sessions.ts';
import { newTaskId } from '../../functions/core/task-id.ts';
import { newUploadId } from '../../functions/core/upload-id.ts';
import { queueIdOf } from '../../functions/ci/queues.ts';
import { CiClient, jobXml, tag } from '../support/ci.ts';
import { KmpClient } from '../support/kmp.ts';
import { postForm, registerClient, useLocalStack } from '../support/local-stack.ts';
import { download, init, sendSlice } from '../support/ost.ts';
import { sdkCallsDuring } from '../support/sdk-calls.ts';
import { solidPng } from '../support/images.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * Client B holds A's ids (an upload id is in every download URL A shares; job and task ids travel
 * in callbacks and logs) and tries every route that takes one. Each answer must be exactly the
 * answer to an id that never existed, reached through exactly the same AWS calls (so no answer is
 * slower either), and A's things must be as they were.
 */
const A = { id: 'tcisolationa00000001', secret: 'isolation-secret-a', namespace: 'alpha', bucket: 'alpha-1250000000' };
const B = { id: 'tcisolationb00000001', secret: 'isolation-secret-b', namespace: 'beta', bucket: 'beta-1250000000' };
const REGION = 'ap-local';

const stack = useLocalStack({
  demo: { clientId: A.id, secret: A.secret, namespace: A.namespace, cosBucket: A.bucket, cosRegion: REGION },
  worker: false,
});
const ostA = () => new OstClient({ endpoint: stack.current.url, appId: A.id, secret: A.secret });
const ostB = () => new OstClient({ endpoint: stack.current.url, appId: B.id, secret: B.secret });
const ciA = () => new CiClient(stack.current.url, A.id, A.secret);
const ciB = () => new CiClient(stack.current.url, B.id, B.secret);

before(async () => {
  await stack.ready();
  await registerClient(B, REGION);
  for (const client of [A, B]) {
    const photo = { data: await gradientJpeg(64, 48), type: 'image/jpeg' };
    assert.equal(
      (
        await postForm(`${stack.current.url}/upload`, {
          secret_key: client.secret,
          filename: `${client.namespace}/in/photo.jpg`,
          filedata: photo,
        })
      ).status,
      200,
    );
  }
});

/** An answer with what differs per request (sids, request ids) and the id itself masked. */
function comparable(answer: unknown, id: string): string {
  return JSON.stringify(answer)
    .replaceAll(id, '<id>')
    .replace(/ost0001[0-9a-f]{4}@dx[0-9a-f]+/g, '<sid>')
    .replace(/<RequestId>[^<]*<\/RequestId>/g, '<RequestId/>')
    .replace(/<TraceId>[^<]*<\/TraceId>/g, '<TraceId/>')
    .replace(/"requestId":"[^"]*"/g, '"requestId":"<id>"');
}

/** B's request with A's id answers and works exactly as with an id nobody has. */
async function asUnknown<T>(send: (id: string) => Promise<T>, foreignId: string, unknownId: string): Promise<T> {
  await send(unknownId); // warm caches (B's opened secret) so both measured calls start alike
  let unknown: T | undefined;
  let foreign: T | undefined;
  const unknownCalls = await sdkCallsDuring(async () => (unknown = await send(unknownId)));
  const foreignCalls = await sdkCallsDuring(async () => (foreign = await send(foreignId)));
  assert.equal(comparable(foreign, foreignId), comparable(unknown, unknownId));
  assert.ok(unknownCalls.length > 0, "the recorder saw the request's AWS calls");
  assert.deepEqual(foreignCalls, unknownCalls, 'the same AWS calls for a foreign id as for an unknown one');
  return foreign!;
}

const expired = (answer: OstAnswer) => {
  assert.equal(answer.status, 404, JSON.stringify(answer));
  assert.equal(answer.code, 10005);
  assert.equal(answer.message, 'upload has expired or does not exist');
};

describe("ost: another client's upload id", () => {
  it('reads as unknown on every session route, and leaves the session as it was', async () => {
    const uploadId = await init(ostA());
    OstClient.ok(await sendSlice(ostA(), uploadId, 1, Buffer.from('a1')));
    const unknownId = newUploadId();
    expired(await asUnknown((id) => sendSlice(ostB(), id, 2, Buffer.from('b2')), uploadId, unknownId));
    expired(
      await asUnknown(
        (id) => ostB().json('/file/mpupload/presign', { upload_id: id, slices: [{ slice_id: 1, size: 5 * 1024 * 1024 }] }),
        uploadId,
        unknownId,
      ),
    );
    expired(await asUnknown((id) => ostB().json('/file/mpupload/complete', { upload_id: id }), uploadId, unknownId));
    expired(await asUnknown((id) => ostB().json('/file/mpupload/cancel', { upload_id: id }), uploadId, unknownId));
    const session = await uploadSessions.get({ clientId: A.id, uploadId });
    assert.equal(session?.state, 'open');
    assert.equal(session?.mode, 'proxied');
    assert.deepEqual(
      (await uploadSessions.slices({ clientId: A.id, uploadId })).map((slice) => slice.size),
      [2],
    );
    assert.equal(await uploadSessions.get({ clientId: B.id, uploadId }), undefined);
  });

  it('while A\'s complete runs, B is told 10005 at once, not "being completed"', async () => {
    const uploadId = await init(ostA());
    OstClient.ok(await sendSlice(ostA(), uploadId, 1, Buffer.from('running')));
    // What a complete in progress leaves in the table: state completing under a live lease.
    assert.ok(await uploadSessions.beginComplete({ clientId: A.id, uploadId }, 'a-running', Date.now(), 60_000));
    expired(await asUnknown((id) => ostB().json('/file/mpupload/complete', { upload_id: id }), uploadId, newUploadId()));
    assert.equal((await uploadSessions.get({ clientId: A.id, uploadId }))?.lockToken, 'a-running');
  });

  it("when A's complete fails on a missing slice, B (waiting meanwhile) learns nothing of it", async () => {
    const uploadId = await init(ostA());
    const key = { clientId: A.id, uploadId };
    OstClient.ok(await sendSlice(ostA(), uploadId, 1, Buffer.from('one')));
    OstClient.ok(await sendSlice(ostA(), uploadId, 3, Buffer.from('three')));
    assert.ok(await uploadSessions.beginComplete(key, 'a-running', Date.now(), 60_000));
    const other = ostB().json('/file/mpupload/complete', { upload_id: uploadId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A's complete gives up on the missing slice and reopens the session.
    assert.ok(await uploadSessions.abandonComplete(key, 'a-running'));
    expired(await other);
    const own = await ostA().json('/file/mpupload/complete', { upload_id: uploadId });
    assert.deepEqual([own.code, own.message], [10001, 'slices missing: 2']);
    assert.equal((await uploadSessions.get(key))?.state, 'open');
  });

  it("when A's completer died mid-complete, B cannot finish it; A can, and gets exactly its bytes", async () => {
    const uploadId = await init(ostA());
    OstClient.ok(await sendSlice(ostA(), uploadId, 1, Buffer.from('abandoned ')));
    OstClient.ok(await sendSlice(ostA(), uploadId, 2, Buffer.from('then finished')));
    // A Lambda that timed out mid-complete: completing, its lease already run out.
    assert.ok(await uploadSessions.beginComplete({ clientId: A.id, uploadId }, 'a-dead', Date.now() - 120_000, 60_000));
    expired(await asUnknown((id) => ostB().json('/file/mpupload/complete', { upload_id: id }), uploadId, newUploadId()));
    const session = await uploadSessions.get({ clientId: A.id, uploadId });
    assert.equal(session?.state, 'completing');
    assert.equal(await objectStore.head(session!.objectKey), undefined, 'nothing assembled by B');
    const done = OstClient.ok(await ostA().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
    assert.equal((await download(done.data!.url)).toString(), 'abandoned then finished');
  });

  it('a bounded, shaped upload id on every route: 2,049 bytes is refused as too long, never looked up', async () => {
    const long = `up_${'a'.repeat(2046)}`;
    for (const answer of [
      await sendSlice(ostA(), long, 1, Buffer.from('x')),
      await ostA().json('/file/mpupload/complete', { upload_id: long }),
      await ostA().json('/file/mpupload/cancel', { upload_id: long }),
    ]) {
      assert.equal(answer.status, 400, JSON.stringify(answer));
      assert.deepEqual([answer.code, answer.message], [10001, 'upload_id is too long']);
    }
    for (const malformed of ['up_ZZ', 'UP_0123456789abcdef01234567', `${newUploadId()}x`]) {
      expired(await sendSlice(ostA(), malformed, 1, Buffer.from('x')));
    }
  });
});

describe('ost: concurrent completes of one upload', () => {
  it('all answer the same URL; the upload is assembled once', async () => {
    const uploadId = await init(ostA());
    OstClient.ok(await sendSlice(ostA(), uploadId, 1, Buffer.from('same ')));
    OstClient.ok(await sendSlice(ostA(), uploadId, 2, Buffer.from('answer')));
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => ostA().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId })),
    );
    for (const answer of answers) assert.equal(answer.code, 0, JSON.stringify(answer));
    assert.equal(new Set(answers.map((answer) => answer.data!.url)).size, 1);
    assert.equal((await download(answers[0]!.data!.url)).toString(), 'same answer');
  });

  it('one that finds another under way waits for it and answers its URL', async () => {
    const uploadId = await init(ostA());
    OstClient.ok(await sendSlice(ostA(), uploadId, 1, Buffer.from('waited')));
    const key = { clientId: A.id, uploadId };
    assert.ok(await uploadSessions.beginComplete(key, 'holder', Date.now(), 60_000));
    const waiting = ostA().json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(await uploadSessions.finishComplete(key, 'holder', 'https://example.test/the-holders-url'));
    const answer = await waiting;
    assert.equal(answer.code, 0, JSON.stringify(answer));
    assert.equal(answer.data!.url, 'https://example.test/the-holders-url');
  });
});

describe("storage: another client's names, files and tasks", () => {
  const form = (fields: Parameters<typeof postForm>[1]) => (path: string) => postForm(`${stack.current.url}${path}`, fields);

  it("a name in A's namespace reads like any name outside B's, for info and for writing", async () => {
    const forbidden = { status: 403, body: { message: 'filename must begin with one of your namespaces', msg_code: 0 } };
    const before = await objectStore.head(`${A.namespace}/in/photo.jpg`);
    assert.deepEqual(
      await asUnknown(
        (name) => form({ secret_key: B.secret, filename: name })('/get_file_info'),
        `${A.namespace}/in/photo.jpg`,
        `${A.namespace}/in/nothing.jpg`,
      ),
      forbidden,
    );
    assert.deepEqual(
      await asUnknown(
        (name) => form({ secret_key: B.secret, filename: name, overwrite: '1', filedata: { data: 'b wrote this' } })('/upload'),
        `${A.namespace}/in/photo.jpg`,
        `${A.namespace}/in/nothing.jpg`,
      ),
      forbidden,
    );
    assert.equal((await objectStore.head(`${A.namespace}/in/photo.jpg`))?.etag, before?.etag);
  });

  it("A's download URL as B's source reads like a URL of a file that does not exist", async () => {
    const url = (key: string) => objectStore.downloadUrl(key, 600);
    const answer = await asUnknown(
      async (key) => form({ secret_key: B.secret, filename: `${B.namespace}/copied.jpg`, source: await url(key) })('/upload'),
      `${A.namespace}/in/photo.jpg`,
      `${A.namespace}/in/nothing.jpg`,
    );
    assert.deepEqual(answer, {
      status: 403,
      body: { message: 'source is a Tessera download URL of a file outside your namespaces', msg_code: 0 },
    });
    assert.equal(await objectStore.head(`${B.namespace}/copied.jpg`), undefined);
  });

  it("A's panorama task id reads as a task that does not exist", async () => {
    const submitted = await postForm(`${stack.current.url}/panorama`, {
      secret_key: A.secret,
      filename: `${A.namespace}/pano.png`,
      filedata: { data: solidPng(64, 32), type: 'image/png' },
    });
    const taskId = (submitted.body.message as { task_id: string }).task_id;
    const answer = await asUnknown((id) => form({ secret_key: B.secret, task_id: id })('/panorama'), taskId, newTaskId('t'));
    assert.deepEqual(answer, { status: 400, body: { message: `task ${taskId} does not exist`, msg_code: 0 } });
    assert.equal((await taskStore.get({ clientId: A.id, taskId }))?.state, 'PENDING');
  });
});

describe("ci: another client's jobs, templates and queue", () => {
  let jobId = '';
  let templateId = '';
  before(async () => {
    const job = await ciA().request('POST', '/jobs', { body: jobXml({ bucket: A.bucket, input: 'in/photo.jpg', output: 'out/a.jpg' }) });
    assert.equal(job.status, 200, job.body);
    jobId = tag(job.body, 'JobId')!;
    const template = await ciA().request('POST', '/template', {
      body: '<Request><Tag>PicProcess</Tag><Name>a_thumb</Name><PicProcess><IsPicInfo>false</IsPicInfo><ProcessRule>imageMogr2/thumbnail/10x</ProcessRule></PicProcess></Request>',
    });
    assert.equal(template.status, 200, template.body);
    templateId = tag(template.body, 'TemplateId')!;
  });

  it('a job id: describe lists it as not existing, cancel says no such job, lists never show it', async () => {
    const described = await asUnknown((id) => ciB().request('GET', `/jobs/${id}`), jobId, newTaskId('j'));
    assert.equal(tag(described.body, 'NonExistJobIds'), jobId);
    const cancelled = await asUnknown((id) => ciB().request('PUT', `/jobs/${id}`, { query: { cancel: '' } }), jobId, newTaskId('j'));
    assert.equal(cancelled.status, 404);
    assert.equal(tag(cancelled.body, 'Code'), 'NoSuchJob');
    assert.doesNotMatch((await ciB().request('GET', '/jobs', { query: { tag: 'PicProcess', size: '100' } })).body, new RegExp(jobId));
    assert.equal((await taskStore.get({ clientId: A.id, taskId: jobId }))?.state, 'PENDING');
  });

  it('a template id: update, delete, describe and use all read it as unknown', async () => {
    const body =
      '<Request><Tag>PicProcess</Tag><Name>b_steals</Name><PicProcess><IsPicInfo>false</IsPicInfo><ProcessRule>imageMogr2/thumbnail/20x</ProcessRule></PicProcess></Request>';
    const unknown = newTaskId('t');
    for (const answer of [
      await asUnknown((id) => ciB().request('PUT', `/template/${id}`, { body }), templateId, unknown),
      await asUnknown((id) => ciB().request('DELETE', `/template/${id}`), templateId, unknown),
      await asUnknown(
        (id) =>
          ciB().request('POST', '/jobs', {
            body: jobXml({ bucket: B.bucket }).replace(/<PicProcess>.*<\/PicProcess>/, `<TemplateId>${id}</TemplateId>`),
          }),
        templateId,
        unknown,
      ),
    ]) {
      assert.equal(answer.status, 404, answer.body);
      assert.equal(tag(answer.body, 'Code'), 'NoSuchTemplate');
    }
    const described = await asUnknown((id) => ciB().request('GET', '/template', { query: { ids: id } }), templateId, unknown);
    assert.equal(tag(described.body, 'TotalCount'), '0');
    const kept = await templateStore.get(A.id, templateId);
    assert.deepEqual([kept?.name, kept?.processRule], ['a_thumb', 'imageMogr2/thumbnail/10x']);
  });

  it('a queue id: update says no such queue, describe does not list it', async () => {
    const unknown = `p${randomBytes(16).toString('hex')}`;
    const paused = '<Request><Name>stolen</Name><State>Paused</State></Request>';
    const updated = await asUnknown(
      (id) => ciB().request('PUT', `/picqueue/${id}`, { body: paused }),
      queueIdOf({ clientId: A.id }),
      unknown,
    );
    assert.equal(updated.status, 404);
    assert.equal(tag(updated.body, 'Code'), 'NoSuchQueue');
    const described = await asUnknown(
      (id) => ciB().request('GET', '/picqueue', { query: { queueIds: id } }),
      queueIdOf({ clientId: A.id }),
      unknown,
    );
    assert.equal(tag(described.body, 'TotalCount'), '0');
    assert.equal((await clientRegistry.get(A.id))?.picQueue?.state ?? 'Active', 'Active');
  });

  it("an input object in A's namespace cannot be reached through B's bucket or named through A's", async () => {
    const throughOwn = await ciB().request('POST', '/jobs', {
      body: jobXml({ bucket: B.bucket, input: '../alpha/in/photo.jpg', output: 'out/b.jpg' }),
    });
    assert.equal(throughOwn.status, 400, throughOwn.body);
    const throughTheirs = await ciB().request('POST', '/jobs', {
      body: jobXml({ bucket: A.bucket, input: 'in/photo.jpg', output: 'out/b.jpg' }),
    });
    assert.equal(throughTheirs.status, 403, throughTheirs.body);
    assert.equal(tag(throughTheirs.body, 'Code'), 'AccessDenied');
  });
});

describe('a client id', () => {
  /** Signed by a client id nobody has, and by A's id with the wrong secret: the same answer, after the same AWS calls. */
  async function unknownReadsAsWrongSecret<T>(send: (clientId: string, secret: string) => Promise<T>): Promise<T> {
    const nobody = 'tcnobody000000000001';
    await send(A.id, 'not-the-secret'); // warm A's opened secret, as a running container holds it
    let unknown: T | undefined;
    let wrong: T | undefined;
    const unknownCalls = await sdkCallsDuring(async () => (unknown = await send(nobody, 'not-the-secret')));
    const wrongCalls = await sdkCallsDuring(async () => (wrong = await send(A.id, 'not-the-secret')));
    assert.equal(comparable(unknown, nobody), comparable(wrong, A.id));
    assert.deepEqual(unknownCalls, wrongCalls, 'the same AWS calls for an unknown client id as for a known one');
    return unknown!;
  }

  it('that does not exist is refused as a wrong signature is, in ost, ci and kmp', async () => {
    const ost = await unknownReadsAsWrongSecret((appId, secret) =>
      new OstClient({ endpoint: stack.current.url, appId, secret }).json('/file/mpupload/init', {}),
    );
    assert.equal(ost.code, 10001);
    const ci = await unknownReadsAsWrongSecret((secretId, secretKey) =>
      new CiClient(stack.current.url, secretId, secretKey).request('GET', '/jobs'),
    );
    assert.equal(ci.status, 403);
    assert.equal(tag(ci.body, 'Code'), 'SignatureDoesNotMatch');
    const kmp = await unknownReadsAsWrongSecret((accessKey, secretKey) =>
      new KmpClient(stack.current.url, { accessKey, secretKey }).request('GET', '/v1/workspaces'),
    );
    assert.deepEqual([kmp.status, kmp.body], [401, { error_code: 'KMP.00011001', error_msg: 'the signature does not match' }]);
  });
});
