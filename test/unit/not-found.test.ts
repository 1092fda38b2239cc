import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import COS from 'cos-nodejs-sdk-v5';
import type { HttpEvent, HttpResult } from '../../functions/http/http-handler.ts';
import { ciError } from '../../functions/ci/envelope.ts';
import { invalidInput, notFound } from '../../functions/core/errors.ts';
import { kmpError } from '../../functions/kmp/envelope.ts';
import { ostError } from '../../functions/ost/envelope.ts';
import { visionError } from '../../functions/vision/envelope.ts';
import { handler, notFoundAnswer } from '../../functions/platform/not-found.ts';
import { CosServiceError } from '../support/cos-python.ts';

/** The catch-all's answers, by the handler alone (the lead wires it behind every route). */
const context = { awsRequestId: 'not-found-test', functionName: 'platform', getRemainingTimeInMillis: () => 29_000 } as Context;

function event(method: string, path: string, headers: Record<string, string> = {}, rawQueryString = ''): HttpEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { host: 'api.example.com', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-0001',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:00:00:00 +0000',
      timeEpoch: 1_796_083_200_000,
    },
    isBase64Encoded: false,
  };
}

const answer = (request: HttpEvent): Promise<HttpResult> => handler(request, context);
const json = (result: HttpResult) => JSON.parse(result.body ?? '') as Record<string, unknown>;
const COS_AUTHORIZATION =
  'q-sign-algorithm=sha1&q-ak=tcdemo&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=00';

describe('the catch-all 404, in the envelope the request looks like it speaks', () => {
  it("COS-signed (Authorization): COS's <Error> with NoSuchKey, every element the SDKs read", async () => {
    const result = await answer(event('GET', '/pic_job', { authorization: COS_AUTHORIZATION }));
    assert.equal(result.statusCode, 404);
    assert.equal(result.headers?.['content-type'], 'application/xml');
    assert.equal(result.headers?.['x-ci-request-id'], 'req-0001');
    assert.equal(result.headers?.['x-cos-request-id'], 'req-0001');
    assert.equal(
      result.body,
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>no API answers GET /pic_job</Message>' +
        '<Resource>api.example.com/pic_job</Resource><RequestId>req-0001</RequestId><TraceId>req-0001</TraceId></Error>',
    );
    // cos-python-sdk-v5 reads it as a COS error (a JSON 404 was its KeyError('code'))...
    const python = new CosServiceError('GET', result.body!, 404);
    assert.equal(python.getErrorCode(), 'NoSuchKey');
    assert.equal(python.getResourceLocation(), 'api.example.com/pic_job');
    assert.equal(python.getTraceId(), 'req-0001');
    // ...and so does cos-nodejs-sdk-v5's parser.
    assert.equal((COS.util.xml2json(result.body!) as { Error: { Code: string } }).Error.Code, 'NoSuchKey');
  });

  it('COS-signed in the query (a presigned URL), or sent as JSON: the same error, in JSON for JSON', async () => {
    const presigned = await answer(event('GET', '/nope', {}, `${COS_AUTHORIZATION}&x=1`));
    assert.equal(presigned.statusCode, 404);
    assert.match(presigned.body!, /<Code>NoSuchKey<\/Code>/);
    const asJson = await answer(event('POST', '/nope', { authorization: COS_AUTHORIZATION, 'content-type': 'application/json' }));
    assert.equal(asJson.statusCode, 404);
    assert.deepEqual(json(asJson), {
      Error: {
        Code: 'NoSuchKey',
        Message: 'no API answers POST /nope',
        Resource: 'api.example.com/nope',
        RequestId: 'req-0001',
        TraceId: 'req-0001',
      },
    });
  });

  it("Huawei-signed (SDK-HMAC-SHA256) or with an X-Auth-Token: kmp's KMP.00021101 with x-request-id", async () => {
    for (const headers of [
      { authorization: 'SDK-HMAC-SHA256 Access=tcdemo, SignedHeaders=host;x-sdk-date, Signature=00' },
      { 'x-auth-token': 'eyJhbGciOiJIUzI1NiJ9.e30.x' },
    ] as Record<string, string>[]) {
      const result = await answer(event('GET', '/v1/real3d/ws/taskz', headers));
      assert.equal(result.statusCode, 404);
      assert.match(String(result.headers?.['content-type']), /^application\/json/);
      assert.equal(result.headers?.['x-request-id'], 'req-0001');
      assert.deepEqual(json(result), { error_code: 'KMP.00021101', error_msg: 'no API answers GET /v1/real3d/ws/taskz' });
    }
  });

  it('xfyun-signed (api_key="…"): ost\'s {code: 10001, sid, message}', async () => {
    const result = await answer(
      event('POST', '/file/mpupload/finish', {
        authorization: 'api_key="tcdemo", algorithm="hmac-sha256", headers="host date request-line", signature="AA=="',
      }),
    );
    assert.equal(result.statusCode, 404);
    const body = json(result);
    assert.equal(body.code, 10001);
    assert.equal(body.message, 'no API answers POST /file/mpupload/finish');
    assert.match(String(body.sid), /^ost0001[0-9a-f]{4}@dx[0-9a-f]+$/);
  });

  it("with an oauth_token in the query: VK Cloud Vision's envelope, status 404", async () => {
    const result = await answer(event('POST', '/api/v1/persons/merge', {}, 'oauth_provider=mcs&oauth_token=abc'));
    assert.equal(result.statusCode, 404);
    assert.deepEqual(json(result), {
      status: 404,
      body: 'no API answers POST /api/v1/persons/merge',
      htmlencoded: false,
      last_modified: 0,
    });
  });

  it('anything else: API Gateway\'s own {"message":"Not Found"}', async () => {
    for (const headers of [{}, { authorization: 'Bearer abc' }] as Record<string, string>[]) {
      const result = await answer(event('GET', '/nothing/here', headers));
      assert.equal(result.statusCode, 404);
      assert.deepEqual(json(result), { message: 'Not Found' });
    }
  });

  it("is each dialect's own envelope, as its renderer writes it (the platform layer cannot import them, so this keeps them equal)", () => {
    const ci = event('GET', '/a<b&c\u0000', { authorization: COS_AUTHORIZATION, 'x-amzn-trace-id': 'Root=1-abc;Parent=2' });
    assert.deepEqual(notFoundAnswer(ci), ciError(notFound('no API answers GET /a<b&c\u0000', 'NoSuchKey'), ci));
    const ciJson = event('DELETE', '/x', { authorization: COS_AUTHORIZATION, accept: 'application/json' });
    assert.deepEqual(notFoundAnswer(ciJson), ciError(notFound('no API answers DELETE /x', 'NoSuchKey'), ciJson));
    const kmp = event('GET', '/v1/x', { 'x-auth-token': 't' });
    const rendered = kmpError(notFound('no API answers GET /v1/x'));
    assert.deepEqual(notFoundAnswer(kmp), { ...rendered, headers: { ...rendered.headers, 'x-request-id': 'req-0001' } });
    const ost = event('POST', '/file/x', { authorization: 'api_key="a", signature="b"' });
    const ours = notFoundAnswer(ost);
    const theirs = ostError('0002')(invalidInput('no API answers POST /file/x'));
    const withoutSid = (result: HttpResult) => ({ ...json(result), sid: String(json(result).sid).replace(/@dx.*/, '') });
    assert.deepEqual([ours.headers, withoutSid(ours)], [theirs.headers, withoutSid(theirs)]);
    const vision = event('POST', '/api/v1/x', {}, 'oauth_token=t');
    assert.deepEqual(notFoundAnswer(vision), visionError(notFound('no API answers POST /api/v1/x')));
  });
});
