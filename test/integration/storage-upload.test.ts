import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { postForm, useLocalStack, withBodyLimit } from '../support/local-stack.ts';
import { solidPng } from '../support/images.ts';

const stack = useLocalStack({ demo: { secret: 'storage-test-secret', namespace: 'demo' } });
const SECRET = 'storage-test-secret';
const upload = (fields: Parameters<typeof postForm>[1]) => postForm(`${stack.current.url}/upload`, fields);

const read = async (key: string) => {
  const url = await objectStore.downloadUrl(key, 60);
  return Buffer.from(await (await fetch(url)).arrayBuffer());
};

describe('POST /upload', () => {
  it('stores filedata under filename and answers OK', async () => {
    const png = solidPng(64, 32);
    const result = await upload({ secret_key: SECRET, filename: 'demo/a/red.png', filedata: { data: png, type: 'image/png' } });
    assert.deepEqual(result, { status: 200, body: { message: 'OK', msg_code: 1 } });
    assert.deepEqual(await read('demo/a/red.png'), png);
    assert.equal((await objectStore.head('demo/a/red.png'))?.contentType, 'image/png');
  });

  it('accepts the text fields after the file part, in any order', async () => {
    const form = new FormData();
    form.append('filedata', new Blob(['late fields']), 'x.txt');
    form.append('filename', 'demo/order.txt');
    form.append('secret_key', SECRET);
    const response = await fetch(`${stack.current.url}/upload`, { method: 'POST', body: form });
    assert.equal(response.status, 200);
    assert.equal((await read('demo/order.txt')).toString(), 'late fields');
  });

  it('never replaces an existing file when overwrite is 0 or absent', async () => {
    await upload({ secret_key: SECRET, filename: 'demo/keep.txt', filedata: { data: 'first' } });
    for (const overwrite of [undefined, '0']) {
      const result = await upload({
        secret_key: SECRET,
        filename: 'demo/keep.txt',
        filedata: { data: 'second' },
        ...(overwrite ? { overwrite } : {}),
      });
      assert.deepEqual(result, { status: 400, body: { message: 'file demo/keep.txt already exists', msg_code: 0 } });
    }
    assert.equal((await read('demo/keep.txt')).toString(), 'first');
  });

  it('replaces an existing file when overwrite is 1', async () => {
    await upload({ secret_key: SECRET, filename: 'demo/replace.txt', filedata: { data: 'old' } });
    const result = await upload({ secret_key: SECRET, filename: 'demo/replace.txt', overwrite: '1', filedata: { data: 'new' } });
    assert.equal(result.status, 200);
    assert.equal((await read('demo/replace.txt')).toString(), 'new');
  });

  it('lets exactly one of many racing overwrite=0 uploads of one name win, and keeps its bytes', async () => {
    const bodies = Array.from({ length: 12 }, (_, index) => `racer ${index} ${randomBytes(8).toString('hex')}`);
    const results = await Promise.all(bodies.map((data) => upload({ secret_key: SECRET, filename: 'demo/race.txt', filedata: { data } })));
    const winners = results.map((result, index) => ({ ...result, index })).filter((result) => result.status === 200);
    assert.equal(winners.length, 1, `expected one winner, got ${winners.length}`);
    for (const loser of results.filter((result) => result.status !== 200)) {
      assert.deepEqual(loser, { status: 400, body: { message: 'file demo/race.txt already exists', msg_code: 0 } });
    }
    assert.equal((await read('demo/race.txt')).toString(), bodies[winners[0]!.index]);
  });

  describe('refuses bad input in the storage envelope and stores nothing', () => {
    const cases: Array<[string, Record<string, string | { data: string }>, number, string]> = [
      ['no secret_key', { filename: 'demo/bad1.txt', filedata: { data: 'x' } }, 401, 'secret_key is required'],
      ['an unknown secret_key', { secret_key: 'nope', filename: 'demo/bad2.txt', filedata: { data: 'x' } }, 401, 'secret_key is not valid'],
      ['no filename', { secret_key: SECRET, filedata: { data: 'x' } }, 400, 'filename is required'],
      ['neither filedata nor source', { secret_key: SECRET, filename: 'demo/bad3.txt' }, 400, 'filedata or source is required'],
      [
        'filedata as a text field',
        { secret_key: SECRET, filename: 'demo/bad4.txt', filedata: 'x' },
        400,
        'filedata must be sent as a file part of a multipart/form-data body',
      ],
      [
        'overwrite=2',
        { secret_key: SECRET, filename: 'demo/bad5.txt', overwrite: '2', filedata: { data: 'x' } },
        400,
        'overwrite must be 0 or 1',
      ],
      [
        'overwrite=yes',
        { secret_key: SECRET, filename: 'demo/bad6.txt', overwrite: 'yes', filedata: { data: 'x' } },
        400,
        'overwrite must be 0 or 1',
      ],
      [
        'a name outside the namespaces',
        { secret_key: SECRET, filename: 'other/bad7.txt', filedata: { data: 'x' } },
        403,
        'filename must begin with one of your namespaces',
      ],
      [
        'the bare namespace prefix',
        { secret_key: SECRET, filename: 'demox/bad8.txt', filedata: { data: 'x' } },
        403,
        'filename must begin with one of your namespaces',
      ],
      [
        'a ".." segment',
        { secret_key: SECRET, filename: 'demo/../other/bad9.txt', filedata: { data: 'x' } },
        400,
        'filename must not contain "." or ".." path segments',
      ],
      [
        'a leading "/"',
        { secret_key: SECRET, filename: '/demo/bad10.txt', filedata: { data: 'x' } },
        400,
        'filename must not start with "/"',
      ],
      [
        'a control character',
        { secret_key: SECRET, filename: 'demo/bad\u0001.txt', filedata: { data: 'x' } },
        400,
        'filename contains control characters',
      ],
      [
        'a name over 1024 bytes',
        { secret_key: SECRET, filename: `demo/${'é'.repeat(511)}`, filedata: { data: 'x' } },
        400,
        'filename is longer than 1024 bytes of UTF-8',
      ],
    ];
    for (const [label, fields, status, message] of cases) {
      it(label, async () => {
        const result = await upload(fields as Parameters<typeof postForm>[1]);
        assert.deepEqual(result, { status, body: { message, msg_code: 0 } });
        if (typeof fields.filename === 'string' && fields.filename.length < 1024) {
          assert.equal(await objectStore.head(fields.filename.replace(/^\//, '')), undefined);
        }
      });
    }

    it('a malformed multipart body', async () => {
      const response = await fetch(`${stack.current.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        body: '--xyz\r\nContent-Disposition: form-data; name="secret_key"\r\n\r\nstorage-test-secret\r\n--xyz\r\nContent-Disposition: form-data; name="filedata"; filename="a"\r\n\r\ntruncated',
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { message: string; msg_code: number };
      assert.equal(body.msg_code, 0);
      assert.match(body.message, /^malformed multipart body: /);
    });

    it('a field sent twice', async () => {
      const form = new FormData();
      form.append('secret_key', SECRET);
      form.append('filename', 'demo/twice-a.txt');
      form.append('filename', 'demo/twice-b.txt');
      form.append('filedata', new Blob(['x']), 'x');
      const response = await fetch(`${stack.current.url}/upload`, { method: 'POST', body: form });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { message: 'field filename is given more than once', msg_code: 0 });
      assert.equal(await objectStore.head('demo/twice-a.txt'), undefined);
      assert.equal(await objectStore.head('demo/twice-b.txt'), undefined);
    });

    it('a name that is not well-formed Unicode, sent as JSON, on /upload and /get_file_info; its name stays free', async () => {
      // "alpha/\ud800x": a lone surrogate, which only JSON's \u escape can carry.
      const body = `{"secret_key":"${SECRET}","filename":"demo/lone\\ud800x.txt","source":"http://example.invalid/x"}`;
      for (const path of ['/upload', '/get_file_info']) {
        const response = await fetch(`${stack.current.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        assert.equal(response.status, 400, path);
        assert.deepEqual(await response.json(), {
          message: 'filename is not well-formed Unicode (it holds a lone surrogate)',
          msg_code: 0,
        });
      }
      const other = `{"secret_key":"${SECRET}","filename":"demo/ok.txt","overwrite":"0","\\udc00":"x"}`;
      const response = await fetch(`${stack.current.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: other,
      });
      assert.deepEqual(await response.json(), {
        message: 'a field name is not well-formed Unicode (it holds a lone surrogate)',
        msg_code: 0,
      });
      assert.equal(await objectStore.head('demo/ok.txt'), undefined);
    });

    it('names with invisible format characters (bidi overrides, zero-width)', async () => {
      for (const filename of ['demo/\u202egnp.exe', 'demo/a\u200bb.png', 'demo/\ufeffbom.txt']) {
        const result = await upload({ secret_key: SECRET, filename, filedata: { data: 'x' } });
        assert.deepEqual(result, {
          status: 400,
          body: { message: 'filename contains invisible format characters (bidi controls, zero-width characters)', msg_code: 0 },
        });
        assert.equal(await objectStore.head(filename), undefined);
      }
    });

    it('an unsupported content type', async () => {
      const response = await fetch(`${stack.current.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'hello',
      });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        message: 'unsupported content type "text/plain": send multipart/form-data, urlencoded or JSON',
        msg_code: 0,
      });
    });

    it('a disabled client', async () => {
      const { client, secret } = await clientRegistry.create({ name: 'soon disabled', namespaces: ['gone'] });
      await clientRegistry.setStatus(client.clientId, 'disabled');
      const result = await upload({ secret_key: secret, filename: 'gone/x.txt', filedata: { data: 'x' } });
      assert.deepEqual(result, { status: 403, body: { message: 'this client is disabled', msg_code: 0 } });
      assert.equal(await objectStore.head('gone/x.txt'), undefined);
    });
  });

  describe('large bodies', () => {
    it('takes a 64 MiB file, streamed into S3 as it arrives, byte-identical', async () => {
      const data = randomBytes(64 * 1024 * 1024);
      const result = await upload({ secret_key: SECRET, filename: 'demo/big.bin', filedata: { data } });
      assert.deepEqual(result, { status: 200, body: { message: 'OK', msg_code: 1 } });
      assert.ok((await read('demo/big.bin')).equals(data));
    });

    it('refuses a body whose declared length is over TESSERA_MAX_BODY_BYTES in its own envelope, storing nothing', async () => {
      const response = await withBodyLimit(1024 * 1024, () =>
        upload({ secret_key: SECRET, filename: 'demo/over.bin', filedata: { data: randomBytes(1024 * 1024) } }),
      );
      // The storage dialect answers every refusal 400 (docs/storage.md).
      assert.equal(response.status, 400);
      assert.equal(response.body.msg_code, 0);
      assert.equal(response.body.message, 'request body is larger than 1048576 bytes (1 MiB), the limit of this route');
      assert.equal(await objectStore.head('demo/over.bin'), undefined);
    });

    it('stops a body sent without a length as it passes the limit, in its own envelope, storing nothing', async () => {
      const form = new FormData();
      form.append('secret_key', SECRET);
      form.append('filename', 'demo/chunked.bin');
      form.append('filedata', new Blob([randomBytes(12 * 1024 * 1024)]), 'chunked.bin');
      const encoded = new Response(form);
      const response = await withBodyLimit(10 * 1024 * 1024, () =>
        fetch(`${stack.current.url}/upload`, {
          method: 'POST',
          headers: { 'content-type': encoded.headers.get('content-type')! },
          body: encoded.body,
          duplex: 'half',
        } as RequestInit),
      );
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        message: 'request body is larger than 10485760 bytes (10 MiB), the limit of this route',
        msg_code: 0,
      });
      assert.equal(await objectStore.head('demo/chunked.bin'), undefined);
    });
  });
});
