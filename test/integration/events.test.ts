import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import { signedHeaders } from '../../cli/ost-client.ts';
import { signCos } from '../../functions/core/cos-signature.ts';
import { clientAuth } from '../../functions/services/client-auth.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '../../functions/http/http-handler.ts';
import { ROUTES, routeKey } from '../../functions/routes.ts';
import { useLocalStack } from '../support/local-stack.ts';

const CLIENT_ID = 'tcevents000000000001';
const SECRET = 'events-demo-secret';
/** ost events name this upload id; each flow below puts the id of the session it just opened. */
const PLACEHOLDER = 'up_0000000000000000events';
/** ci events name this job id; the ci flow below puts in the id of the job it just submitted. */
const JOB_PLACEHOLDER = 'j000000000000000000000000000000ee';
const TEMPLATE_PLACEHOLDER = 't000000000000000000000000000000ee';
/** The panorama query event names this task; the storage flow below puts in the task it just created. */
const PANORAMA_TASK_PLACEHOLDER = 't000000000000000000000000000000aa';

// No worker: a submitted job stays Submitted, so the sample cancel event finds it cancellable.
useLocalStack({ demo: { clientId: CLIENT_ID, secret: SECRET, namespace: 'demo' }, worker: false });

const EVENTS_DIR = new URL('../../events/', import.meta.url);
const eventFiles = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'));
const load = (name: string) => JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8')) as HttpEvent;
const context = { awsRequestId: 'events-test', functionName: 'events', getRemainingTimeInMillis: () => 29_000 } as Context;

async function handlerFor(key: string): Promise<HttpHandler> {
  const route = ROUTES.find((entry) => routeKey(entry) === key);
  assert.ok(route, `no route ${key}`);
  return ((await import(`../../functions/${route.handler}`)) as { handler: HttpHandler }).handler;
}

/**
 * Signed events carry the signature of the moment they were written, which the ±300 s window has
 * long left behind: sign them again now, after putting in the live upload id.
 */
function prepare(event: HttpEvent, uploadId?: string): HttpEvent {
  if (!event.headers.authorization) return event;
  if (event.headers.authorization.startsWith('q-sign-algorithm')) return prepareCos(event, uploadId);
  const body = Buffer.from(
    Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8')
      .toString('latin1')
      .replaceAll(PLACEHOLDER, uploadId ?? PLACEHOLDER),
    'latin1',
  );
  const headers = signedHeaders({ endpoint: `https://${event.headers.host}`, appId: CLIENT_ID, secret: SECRET }, event.rawPath, body);
  return {
    ...event,
    headers: { ...event.headers, ...headers, 'content-length': String(body.length) },
    body: body.toString(event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/** COS-signed events: the live job id in the path, and a signature valid now. */
function prepareCos(event: HttpEvent, liveId?: string): HttpEvent {
  const placeholder = [TEMPLATE_PLACEHOLDER, JOB_PLACEHOLDER].find((id) => event.rawPath.includes(id)) ?? '';
  const path = placeholder ? event.rawPath.replace(placeholder, liveId ?? placeholder) : event.rawPath;
  const query = Object.fromEntries(new URLSearchParams(event.rawQueryString));
  const now = Math.floor(Date.now() / 1000);
  const authorization = signCos(
    { method: event.requestContext.http.method, path, query, headers: { host: event.headers.host! } },
    CLIENT_ID,
    SECRET,
    now - 60,
    now + 600,
  );
  return {
    ...event,
    rawPath: path,
    ...(event.pathParameters && placeholder
      ? { pathParameters: Object.fromEntries(Object.keys(event.pathParameters).map((name) => [name, liveId ?? placeholder])) }
      : {}),
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } },
    headers: { ...event.headers, authorization },
  };
}

async function invoke(name: string, uploadId?: string): Promise<{ result: HttpResult; body: Record<string, unknown> }> {
  const event = load(name);
  assert.equal(event.version, '2.0');
  assert.equal(event.requestContext.routeKey, event.routeKey);
  const result = await (await handlerFor(event.routeKey))(prepare(event, uploadId), context);
  assert.equal(result.statusCode, 200, `${name}: ${result.body}`);
  const xml = (result.headers?.['content-type'] ?? '') === 'application/xml' || result.body === '';
  if (!xml) {
    const body = JSON.parse(result.body ?? '{}') as Record<string, unknown>;
    assert.ok(
      body.msg_code === 1 ||
        body.status === 'ok' ||
        body.code === 0 ||
        typeof body.openapi === 'string' ||
        typeof body.access_token === 'string',
      `${name}: ${result.body}`,
    );
    return { result, body };
  }
  assert.doesNotMatch(result.body ?? '', /<Error>/, `${name}: ${result.body}`);
  return { result, body: {} };
}

const uploadIdOf = (body: Record<string, unknown>) => (body.data as { upload_id: string }).upload_id;

describe('events/', () => {
  it('has a sample event for every route', () => {
    const covered = new Set(eventFiles.map((name) => load(name).routeKey));
    for (const route of ROUTES) assert.ok(covered.has(routeKey(route)), `no sample event for ${routeKey(route)}`);
  });

  it('platform and storage events are accepted as they are (upload first)', async () => {
    await invoke('storage.upload.json');
    for (const name of [
      'platform.health.json',
      'platform.openapi.json',
      'storage.get-file-info.get.json',
      'storage.get-file-info.post.json',
    ])
      await invoke(name);
  });

  it('panorama events are accepted: submit a build, then query it (running: msg_code 0)', async () => {
    const handler = await handlerFor('POST /panorama');
    const submitted = await handler(load('storage.panorama.json'), context);
    assert.equal(submitted.statusCode, 200, submitted.body);
    const taskId = (JSON.parse(submitted.body ?? '{}') as { message: { task_id: string } }).message.task_id;
    const query = load('storage.panorama.query.json');
    const answer = await handler({ ...query, body: query.body?.replace(PANORAMA_TASK_PLACEHOLDER, taskId) }, context);
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body ?? '{}'), { message: { task_id: taskId, state: 'PENDING', progress: 0 }, msg_code: 0 });
  });

  it('ost events are accepted: simple upload; init, proxied slice, complete; init, presign, cancel', async () => {
    await invoke('ost.file-upload.json');
    const proxied = uploadIdOf((await invoke('ost.mpupload-init.json')).body);
    await invoke('ost.mpupload-upload.json', proxied);
    const { body } = await invoke('ost.mpupload-complete.json', proxied);
    assert.match((body.data as { url: string }).url, /^http/);
    const presigned = uploadIdOf((await invoke('ost.mpupload-init.json')).body);
    await invoke('ost.mpupload-presign.json', presigned);
    await invoke('ost.mpupload-cancel.json', presigned);
  });

  it('ci events are accepted: submit a job, list, describe it, cancel it', async () => {
    await invoke('storage.upload.json');
    const created = await invoke('ci.create-job.json');
    const jobId = /<JobId>([^<]+)<\/JobId>/.exec(created.result.body ?? '')?.[1];
    assert.ok(jobId, created.result.body);
    assert.match((await invoke('ci.list-jobs.json')).result.body ?? '', new RegExp(jobId));
    assert.match((await invoke('ci.describe-jobs.json', jobId)).result.body ?? '', /<State>Submitted<\/State>/);
    await invoke('ci.cancel-job.json', jobId);
  });

  it('ci template events are accepted: create, describe, update, delete', async () => {
    const created = await invoke('ci.create-template.json');
    const templateId = /<TemplateId>([^<]+)<\/TemplateId>/.exec(created.result.body ?? '')?.[1];
    assert.ok(templateId, created.result.body);
    assert.match((await invoke('ci.describe-templates.json')).result.body ?? '', new RegExp(templateId));
    assert.match((await invoke('ci.update-template.json', templateId)).result.body ?? '', /<Name>sample_rotate_180<\/Name>/);
    await invoke('ci.delete-template.json', templateId);
  });

  it("ci queue events are accepted: describe, update by PUT and by POST (the id is the demo client's own)", async () => {
    assert.match((await invoke('ci.describe-queues.json')).result.body ?? '', /<QueueList>/);
    assert.match((await invoke('ci.update-queue.json')).result.body ?? '', /<Name>My-Queue-pic<\/Name>/);
    assert.match((await invoke('ci.update-queue.post.json')).result.body ?? '', /<State>Active<\/State>/);
  });

  it('the auth event is accepted: a client-credentials token that authenticates the demo client', async () => {
    const { result, body } = await invoke('auth.token.json');
    assert.equal(result.headers?.['cache-control'], 'no-store');
    assert.equal(body.token_type, 'Bearer');
    assert.equal((await clientAuth.byAccessToken(String(body.access_token))).clientId, CLIENT_ID);
  });

  it('every event file is exercised above', () => {
    const exercised = [
      'storage.upload.json',
      'platform.health.json',
      'platform.openapi.json',
      'storage.get-file-info.get.json',
      'storage.get-file-info.post.json',
      'storage.panorama.json',
      'storage.panorama.query.json',
      'ost.file-upload.json',
      'ost.mpupload-init.json',
      'ost.mpupload-upload.json',
      'ost.mpupload-complete.json',
      'ost.mpupload-presign.json',
      'ost.mpupload-cancel.json',
      'ci.create-job.json',
      'ci.list-jobs.json',
      'ci.describe-jobs.json',
      'ci.cancel-job.json',
      'ci.create-template.json',
      'ci.describe-templates.json',
      'ci.update-template.json',
      'ci.delete-template.json',
      'ci.describe-queues.json',
      'ci.update-queue.json',
      'ci.update-queue.post.json',
      'auth.token.json',
    ];
    assert.deepEqual([...eventFiles].sort(), [...exercised].sort());
  });
});
