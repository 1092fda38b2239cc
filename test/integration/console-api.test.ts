import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { tag } from '../support/ci.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';

/**
 * What the web console needs of the API (docs/console.md): an access token accepted in place of
 * the secret by the ost, storage and ci dialects (X-Auth-Token), CORS for the console's origin
 * only, and S3 answering a browser's presigned PUT as the deployed bucket's CORS rule does.
 */
const CONSOLE = 'http://console.test:3002';
const SECRET = 'console-api-secret';
const stack = useLocalStack({ consoleOrigin: CONSOLE, demo: { secret: SECRET } });

const token = () => accessTokenOf(stack.current.url, stack.current.demo!.clientId, SECRET);
const ostInit = (headers: Record<string, string>, appId: string) =>
  fetch(`${stack.current.url}/file/mpupload/init`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ app_id: appId, request_id: 'r1', file_name: 'a.bin' }),
  });

describe('X-Auth-Token in place of the secret', () => {
  it('opens an ost session for the token’s client, and refuses another app_id or a bad token', async () => {
    const clientId = stack.current.demo!.clientId;
    const accessToken = await token();
    const ok = await ostInit({ 'x-auth-token': accessToken }, clientId);
    const body = (await ok.json()) as { code: number; data: { upload_id: string } };
    assert.equal(ok.status, 200, JSON.stringify(body));
    assert.equal(body.code, 0);
    assert.match(body.data.upload_id, /^up_[0-9a-f]{24}$/);

    const other = await ostInit({ 'x-auth-token': accessToken }, 'tsomeoneelse0000000');
    assert.equal(other.status, 403);
    assert.equal(((await other.json()) as { code: number }).code, 10001);

    const forged = await ostInit({ 'x-auth-token': `${accessToken.slice(0, -4)}AAAA` }, clientId);
    assert.equal(forged.status, 401);
  });

  it('describes a stored file through storage, which still asks for secret_key without a token', async () => {
    await postForm(`${stack.current.url}/upload`, { secret_key: SECRET, filename: 'demo/t.txt', filedata: { data: 'hello' } });
    const answer = await fetch(`${stack.current.url}/get_file_info`, {
      method: 'POST',
      headers: { 'x-auth-token': await token() },
      body: new URLSearchParams({ filename: 'demo/t.txt' }),
    });
    const body = (await answer.json()) as { msg_code: number; message: { size: number } };
    assert.equal(body.msg_code, 1, JSON.stringify(body));
    assert.equal(body.message.size, 5);
    const without = await postForm(`${stack.current.url}/get_file_info`, { filename: 'demo/t.txt' });
    assert.deepEqual(without.body, { message: 'secret_key is required', msg_code: 0 });
  });

  it('lists ci jobs with a token, answered in JSON when asked', async () => {
    const answer = await fetch(`${stack.current.url}/jobs?tag=PicProcess`, {
      headers: { 'x-auth-token': await token(), accept: 'application/json' },
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.ok('Response' in ((await answer.json()) as object));
  });
});

describe('CORS', () => {
  const preflight = (path: string, origin: string) =>
    fetch(`${stack.current.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-auth-token, content-type' },
    });

  it("answers the console's preflights, on Lambda routes and largeBodies routes alike", async () => {
    for (const path of ['/v1/workspaces', '/file/mpupload/init', '/upload', '/panorama']) {
      const answer = await preflight(path, CONSOLE);
      assert.equal(answer.status, 204, path);
      assert.equal(answer.headers.get('access-control-allow-origin'), CONSOLE, path);
      assert.match(answer.headers.get('access-control-allow-headers') ?? '', /x-auth-token/);
    }
    const real = await fetch(`${stack.current.url}/health`, { headers: { origin: CONSOLE } });
    assert.equal(real.headers.get('access-control-allow-origin'), CONSOLE);
    assert.match(real.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
  });

  it('allows no other origin', async () => {
    const answer = await preflight('/v1/workspaces', 'https://elsewhere.example');
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
    const real = await fetch(`${stack.current.url}/health`, { headers: { origin: 'https://elsewhere.example' } });
    assert.equal(real.headers.get('access-control-allow-origin'), null);
  });

  it("lets a browser PUT a presigned slice to S3 and read its ETag, as the bucket's CORS rule does", async () => {
    const s3 = process.env.AWS_ENDPOINT_URL_S3!;
    const answer = await fetch(`${s3}/tessera-local/x`, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE, 'access-control-request-method': 'PUT' },
    });
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.match(answer.headers.get('access-control-allow-methods') ?? '', /PUT/);
    const put = await fetch(`${s3}/tessera-local/cors-probe.txt`, { method: 'PUT', headers: { origin: CONSOLE }, body: 'x' });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get('access-control-expose-headers'), 'ETag');
    assert.ok(put.headers.get('etag'));
  });
});

describe('a kmp PICPROCESS task with callback_url (the console’s callback field)', () => {
  it('is told when the job ends, signed as ci signs its callbacks', async () => {
    const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.end('ok');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    try {
      const photo = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#224466' } })
        .jpeg()
        .toBuffer();
      await postForm(`${stack.current.url}/upload`, {
        secret_key: SECRET,
        filename: 'demo/cb.jpg',
        filedata: { data: photo },
        overwrite: '1',
      });
      const headers = { 'x-auth-token': await token(), 'content-type': 'application/json' };
      const workspaces = (await (await fetch(`${stack.current.url}/v1/workspaces`, { headers })).json()) as {
        data: Array<{ workspace_id: string }>;
      };
      const tasks = `${stack.current.url}/v1/real3d/${workspaces.data[0]!.workspace_id}/tasks`;
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const made = await fetch(tasks, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          task_name: 'with_callback',
          task_type: 'PICPROCESS',
          input_object: 'demo/cb.jpg',
          output_object: 'demo/cb-small.jpg',
          process_rule: 'imageMogr2/thumbnail/50x',
          callback_url: hook,
        }),
      });
      const task = (await made.json()) as { task_id: string; callback_url: string; callback_format: string };
      assert.equal(made.status, 200, JSON.stringify(task));
      assert.deepEqual([task.callback_url, task.callback_format], [hook, 'JSON']);
      const bad = await fetch(tasks, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...task, task_name: 'bad_callback', task_type: 'PICPROCESS', callback_url: 'not a url' }),
      });
      assert.equal(bad.status, 400);
      await fetch(`${tasks}/${task.task_id}/start`, { method: 'POST', headers, body: '{}' });
      const until = Date.now() + 30_000;
      while (received.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(received.length, 1);
      const [delivery] = received;
      const key = createHmac('sha256', SECRET).update('tessera-callback-v1').digest('base64url');
      const timestamp = String(delivery!.headers['x-tessera-timestamp']);
      assert.equal(
        delivery!.headers['x-tessera-signature'],
        `v1=${createHmac('sha256', key).update(`${timestamp}.${delivery!.body}`).digest('hex')}`,
      );
      const payload = JSON.parse(delivery!.body) as { EventName: string; JobsDetail: { JobId: string; State: string } };
      assert.deepEqual([payload.EventName, payload.JobsDetail.JobId, payload.JobsDetail.State], ['TaskFinish', task.task_id, 'Success']);
    } finally {
      receiver.close();
    }
  });
});

describe('bad input through the console’s ways in: each dialect’s own envelope, nothing changed', () => {
  const OTHER = { id: 'tcconsoleother00001', secret: 'console-other-secret', namespace: 'other' };
  const forgedToken = async () => `${(await token()).slice(0, -4)}AAAA`;
  const uploadForm = () => {
    const form = new FormData();
    form.append('filename', 'demo/forged.txt');
    form.append('filedata', new Blob(['x']), 'forged.txt');
    return form;
  };
  const jobsListed = async () =>
    (await (await fetch(`${stack.current.url}/jobs?tag=PicProcess&size=100`, { headers: { 'x-auth-token': await token() } })).text()).split(
      '<JobsDetail>',
    ).length - 1;

  it('a forged token is refused by storage, ci and ost in their own envelopes, and nothing is stored or queued', async () => {
    const forged = await forgedToken();
    const stored = await fetch(`${stack.current.url}/upload`, { method: 'POST', headers: { 'x-auth-token': forged }, body: uploadForm() });
    assert.equal(stored.status, 401);
    assert.deepEqual(await stored.json(), { message: 'access token is not valid', msg_code: 0 });
    const info = await postForm(`${stack.current.url}/get_file_info`, { secret_key: SECRET, filename: 'demo/forged.txt' });
    assert.deepEqual(info.body, { message: 'file demo/forged.txt does not exist', msg_code: 0 });

    const jobsBefore = await jobsListed();
    const job = await fetch(`${stack.current.url}/jobs`, {
      method: 'POST',
      headers: { 'x-auth-token': forged, 'content-type': 'application/xml' },
      body: '<Request><Tag>PicProcess</Tag><Input><Object>t.txt</Object></Input></Request>',
    });
    const error = await job.text();
    assert.equal(job.status, 401);
    assert.deepEqual([tag(error, 'Code'), tag(error, 'Message')], ['InvalidAuthorization', 'access token is not valid']);
    assert.equal(await jobsListed(), jobsBefore);

    const ost = await ostInit({ 'x-auth-token': forged }, stack.current.demo!.clientId);
    assert.equal(ost.status, 401);
    const ostBody = (await ost.json()) as { code: number; message: string };
    assert.deepEqual([ostBody.code, ostBody.message], [10001, 'access token is not valid']);
  });

  it("another client's token learns nothing of this client's files: a stored one answers exactly like a missing one", async () => {
    await clientRegistry.create({ clientId: OTHER.id, name: 'other', namespaces: [OTHER.namespace], secret: OTHER.secret });
    const otherToken = await accessTokenOf(stack.current.url, OTHER.id, OTHER.secret);
    await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'demo/mine.txt',
      filedata: { data: 'mine' },
      overwrite: '1',
    });
    const ask = async (filename: string) => {
      const answer = await fetch(`${stack.current.url}/get_file_info`, {
        method: 'POST',
        headers: { 'x-auth-token': otherToken },
        body: new URLSearchParams({ filename }),
      });
      return [answer.status, await answer.json()];
    };
    const [stored, missing] = [await ask('demo/mine.txt'), await ask('demo/never-stored.txt')];
    assert.deepEqual(stored, missing);
    assert.equal((stored[1] as { msg_code: number }).msg_code, 0);
  });

  it('a PICPROCESS task with a bad callback_url or callback_format is refused in kmp’s envelope and not created', async () => {
    const headers = { 'x-auth-token': await token(), 'content-type': 'application/json' };
    const workspaces = (await (await fetch(`${stack.current.url}/v1/workspaces`, { headers })).json()) as {
      data: Array<{ workspace_id: string }>;
    };
    const tasks = `${stack.current.url}/v1/real3d/${workspaces.data[0]!.workspace_id}/tasks`;
    const task = {
      task_type: 'PICPROCESS',
      input_object: 'demo/t.txt',
      output_object: 'demo/t-out.jpg',
      process_rule: 'imageMogr2/thumbnail/50x',
    };
    for (const [name, extra] of [
      ['bad_callback_url', { callback_url: 'not a url' }],
      ['private_callback_url', { callback_url: 'http://169.254.169.254/latest/meta-data' }],
      ['bad_callback_format', { callback_url: 'https://example.com/hook', callback_format: 'YAML' }],
    ] as const) {
      const answer = await fetch(tasks, { method: 'POST', headers, body: JSON.stringify({ ...task, task_name: name, ...extra }) });
      const body = (await answer.json()) as { error_code: string; error_msg: string };
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(body.error_code, /^KMP\./, JSON.stringify(body));
      if (name === 'bad_callback_format') assert.match(body.error_msg, /callback_format must be JSON or XML/);
      const listed = (await (await fetch(`${tasks}?task_name=${name}`, { headers })).json()) as { tasks: unknown[] };
      assert.deepEqual(listed.tasks, [], name);
    }
    // The same filter finds a task that was made, so the empty lists above say something.
    const made = await fetch(tasks, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...task, task_name: 'good_callback', callback_url: 'https://example.com/hook', callback_format: 'XML' }),
    });
    assert.equal(made.status, 200, await made.clone().text());
    const found = (await (await fetch(`${tasks}?task_name=good_callback`, { headers })).json()) as { tasks: unknown[] };
    assert.equal(found.tasks.length, 1);
  });
});
