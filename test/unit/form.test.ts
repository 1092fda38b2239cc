import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseForm } from '../../functions/http/form.ts';

const event = (contentType: string | undefined, body: Buffer | string, options: { base64?: boolean; query?: string } = {}) =>
  ({
    rawQueryString: options.query ?? '',
    headers: contentType ? { 'content-type': contentType } : {},
    body: options.base64 ? Buffer.from(body).toString('base64') : body.toString(),
    isBase64Encoded: Boolean(options.base64),
  }) as unknown as APIGatewayProxyEventV2;

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
    assert.deepEqual(form.files.data?.data, Buffer.from('\u0089PNG'));
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
});
