import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Readable } from 'node:stream';
import { attachBodyStream } from '../../functions/http/body-stream.ts';
import { HELD_FILE_BYTES, parseForm, type Spooler } from '../../functions/http/form.ts';

const event = (contentType: string | undefined, body: Buffer | string, options: { base64?: boolean; query?: string } = {}) =>
  ({
    rawQueryString: options.query ?? '',
    headers: contentType ? { 'content-type': contentType } : {},
    body: options.base64 ? Buffer.from(body).toString('base64') : body.toString(),
    isBase64Encoded: Boolean(options.base64),
  }) as unknown as APIGatewayProxyEventV2;

const bytesOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** A streamed multipart body (as the largeBodies server hands it over), sent in 64 KiB pieces on demand. */
function streamedEvent(boundary: string, parts: Array<string | Buffer>, spool?: Spooler) {
  const body = Buffer.concat([
    ...parts.flatMap((part) => [Buffer.from(`--${boundary}\r\n`), Buffer.from(part), Buffer.from('\r\n')]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  let sent = 0;
  const source = new Readable({
    read() {
      this.push(sent < body.length ? body.subarray(sent, (sent += 64 * 1024)) : null);
    },
  });
  const input = event(`multipart/form-data; boundary=${boundary}`, '');
  return { input: attachBodyStream({ ...input, body: undefined }, { body: source, limit: 1 << 30, ...(spool ? { spool } : {}) }) };
}

const filePart = (name: string, data: Buffer) =>
  Buffer.concat([
    Buffer.from(`Content-Disposition: form-data; name="${name}"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    data,
  ]);

const multipartBody = (boundary: string, parts: string[]) =>
  Buffer.from(parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`);

describe('parseForm', () => {
  it('reads multipart fields and files from a base64 body, file part first', async () => {
    const body = multipartBody('b0', [
      'Content-Disposition: form-data; name="data"; filename="1"\r\nContent-Type: image/png\r\n\r\n\u0089PNG',
      'Content-Disposition: form-data; name="slice_id"\r\n\r\n1',
    ]);
    const form = await parseForm(event('multipart/form-data; boundary=b0', body, { base64: true }));
    assert.deepEqual(form.fields, { slice_id: '1' });
    assert.equal(form.files.data?.filename, '1');
    assert.equal(form.files.data?.contentType, 'image/png');
    assert.deepEqual(form.files.data, { kind: 'held', filename: '1', contentType: 'image/png', data: Buffer.from('\u0089PNG') });
  });

  it('reads urlencoded and JSON bodies, and the query string', async () => {
    assert.deepEqual((await parseForm(event('application/x-www-form-urlencoded', 'a=1&b=%C3%A9'))).fields, { a: '1', b: 'é' });
    assert.deepEqual((await parseForm(event('application/json; charset=utf-8', '{"a":"x","n":5,"t":true,"z":null}'))).fields, {
      a: 'x',
      n: '5',
      t: 'true',
    });
    assert.deepEqual((await parseForm(event(undefined, '', { query: 'filename=a%2Fb&x=1' }))).fields, { filename: 'a/b', x: '1' });
    assert.deepEqual((await parseForm(event('application/json', '{"x":"body"}', { query: 'x=query&y=1' }))).fields, { x: 'body', y: '1' });
  });

  it('refuses what it cannot read, with a reason', async () => {
    const cases: Array<[APIGatewayProxyEventV2, RegExp]> = [
      [event('application/json', '{nope'), /^body is not valid JSON$/],
      [event('application/json', '[1]'), /^JSON body must be an object$/],
      [event('application/json', '{"a":{"b":1}}'), /^field a must be a string or a number$/],
      [event('text/plain', 'hi'), /^unsupported content type "text\/plain"/],
      [event(undefined, 'hi'), /^unsupported content type "none"/],
      [event('multipart/form-data', 'x'), /^malformed multipart body: /],
      [event('application/x-www-form-urlencoded', 'a=1&a=2'), /^field a is given more than once$/],
      [
        event(
          'multipart/form-data; boundary=q',
          multipartBody('q', ['Content-Disposition: form-data; name="f"\r\n\r\n' + 'x'.repeat(70_000)]),
        ),
        /longer than 65536 bytes/,
      ],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(parseForm(input), (error: Error) => {
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('holds a file up to HELD_FILE_BYTES, fields before or after it', async () => {
    const data = Buffer.alloc(HELD_FILE_BYTES, 7);
    const { input } = streamedEvent('s1', [filePart('data', data), 'Content-Disposition: form-data; name="slice_id"\r\n\r\n3']);
    const form = await parseForm(input);
    assert.deepEqual(form.fields, { slice_id: '3' });
    assert.equal(form.files.data?.kind, 'held');
    assert.ok(form.files.data?.kind === 'held' && form.files.data.data.equals(data));
  });

  it('spools a larger file as it arrives, whatever comes after it, and keeps none of it', async () => {
    const data = Buffer.alloc(3 * HELD_FILE_BYTES, 1);
    data.writeUInt32BE(0xdeadbeef, data.length - 4);
    const spooled: Buffer[] = [];
    const spool: Spooler = async (content) => {
      spooled.push(await bytesOf(content));
      return { key: '_staging/requests/r1/1', size: spooled[0]!.length };
    };
    const sent = streamedEvent('s2', [filePart('data', data), 'Content-Disposition: form-data; name="upload_id"\r\n\r\nu1'], spool);
    const form = await parseForm(sent.input);
    assert.deepEqual(form.fields, { upload_id: 'u1' });
    assert.deepEqual(form.files.data, {
      kind: 'spooled',
      filename: 'big.bin',
      contentType: 'application/octet-stream',
      key: '_staging/requests/r1/1',
      size: data.length,
    });
    assert.ok(spooled[0]!.equals(data));
  });

  it('refuses the body, and fails the spool, when a later part is bad', async () => {
    let spoolError: unknown;
    const spool: Spooler = async (content) => {
      await bytesOf(content).catch((error: unknown) => (spoolError = error));
      return { key: 'k', size: 0 };
    };
    const sent = streamedEvent(
      's3',
      [filePart('data', Buffer.alloc(HELD_FILE_BYTES + 1)), 'Content-Disposition: form-data; name="f"\r\n\r\n' + 'x'.repeat(70_000)],
      spool,
    );
    await assert.rejects(parseForm(sent.input), /longer than 65536 bytes/);
    assert.match(String(spoolError), /longer than 65536 bytes/);
  });
});
