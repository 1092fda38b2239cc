import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { solidPng } from '../support/images.ts';

const SECRET = 'file-info-secret';
const stack = useLocalStack({ demo: { secret: SECRET, namespace: 'demo' } });

interface Info {
  filename: string;
  size: number;
  content_type: string;
  etag: string;
  last_modified: string;
  url: string;
  width?: number;
  height?: number;
  format?: string;
}

async function fileInfo(method: 'GET' | 'POST', fields: Record<string, string>) {
  const base = `${stack.current.url}/get_file_info`;
  const response =
    method === 'GET'
      ? await fetch(`${base}?${new URLSearchParams(fields)}`)
      : await fetch(base, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as { message: Info | string; msg_code: number } };
}

describe('GET|POST /get_file_info', () => {
  it('describes an image: size, type, ETag, last modified, a working download URL, dimensions', async () => {
    const png = solidPng(120, 80);
    await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'demo/pics/p.png',
      filedata: { data: png, type: 'image/png' },
    });
    for (const method of ['GET', 'POST'] as const) {
      const { status, body } = await fileInfo(method, { secret_key: SECRET, filename: 'demo/pics/p.png' });
      assert.equal(status, 200);
      assert.equal(body.msg_code, 1);
      const info = body.message as Info;
      const stored = await objectStore.head('demo/pics/p.png');
      assert.equal(info.filename, 'demo/pics/p.png');
      assert.equal(info.size, png.length);
      assert.equal(info.content_type, 'image/png');
      assert.equal(info.etag, stored?.etag);
      assert.equal(info.last_modified, stored?.lastModified.toISOString());
      assert.deepEqual([info.width, info.height, info.format], [120, 80, 'png']);
      assert.deepEqual(Buffer.from(await (await fetch(info.url)).arrayBuffer()), png);
    }
  });

  it('describes a file that is not an image without dimensions', async () => {
    await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'demo/notes.txt',
      filedata: { data: 'plain text', type: 'text/plain' },
    });
    const { body } = await fileInfo('GET', { secret_key: SECRET, filename: 'demo/notes.txt' });
    const info = body.message as Info;
    assert.equal(info.size, 10);
    assert.equal(info.width, undefined);
    assert.equal(info.format, undefined);
  });

  it('reports a missing file in the envelope', async () => {
    assert.deepEqual(await fileInfo('GET', { secret_key: SECRET, filename: 'demo/none.png' }), {
      status: 400,
      body: { message: 'file demo/none.png does not exist', msg_code: 0 },
    });
  });

  it("refuses missing credentials, bad names and other clients' files", async () => {
    assert.deepEqual(await fileInfo('GET', { filename: 'demo/pics/p.png' }), {
      status: 401,
      body: { message: 'secret_key is required', msg_code: 0 },
    });
    assert.deepEqual(await fileInfo('GET', { secret_key: SECRET }), {
      status: 400,
      body: { message: 'filename is required', msg_code: 0 },
    });
    assert.deepEqual(await fileInfo('GET', { secret_key: SECRET, filename: 'demo/../x' }), {
      status: 400,
      body: { message: 'filename must not contain "." or ".." path segments', msg_code: 0 },
    });
    const other = await clientRegistry.create({ name: 'other', namespaces: ['other'] });
    assert.deepEqual(await fileInfo('GET', { secret_key: other.secret, filename: 'demo/pics/p.png' }), {
      status: 403,
      body: { message: 'filename must begin with one of your namespaces', msg_code: 0 },
    });
  });
});

describe('tenant isolation', () => {
  it('keeps each client inside its own namespaces for upload and file info', async () => {
    const alice = await clientRegistry.create({ name: 'alice', namespaces: ['alice'] });
    const bob = await clientRegistry.create({ name: 'bob', namespaces: ['bob', 'shared-bob'] });
    const stored = await postForm(`${stack.current.url}/upload`, {
      secret_key: alice.secret,
      filename: 'alice/private.txt',
      filedata: { data: 'alice only' },
    });
    assert.equal(stored.status, 200);

    const overwrite = await postForm(`${stack.current.url}/upload`, {
      secret_key: bob.secret,
      filename: 'alice/private.txt',
      overwrite: '1',
      filedata: { data: 'bob was here' },
    });
    assert.deepEqual(overwrite, { status: 403, body: { message: 'filename must begin with one of your namespaces', msg_code: 0 } });
    const peek = await fileInfo('GET', { secret_key: bob.secret, filename: 'alice/private.txt' });
    assert.equal(peek.status, 403);
    assert.equal(JSON.stringify(peek.body).includes('alice only'), false);

    const url = await objectStore.downloadUrl('alice/private.txt', 60);
    assert.equal(Buffer.from(await (await fetch(url)).arrayBuffer()).toString(), 'alice only');
  });
});
