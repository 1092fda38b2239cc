import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import {
  type HuaweiRequest,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  formatSdkDate,
  huaweiSignature,
  parseHuaweiAuthorization,
  parseQuery,
  parseSdkDate,
  signHuawei,
  stringToSign,
  verifyHuaweiSignature,
} from '../../functions/core/huawei-signature.ts';

/** reference/kmp-signature-vectors.json (kmp.md §6.3–6.4), copied so that a clean clone has it. */
interface Vector {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string | number | boolean]>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly ak: string;
  readonly sk: string;
  readonly signed_headers: readonly string[];
  readonly canonical_request: string;
  readonly string_to_sign: string;
  readonly signature: string;
  readonly authorization: string;
}
const VECTORS = JSON.parse(readFileSync(new URL('../fixtures/kmp-signature-vectors.json', import.meta.url), 'utf8')) as Vector[];

const requestOf = (vector: Vector): HuaweiRequest => ({
  method: vector.method,
  path: vector.path,
  query: vector.query.map(([key, value]) => [key, String(value)] as const),
  headers: Object.fromEntries(Object.entries(vector.headers).map(([name, value]) => [name.toLowerCase(), value])),
  body: Buffer.from(vector.body, 'utf8'),
});
/** The query as a client puts it on the wire, encoded by the platform rather than by the module. */
const rawQueryOf = (vector: Vector) =>
  vector.query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`).join('&');

const DATE = '20240517T080000Z';
const NOW = Date.UTC(2024, 4, 17, 8, 0, 0);
const MINUTE = 60_000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'exampleSecretKey0123456789abcdefghijklmn';
const request: HuaweiRequest = {
  method: 'POST',
  path: '/v1/real3d/c734a30b6c5f42cfaf49e01eb6903aaa/tasks',
  query: '',
  headers: {
    'content-type': 'application/json',
    host: '127.0.0.1:3000',
    'x-project-id': '0123456789abcdef0123456789abcdef',
    'x-sdk-date': DATE,
  },
  body: Buffer.from('{"task_name": "demo_task_1"}'),
};
const withHeaders = (base: HuaweiRequest, headers: Record<string, string | undefined>): HuaweiRequest => ({
  ...base,
  headers: { ...base.headers, ...headers },
});
const signedBy = (target: HuaweiRequest, secret = SK) => parseHuaweiAuthorization(signHuawei(target, AK, secret));
const refused = (run: () => void, message: string) =>
  assert.throws(run, (error: TesseraError) => error.kind === 'unauthenticated' && error.message === message);

describe('Huawei SDK-HMAC-SHA256 signature', () => {
  it('reproduces every step of all ten reference vectors', () => {
    assert.equal(VECTORS.length, 10);
    for (const vector of VECTORS) {
      const target = requestOf(vector);
      const date = vector.headers['X-Sdk-Date']!;
      const canonical = canonicalRequest(target, vector.signed_headers);
      assert.equal(canonical, vector.canonical_request, vector.name);
      assert.equal(stringToSign(canonical, date), vector.string_to_sign, vector.name);
      assert.equal(huaweiSignature(target, vector.signed_headers, vector.sk), vector.signature, vector.name);
      assert.equal(signHuawei(target, vector.ak, vector.sk), vector.authorization, vector.name);
      const authorization = parseHuaweiAuthorization(vector.authorization);
      assert.deepEqual(authorization, { accessKey: vector.ak, signedHeaders: vector.signed_headers, signature: vector.signature });
      const now = parseSdkDate(date)!;
      assert.deepEqual(verifyHuaweiSignature(target, authorization, vector.sk, now), { payloadSigned: true }, vector.name);
      verifyHuaweiSignature({ ...target, query: rawQueryOf(vector) }, authorization, vector.sk, now);
    }
  });

  it('hashes the canonical request and keys the HMAC with the secret, as §6.2 steps 4–5 say', () => {
    const canonical = canonicalRequest(request, ['content-type', 'host', 'x-project-id', 'x-sdk-date']);
    const text = `SDK-HMAC-SHA256\n${DATE}\n${createHash('sha256').update(canonical).digest('hex')}`;
    assert.equal(stringToSign(canonical, DATE), text);
    assert.equal(
      huaweiSignature(request, ['content-type', 'host', 'x-project-id', 'x-sdk-date'], SK),
      createHmac('sha256', SK).update(text).digest('hex'),
    );
    assert.equal(formatSdkDate(NOW), DATE);
    assert.equal(parseSdkDate(DATE), NOW);
  });

  it('builds the canonical URI: decoded, split, each segment RFC 3986-encoded, ending with /', () => {
    assert.equal(canonicalUri('/v1/real3d/W/tasks'), '/v1/real3d/W/tasks/');
    assert.equal(canonicalUri('/v1/real3d/W/tasks/'), '/v1/real3d/W/tasks/');
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri('/files/a%20b/%E6%96%87%E4%BB%B6'), '/files/a%20b/%E6%96%87%E4%BB%B6/');
    assert.equal(canonicalUri('/files/a b/文件'), '/files/a%20b/%E6%96%87%E4%BB%B6/');
    assert.equal(canonicalUri('/x%7e~/%c3%a9'), '/x~~/%C3%A9/');
    assert.equal(canonicalUri("/a+b/!'()*:@,;=$&"), '/a%2Bb/%21%27%28%29%2A%3A%40%2C%3B%3D%24%26/');
    assert.equal(canonicalUri('/a%2Fb'), '/a/b/');
    assert.equal(canonicalUri('/100%25'), '/100%25/');
    refused(() => canonicalUri('/bad%zz'), 'the request path is not valid percent-encoded UTF-8');
    refused(() => canonicalUri('/bad%FF'), 'the request path is not valid percent-encoded UTF-8');
  });

  it('builds the canonical query: sorted by key then value, repeated keys repeated, + kept, empty values as key=', () => {
    assert.equal(
      canonicalQuery('task_status=RUNNING&limit=10&task_status=INIT&offset=0'),
      'limit=10&offset=0&task_status=INIT&task_status=RUNNING',
    );
    assert.equal(canonicalQuery('b=2&a=3&a=1&c='), 'a=1&a=3&b=2&c=');
    assert.equal(canonicalQuery('flag&x=1'), 'flag=&x=1');
    assert.equal(canonicalQuery('q=a+b&r=a%20b&s=a%2Bb'), 'q=a%2Bb&r=a%20b&s=a%2Bb');
    assert.equal(canonicalQuery('?name=%E6%96%87&k%20ey=v=w'), 'k%20ey=v%3Dw&name=%E6%96%87');
    assert.equal(
      canonicalQuery([
        ['task_name', 'demo task'],
        ['marker', ''],
        ['a', "!'()*~"],
      ]),
      'a=%21%27%28%29%2A~&marker=&task_name=demo%20task',
    );
    assert.equal(canonicalQuery(''), '');
    assert.equal(canonicalQuery([]), '');
    assert.deepEqual(parseQuery('a=1&&b=%2B+&c=x=y'), [
      ['a', '1'],
      ['b', '++'],
      ['c', 'x=y'],
    ]);
    refused(() => canonicalQuery('a=%E6%96'), 'the query string is not valid percent-encoded UTF-8');
    // The Java SDK's order: keys sorted, the values of a repeated key as received.
    assert.equal(canonicalQuery('t=RUNNING&b=1&t=INIT&a=', 'received'), 'a=&b=1&t=RUNNING&t=INIT');
  });

  it('uses X-Sdk-Content-Sha256 verbatim as the payload hash, and says when the body is unsigned', () => {
    const unsigned = withHeaders({ ...request, body: Buffer.from('any bytes') }, { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' });
    const signedHeaders = ['content-type', 'host', 'x-project-id', 'x-sdk-content-sha256', 'x-sdk-date'];
    assert.match(canonicalRequest(unsigned, signedHeaders), /\nx-sdk-content-sha256:UNSIGNED-PAYLOAD\n[^]*\nUNSIGNED-PAYLOAD$/);
    const authorization = signedBy(unsigned);
    assert.deepEqual(authorization.signedHeaders, signedHeaders);
    assert.deepEqual(verifyHuaweiSignature(unsigned, authorization, SK, NOW), { payloadSigned: false });
    assert.deepEqual(verifyHuaweiSignature({ ...unsigned, body: Buffer.from('other bytes') }, authorization, SK, NOW), {
      payloadSigned: false,
    });
    assert.equal(canonicalRequest(request, ['host']).split('\n').at(-1), createHash('sha256').update(request.body).digest('hex'));
    assert.equal(
      canonicalRequest({ ...request, body: Buffer.alloc(0) }, ['host'])
        .split('\n')
        .at(-1),
      EMPTY_SHA256,
    );

    const hashed = withHeaders(request, { 'x-sdk-content-sha256': createHash('sha256').update(request.body).digest('hex') });
    assert.deepEqual(verifyHuaweiSignature(hashed, signedBy(hashed), SK, NOW), { payloadSigned: true });
    refused(
      () => verifyHuaweiSignature({ ...hashed, body: Buffer.from('{}') }, signedBy(hashed), SK, NOW),
      'X-Sdk-Content-Sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body',
    );
    // Added after signing, it would otherwise let anyone replace the body of a captured request.
    const original = signedBy(request);
    const swapped = withHeaders(
      { ...request, body: Buffer.from('{"task_name": "evil"}') },
      { 'x-sdk-content-sha256': createHash('sha256').update(request.body).digest('hex') },
    );
    refused(() => verifyHuaweiSignature(swapped, original, SK, NOW), 'SignedHeaders must include x-sdk-content-sha256 when it is sent');
  });

  it('accepts X-Sdk-Date up to exactly 15 minutes either side of server time, and nothing beyond', () => {
    const authorization = signedBy(request);
    verifyHuaweiSignature(request, authorization, SK, NOW);
    verifyHuaweiSignature(request, authorization, SK, NOW + 15 * MINUTE);
    verifyHuaweiSignature(request, authorization, SK, NOW - 15 * MINUTE);
    const tooFar = 'X-Sdk-Date is more than 15 minutes from server time';
    refused(() => verifyHuaweiSignature(request, authorization, SK, NOW + 15 * MINUTE + 1000), tooFar);
    refused(() => verifyHuaweiSignature(request, authorization, SK, NOW - 15 * MINUTE - 1000), tooFar);
    refused(
      () => verifyHuaweiSignature(withHeaders(request, { 'x-sdk-date': undefined }), authorization, SK, NOW),
      'the X-Sdk-Date header is required',
    );
    for (const date of ['2024-05-17T08:00:00Z', '20240517T080000', '20240230T080000Z', '20240517T246000Z', ' ']) {
      const target = withHeaders(request, { 'x-sdk-date': date });
      const message = date.trim() ? 'X-Sdk-Date must be YYYYMMDDTHHMMSSZ' : 'the X-Sdk-Date header is required';
      refused(() => verifyHuaweiSignature(target, authorization, SK, NOW), message);
    }
  });

  it('refuses forged signatures and tampered requests, and ignores unsigned headers', () => {
    const target = withHeaders({ ...request, query: 'limit=10&offset=0' }, { 'user-agent': 'huaweicloud-usdk-python/3.0' });
    const authorization = signedBy(target);
    verifyHuaweiSignature(target, authorization, SK, NOW);
    const mismatch = 'the signature does not match';
    refused(() => verifyHuaweiSignature(target, authorization, 'another secret', NOW), mismatch);
    refused(() => verifyHuaweiSignature(target, { ...authorization, signature: 'ab'.repeat(32) }, SK, NOW), mismatch);
    refused(
      () => verifyHuaweiSignature({ ...target, body: Buffer.from('{"task_name": "demo_task_2"}') }, authorization, SK, NOW),
      mismatch,
    );
    refused(() => verifyHuaweiSignature({ ...target, body: Buffer.alloc(0) }, authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature(withHeaders(target, { 'x-project-id': 'f'.repeat(32) }), authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature(withHeaders(target, { host: 'evil.example.com' }), authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature(withHeaders(target, { 'user-agent': 'curl/8' }), authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature({ ...target, path: `${target.path}/other` }, authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature({ ...target, method: 'PUT' }, authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature({ ...target, query: 'limit=11&offset=0' }, authorization, SK, NOW), mismatch);
    refused(() => verifyHuaweiSignature({ ...target, query: 'limit=10&offset=0&extra=1' }, authorization, SK, NOW), mismatch);
    // The date is part of the string to sign.
    const later = withHeaders(target, { 'x-sdk-date': '20240517T080100Z' });
    refused(() => verifyHuaweiSignature(later, authorization, SK, NOW), mismatch);

    // Headers outside SignedHeaders (added by the HTTP library) may change freely.
    verifyHuaweiSignature(withHeaders(target, { accept: '*/*', 'content-length': '28', connection: 'close' }), authorization, SK, NOW);
    const fewer = { ...authorization, signedHeaders: ['host', 'x-project-id', 'x-sdk-date'] };
    const fewerSigned = { ...fewer, signature: huaweiSignature(target, fewer.signedHeaders, SK) };
    verifyHuaweiSignature(withHeaders(target, { 'content-type': 'text/plain', 'user-agent': 'curl/8' }), fewerSigned, SK, NOW);
    // Header values are signed trimmed, and methods upper-cased.
    verifyHuaweiSignature(
      { ...withHeaders(target, { 'user-agent': '  huaweicloud-usdk-python/3.0 \t' }), method: 'post' },
      authorization,
      SK,
      NOW,
    );

    refused(
      () => verifyHuaweiSignature(target, { ...authorization, signedHeaders: ['x-project-id', 'x-sdk-date'] }, SK, NOW),
      'SignedHeaders must include host and x-sdk-date',
    );
    refused(
      () => verifyHuaweiSignature(target, { ...authorization, signedHeaders: ['host'] }, SK, NOW),
      'SignedHeaders must include host and x-sdk-date',
    );
    refused(
      () => verifyHuaweiSignature(withHeaders(target, { 'x-project-id': undefined }), authorization, SK, NOW),
      'signed header x-project-id is missing from the request',
    );
  });

  it('also accepts the Java SDK, which keeps repeated query values in the caller order', () => {
    const java: HuaweiRequest = {
      method: 'GET',
      path: '/v1/real3d/W/tasks',
      query: 'limit=10&task_status=RUNNING&task_status=INIT',
      headers: { host: '127.0.0.1:3000', 'x-sdk-date': DATE },
      body: Buffer.alloc(0),
    };
    // Recomputed here, independently of the module, the way AKSKSigner.java does it.
    const canonical = [
      'GET',
      '/v1/real3d/W/tasks/',
      'limit=10&task_status=RUNNING&task_status=INIT',
      `host:127.0.0.1:3000\nx-sdk-date:${DATE}\n`,
      'host;x-sdk-date',
      EMPTY_SHA256,
    ].join('\n');
    assert.equal(canonicalRequest(java, ['host', 'x-sdk-date'], 'received'), canonical);
    assert.notEqual(canonicalRequest(java, ['host', 'x-sdk-date']), canonical);
    const digest = createHash('sha256').update(canonical).digest('hex');
    const signature = createHmac('sha256', SK).update(`SDK-HMAC-SHA256\n${DATE}\n${digest}`).digest('hex');
    const authorization = parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;x-sdk-date, Signature=${signature}`);
    verifyHuaweiSignature(java, authorization, SK, NOW);
    // The Python SDK's sorted signature still verifies whatever order the query arrives in.
    verifyHuaweiSignature(java, parseHuaweiAuthorization(signHuawei(java, AK, SK)), SK, NOW);
    // The received order must be the signed one: the same values arriving sorted do not match.
    const reordered = { ...java, query: 'limit=10&task_status=INIT&task_status=RUNNING' };
    refused(() => verifyHuaweiSignature(reordered, authorization, SK, NOW), 'the signature does not match');
  });

  it('parses the Authorization header, tolerating whitespace, and refuses anything else', () => {
    const signature = 'ac8f60563ec128442f1f45f87e4664cf72b6b95f3889ced50b1b8fb1040c8031';
    const expected = { accessKey: AK, signedHeaders: ['content-type', 'host', 'x-sdk-date'], signature };
    for (const header of [
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=${signature}`,
      `SDK-HMAC-SHA256 Access=${AK},SignedHeaders=content-type;host;x-sdk-date,Signature=${signature}`,
      `  SDK-HMAC-SHA256\tAccess=${AK} ,  SignedHeaders=Content-Type;Host;X-Sdk-Date ,\tSignature=${signature.toUpperCase()}  `,
    ]) {
      assert.deepEqual(parseHuaweiAuthorization(header), expected, header);
    }
    const good = `Access=${AK}, SignedHeaders=host;x-sdk-date, Signature=${signature}`;
    refused(() => parseHuaweiAuthorization(undefined), 'the Authorization header is required');
    refused(() => parseHuaweiAuthorization('  '), 'the Authorization header is required');
    refused(() => parseHuaweiAuthorization(good), 'the Authorization algorithm must be SDK-HMAC-SHA256');
    refused(() => parseHuaweiAuthorization(`SDK-HMAC-SM3 ${good}`), 'the Authorization algorithm must be SDK-HMAC-SHA256');
    refused(() => parseHuaweiAuthorization(`sdk-hmac-sha256 ${good}`), 'the Authorization algorithm must be SDK-HMAC-SHA256');
    refused(
      () =>
        parseHuaweiAuthorization(`V11-HMAC-SHA256 Credential=${AK}/20240517/cn-north-4/kmp, SignedHeaders=host, Signature=${signature}`),
      'the Authorization algorithm must be SDK-HMAC-SHA256',
    );
    refused(() => parseHuaweiAuthorization('SDK-HMAC-SHA256'), 'the Authorization header has no Access');
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access=${AK}, Signature=${signature}`),
      'the Authorization header has no SignedHeaders',
    );
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host`),
      'the Authorization header has no Signature',
    );
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=${signature}`),
      'the Authorization header has no Access',
    );
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 ${good}, Credential=x`),
      'the Authorization header has an unknown field Credential',
    );
    refused(() => parseHuaweiAuthorization(`SDK-HMAC-SHA256 ${good}, Access=other`), 'the Authorization header repeats Access');
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access ${AK}, SignedHeaders=host, Signature=${signature}`),
      'the Authorization header must be "SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…"',
    );
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;;x-sdk-date, Signature=${signature}`),
      'SignedHeaders must be header names separated by ;',
    );
    refused(
      () => parseHuaweiAuthorization(`SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${signature.slice(1)}`),
      'Signature must be 64 hexadecimal digits',
    );
  });
});
