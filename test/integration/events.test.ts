import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import sharp from 'sharp';
import { signedHeaders } from '../../cli/ost-client.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { signCos } from '../../functions/core/cos-signature.ts';
import { formatSdkDate, HUAWEI_ALGORITHM, huaweiSignature, parseHuaweiAuthorization } from '../../functions/core/huawei-signature.ts';
import { clientAuth } from '../../functions/services/client-auth.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '../../functions/http/http-handler.ts';
import { ROUTES, routeKey } from '../../functions/routes.ts';
import { processTaskMessage } from '../support/lambdas.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

const CLIENT_ID = 'tcevents000000000001';
const SECRET = 'events-demo-secret';
/** ost events name this upload id; each flow below puts the id of the session it just opened. */
const PLACEHOLDER = 'up_0000000000000000events';
/** ci events name this job id; the ci flow below puts in the id of the job it just submitted. */
const JOB_PLACEHOLDER = 'j000000000000000000000000000000ee';
const TEMPLATE_PLACEHOLDER = 't000000000000000000000000000000ee';
/** The panorama query event names this task; the storage flow below puts in the task it just created. */
const PANORAMA_TASK_PLACEHOLDER = 't000000000000000000000000000000aa';
/** kmp events name these; each kmp flow below puts in the workspace, task and subtask it just created. */
const KMP_PLACEHOLDERS = {
  workspaceId: '000000000000000000000000000000dd',
  taskId: 'j000000000000000000000000000000cc',
  subtaskId: '000000000000000000000000000000bb',
} as const;
type KmpIds = Partial<Record<keyof typeof KMP_PLACEHOLDERS, string>>;
/** What kmp.create-task.json works on, and where it writes. */
const KMP_TASK_INPUT = 'demo/events/kmp/input.jpg';
const KMP_TASK_OUTPUT = 'demo/events/kmp/output.jpg';

// No worker: a submitted job stays Submitted, so the sample cancel event finds it cancellable; the
// kmp flows run the worker's own message handler when they need a task to finish.
const stack = useLocalStack({ demo: { clientId: CLIENT_ID, secret: SECRET, namespace: 'demo' }, worker: false });

const EVENTS_DIR = new URL('../../events/', import.meta.url);
/** vision events carry this in place of an oauth_token; the vision flow below puts in a live access token. */
const VISION_TOKEN_PLACEHOLDER = 'VISION_EVENTS_TOKEN';
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

/**
 * SDK-HMAC-SHA256 events: the live ids wherever a placeholder stands (path, path parameters, query,
 * body), then signed again, over the headers the event lists as signed, with X-Sdk-Date now.
 */
function prepareKmp(event: HttpEvent, ids: KmpIds): HttpEvent {
  let text = JSON.stringify(event);
  for (const [name, placeholder] of Object.entries(KMP_PLACEHOLDERS))
    text = text.replaceAll(placeholder, ids[name as keyof KmpIds] ?? placeholder);
  const live = JSON.parse(text) as HttpEvent;
  const headers = { ...live.headers, 'x-sdk-date': formatSdkDate(Date.now()) };
  const { signedHeaders: signed } = parseHuaweiAuthorization(live.headers.authorization);
  const signature = huaweiSignature(
    {
      method: live.requestContext.http.method,
      path: live.rawPath,
      query: live.rawQueryString,
      headers,
      body: Buffer.from(live.body ?? ''),
    },
    signed,
    SECRET,
  );
  return {
    ...live,
    headers: {
      ...headers,
      authorization: `${HUAWEI_ALGORITHM} Access=${CLIENT_ID}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
    },
  };
}

/** Runs a sample event, prepared as a client would send it now, through its route's handler: it must answer 200. */
async function respond(name: string, prepared: (event: HttpEvent) => HttpEvent): Promise<HttpResult> {
  const event = load(name);
  assert.equal(event.version, '2.0');
  assert.equal(event.requestContext.routeKey, event.routeKey);
  const result = await (await handlerFor(event.routeKey))(prepared(event), context);
  assert.equal(result.statusCode, 200, `${name}: ${result.body}`);
  return result;
}

async function invoke(name: string, uploadId?: string): Promise<{ result: HttpResult; body: Record<string, unknown> }> {
  const result = await respond(name, (event) => prepare(event, uploadId));
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

/** kmp answers KooMap's DTOs bare (no envelope), or the JSON literal `true` for actions. */
async function invokeKmp<T>(name: string, ids: KmpIds = {}): Promise<T> {
  const result = await respond(name, (event) => prepareKmp(event, ids));
  assert.match(result.headers?.['content-type'] as string, /^application\/json/);
  return JSON.parse(result.body ?? '') as T;
}

interface KmpPage {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
}
interface KmpWorkspace {
  readonly workspace_id: string;
  readonly workspace_name: string;
  readonly workspace_description: string;
  readonly star: number;
  readonly can_delete: boolean;
}
interface KmpTask {
  readonly task_id: string;
  readonly task_name: string;
  readonly task_type: string;
  readonly workspace_id: string;
  readonly task_status: string;
  readonly task_progress: string;
  readonly process_rule: string;
}
interface KmpSubtask {
  readonly subtask_id: string;
  readonly task_id: string;
  readonly subtask_name: string;
  readonly subtask_status: string;
  readonly model_path: string;
}

/** Uploads a JPEG as a client does, through /upload: a task's input, or a subtask's to its model_path. */
async function uploadImage(key: string): Promise<void> {
  const { body } = await postForm(`${stack.current.url}/upload`, {
    secret_key: SECRET,
    filename: key,
    overwrite: '1',
    filedata: { data: await gradientJpeg(320, 240), filename: 'input.jpg', type: 'image/jpeg' },
  });
  assert.equal(body.msg_code, 1, JSON.stringify(body));
}

/** The stack runs no worker: a flow that needs a task finished hands its queued message to the worker's own handler. */
const runQueued = (taskId: string) => processTaskMessage({ clientId: CLIENT_ID, taskId });

async function openWorkspace(): Promise<string> {
  const workspace = await invokeKmp<KmpWorkspace>('kmp.create-workspace.json');
  assert.match(workspace.workspace_id, /^[0-9a-f]{32}$/);
  assert.equal(workspace.workspace_name, 'events_demo');
  assert.equal(workspace.star, 0);
  assert.equal(workspace.can_delete, true);
  return workspace.workspace_id;
}

/** Renames the emptied workspace and deletes it, so the next flow can create it again under the same name. */
async function closeWorkspace(workspaceId: string): Promise<void> {
  const renamed = await invokeKmp<KmpWorkspace>('kmp.update-workspace.json', { workspaceId });
  assert.equal(renamed.workspace_id, workspaceId);
  assert.equal(renamed.workspace_name, 'events_demo_renamed');
  assert.equal(renamed.workspace_description, 'Renamed by the sample update event');
  assert.equal(renamed.can_delete, true);
  assert.equal(await invokeKmp('kmp.delete-workspace.json', { workspaceId }), true);
  const listed = await invokeKmp<{ data: KmpWorkspace[] }>('kmp.list-workspaces.json');
  assert.deepEqual(listed.data, []);
}

async function createTask(workspaceId: string): Promise<string> {
  const task = await invokeKmp<KmpTask>('kmp.create-task.json', { workspaceId });
  assert.match(task.task_id, /^j[0-9a-f]{32}$/);
  assert.equal(task.workspace_id, workspaceId);
  assert.equal(task.task_name, 'events_thumbnail');
  assert.equal(task.task_type, 'PICPROCESS');
  assert.equal(task.task_status, 'INIT');
  return task.task_id;
}

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

  it("ci's legacy job events (the paths the Python and Go SDKs send) are accepted: submit, list, describe", async () => {
    await invoke('storage.upload.json');
    const created = await invoke('ci.create-pic-job.json');
    const jobId = /<JobId>([^<]+)<\/JobId>/.exec(created.result.body ?? '')?.[1];
    assert.ok(jobId, created.result.body);
    assert.match((await invoke('ci.list-pic-jobs.json')).result.body ?? '', new RegExp(jobId));
    assert.match((await invoke('ci.describe-pic-jobs.json', jobId)).result.body ?? '', new RegExp(`<JobId>${jobId}</JobId>`));
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

  it('vision events are accepted: set a person from the sample face, recognize it, delete it, truncate the space', async () => {
    const { body } = await invoke('auth.token.json');
    const withToken = (event: HttpEvent): HttpEvent => {
      const rawQueryString = event.rawQueryString.replace(VISION_TOKEN_PLACEHOLDER, String(body.access_token));
      return { ...event, rawQueryString, queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) };
    };
    const answer = async (name: string) => JSON.parse((await respond(name, withToken)).body ?? '') as { body: { objects?: unknown[] } };
    await answer('vision.truncate.json');
    assert.deepEqual((await answer('vision.set.json')).body.objects, [{ status: 0, name: 'file_0' }]);
    assert.match(JSON.stringify((await answer('vision.recognize.json')).body.objects), /"tag":"person1"/);
    assert.deepEqual((await answer('vision.delete.json')).body.objects, [{ status: 0, name: 'file_0' }]);
    assert.match(JSON.stringify((await answer('vision.recognize.json')).body.objects), /"tag":"undefined"/);
    assert.deepEqual((await answer('vision.truncate.json')).body, {});
  });

  it('kmp workspace and task events are accepted: create, list, overview, update, start, stop; run, archive, unarchive, delete; the workspace renamed and deleted', async () => {
    await uploadImage(KMP_TASK_INPUT);
    const workspaceId = await openWorkspace();
    const workspaces = await invokeKmp<{ data: KmpWorkspace[]; page: KmpPage }>('kmp.list-workspaces.json');
    assert.deepEqual(
      workspaces.data.map((workspace) => workspace.workspace_id),
      [workspaceId],
    );
    assert.deepEqual(workspaces.page, { offset: 0, limit: 10, total: 1 });

    const taskId = await createTask(workspaceId);
    const ids = { workspaceId, taskId };
    const listed = await invokeKmp<{ tasks: KmpTask[]; page: KmpPage }>('kmp.list-tasks.json', ids);
    assert.deepEqual(
      listed.tasks.map((task) => [task.task_id, task.task_status]),
      [[taskId, 'INIT']],
    );
    assert.deepEqual(listed.page, { offset: 0, limit: 10, total: 1 });
    const overview = (counts: { running: number; success: number; archived: number }) => ({
      workspace_id: workspaceId,
      total_count: 1,
      running_count: counts.running,
      success_count: counts.success,
      failed_count: 0,
      archived_count: counts.archived,
    });
    assert.deepEqual(await invokeKmp('kmp.task-overview.json', ids), overview({ running: 0, success: 0, archived: 0 }));

    const updated = await invokeKmp<KmpTask>('kmp.update-task.json', ids);
    assert.deepEqual([updated.task_name, updated.process_rule, updated.task_status], ['events_rotate', 'imageMogr2/rotate/90', 'INIT']);
    assert.equal((await invokeKmp<KmpTask>('kmp.start-task.json', ids)).task_status, 'PENDING');
    assert.deepEqual(await invokeKmp('kmp.task-overview.json', ids), overview({ running: 1, success: 0, archived: 0 }));
    assert.equal(await invokeKmp('kmp.stop-task.json', ids), true);
    // Stopped while still queued, the task is INIT again: it can start again, and this time it runs.
    assert.equal((await invokeKmp<KmpTask>('kmp.start-task.json', ids)).task_status, 'PENDING');
    await runQueued(taskId);
    assert.deepEqual(await invokeKmp('kmp.task-overview.json', ids), overview({ running: 0, success: 1, archived: 0 }));
    // The updated rule is the one that ran: the 320×240 input rotated.
    const { width, height } = await sharp(await objectStore.read(KMP_TASK_OUTPUT)).metadata();
    assert.deepEqual([width, height], [240, 320]);

    const archived = await invokeKmp<KmpTask>('kmp.archive-task.json', ids);
    assert.deepEqual([archived.task_status, archived.task_progress], ['ARCHIVED', '1.00']);
    assert.deepEqual(await invokeKmp('kmp.task-overview.json', ids), overview({ running: 0, success: 0, archived: 1 }));
    assert.equal((await invokeKmp<KmpTask>('kmp.archive-task.unarchive.json', ids)).task_status, 'SUCCESS');
    assert.equal(await invokeKmp('kmp.delete-task.json', ids), true);
    assert.deepEqual(await invokeKmp('kmp.list-tasks.json', ids), { tasks: [], page: { offset: 0, limit: 10, total: 0 } });
    await closeWorkspace(workspaceId);
  });

  it('kmp subtask events are accepted: create, list, mark uploading, upload, mark uploaded, start, stop, delete', async () => {
    const workspaceId = await openWorkspace();
    const taskId = await createTask(workspaceId);

    const created = await invokeKmp<KmpSubtask>('kmp.create-subtask.json', { workspaceId, taskId });
    const subtaskId = created.subtask_id;
    assert.match(subtaskId, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      [created.task_id, created.subtask_name, created.subtask_status, created.model_path],
      [taskId, 'events_subtask', 'INIT', `demo/kmp/${taskId}/${subtaskId}/input`],
    );
    const ids = { workspaceId, taskId, subtaskId };
    const statuses = async () => {
      const listed = await invokeKmp<{ subtasks: KmpSubtask[]; page: KmpPage }>('kmp.list-subtasks.json', ids);
      assert.equal(listed.page.total, listed.subtasks.length);
      return listed.subtasks.map((subtask) => [subtask.subtask_id, subtask.subtask_status]);
    };
    assert.deepEqual(await statuses(), [[subtaskId, 'INIT']]);

    assert.equal((await invokeKmp<KmpSubtask>('kmp.update-upload-status.json', ids)).subtask_status, 'UPLOADING');
    await uploadImage(created.model_path);
    assert.equal((await invokeKmp<KmpSubtask>('kmp.update-upload-status.success.json', ids)).subtask_status, 'UPLOAD_SUCCESS');
    assert.equal((await invokeKmp<KmpSubtask>('kmp.start-subtask.json', ids)).subtask_status, 'PENDING');
    assert.equal(await invokeKmp('kmp.stop-subtask.json', ids), true);
    // KooMap: a subtask stopped while queued is back to UPLOAD_SUCCESS, its upload still good.
    assert.deepEqual(await statuses(), [[subtaskId, 'UPLOAD_SUCCESS']]);
    assert.equal(await invokeKmp('kmp.delete-subtask.json', ids), true);
    assert.deepEqual(await statuses(), []);

    assert.equal(await invokeKmp('kmp.delete-task.json', ids), true);
    await closeWorkspace(workspaceId);
  });

  it('kmp-control events are accepted: list, overview, start, stop; run, archive, unarchive, delete', async () => {
    await uploadImage(KMP_TASK_INPUT);
    const workspaceId = await openWorkspace();
    const taskId = await createTask(workspaceId);
    const ids = { workspaceId, taskId };

    const listed = await invokeKmp<{ page: KmpPage; data: KmpTask[]; taskNumVo: Record<string, number> }>('kmp.control-list.json', ids);
    assert.deepEqual(
      listed.data.map((task) => [task.task_id, task.workspace_id, task.task_status]),
      [[taskId, workspaceId, 'INIT']],
    );
    assert.deepEqual(listed.page, { offset: 0, limit: 10, total: 1 });
    assert.deepEqual(listed.taskNumVo, { totalNum: 1, failedNum: 0, archivedNum: 0, successNum: 0, runningNum: 0 });
    assert.deepEqual(await invokeKmp('kmp.control-overview.json', ids), { total: 1, finished: 0, unfinished: 0 });

    assert.equal(await invokeKmp('kmp.control-start.json', ids), true);
    assert.equal(await invokeKmp('kmp.control-stop.json', ids), true);
    assert.deepEqual(
      (await invokeKmp<{ data: KmpTask[] }>('kmp.control-list.json', ids)).data.map((task) => task.task_status),
      ['INIT'],
    );
    assert.equal(await invokeKmp('kmp.control-start.json', ids), true);
    await runQueued(taskId);
    assert.deepEqual(await invokeKmp('kmp.control-overview.json', ids), { total: 1, finished: 1, unfinished: 0 });

    assert.equal(await invokeKmp('kmp.control-archive.json', ids), true);
    // Archived tasks leave the list, but not its counts.
    const afterArchive = await invokeKmp<{ page: KmpPage; data: KmpTask[]; taskNumVo: Record<string, number> }>(
      'kmp.control-list.json',
      ids,
    );
    assert.deepEqual([afterArchive.data, afterArchive.page.total, afterArchive.taskNumVo.archivedNum], [[], 0, 1]);
    assert.equal(await invokeKmp('kmp.control-archive.unarchive.json', ids), true);
    assert.equal(await invokeKmp('kmp.control-delete.json', ids), true);
    assert.deepEqual(await invokeKmp('kmp.control-overview.json', ids), { total: 0, finished: 0, unfinished: 0 });
    await closeWorkspace(workspaceId);
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
      'ci.create-pic-job.json',
      'ci.list-pic-jobs.json',
      'ci.describe-pic-jobs.json',
      'ci.create-template.json',
      'ci.describe-templates.json',
      'ci.update-template.json',
      'ci.delete-template.json',
      'ci.describe-queues.json',
      'ci.update-queue.json',
      'ci.update-queue.post.json',
      'auth.token.json',
      'vision.set.json',
      'vision.recognize.json',
      'vision.delete.json',
      'vision.truncate.json',
      'kmp.create-workspace.json',
      'kmp.list-workspaces.json',
      'kmp.update-workspace.json',
      'kmp.delete-workspace.json',
      'kmp.create-task.json',
      'kmp.list-tasks.json',
      'kmp.task-overview.json',
      'kmp.update-task.json',
      'kmp.start-task.json',
      'kmp.stop-task.json',
      'kmp.archive-task.json',
      'kmp.archive-task.unarchive.json',
      'kmp.delete-task.json',
      'kmp.create-subtask.json',
      'kmp.list-subtasks.json',
      'kmp.update-upload-status.json',
      'kmp.update-upload-status.success.json',
      'kmp.start-subtask.json',
      'kmp.stop-subtask.json',
      'kmp.delete-subtask.json',
      'kmp.control-list.json',
      'kmp.control-overview.json',
      'kmp.control-start.json',
      'kmp.control-stop.json',
      'kmp.control-archive.json',
      'kmp.control-archive.unarchive.json',
      'kmp.control-delete.json',
    ];
    assert.deepEqual([...eventFiles].sort(), [...exercised].sort());
  });
});
