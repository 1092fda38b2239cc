import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { before, describe, it } from 'node:test';
import type { HttpEvent } from '../../functions/http/http-handler.ts';
import {
  LAMBDA_MAX_BODY_BYTES,
  loadRouteModule,
  oversizeAnswers,
  renderOversize,
  routeLimits,
  type OversizeTemplate,
} from '../../functions/platform/oversize-answers.ts';
import { ROUTES, routeKey, type Route } from '../../functions/routes.ts';
import { MAX_FUNCTION_BYTES, oversizeFunctionSource } from '../../infra/oversize-function.ts';

const LARGE = 65 * 1024 * 1024;
const HOST = 'd111111abcdef8.cloudfront.net';
const REQUEST_ID = '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==';

interface CloudFrontResponse {
  statusCode: number;
  statusDescription: string;
  headers: Record<string, { value: string }>;
  body: { encoding: string; data: string };
}
interface CloudFrontRequest {
  method: string;
  uri: string;
  headers: Record<string, { value: string }>;
}
type Handler = (event: unknown) => CloudFrontRequest | CloudFrontResponse;

/** The generated source, run as CloudFront runs it: a script whose `handler` gets the event. */
function load(source: string): Handler {
  return runInNewContext(`${source}\nhandler;`, {}, { timeout: 1000 }) as Handler;
}

/** A viewer-request event as CloudFront Functions passes it (header names lowercase, values in `{value}`). */
function viewerRequest(method: string, uri: string, headers: Record<string, string> = {}) {
  return {
    version: '1.0',
    context: { distributionDomainName: HOST, distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: REQUEST_ID },
    viewer: { ip: '198.51.100.11' },
    request: {
      method,
      uri,
      querystring: {},
      headers: Object.fromEntries(Object.entries({ host: HOST, ...headers }).map(([name, value]) => [name, { value }])),
      cookies: {},
    },
  };
}

/** A path the route matches, its parameters filled in. */
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, 'p1');

const isResponse = (result: CloudFrontRequest | CloudFrontResponse): result is CloudFrontResponse => 'statusCode' in result;

/** ost's sids carry the clock and randomness: equal once those are set aside. */
const withoutNonce = (text: string) => text.replace(/@dx[0-9a-f]+/g, '@dx');

/** What the route's own dialect answers a request over its limit, rendered by its module (as a handler would). */
async function dialectAnswer(route: Route, limit: number, headers: Record<string, string>) {
  const path = samplePath(route.path);
  const event = {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: path,
    rawQueryString: '',
    headers: { host: HOST, ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'api',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.11', userAgent: '' },
      requestId: REQUEST_ID,
      routeKey: routeKey(route),
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  } as HttpEvent;
  return renderOversize(await loadRouteModule(route), limit, event);
}

describe('the oversize CloudFront Function', () => {
  let withContainer: ReadonlyMap<string, OversizeTemplate>;
  let withoutContainer: ReadonlyMap<string, OversizeTemplate>;
  let handler: Handler;
  let lambdaOnly: Handler;
  let source: string;

  before(async () => {
    withContainer = await oversizeAnswers({ largeBodies: true, maxLargeBodyBytes: LARGE });
    withoutContainer = await oversizeAnswers({ largeBodies: false, maxLargeBodyBytes: LARGE });
    source = oversizeFunctionSource(withContainer);
    handler = load(source);
    lambdaOnly = load(oversizeFunctionSource(withoutContainer));
  });

  it("fits CloudFront's 10 KB, with the large-body routes on or off", () => {
    assert.ok(Buffer.byteLength(source) <= MAX_FUNCTION_BYTES, `${Buffer.byteLength(source)} bytes`);
    assert.ok(Buffer.byteLength(oversizeFunctionSource(withoutContainer)) <= MAX_FUNCTION_BYTES);
  });

  it('gives largeBodies routes TESSERA_MAX_BODY_BYTES with the container, and every other route what fits in a Lambda event', () => {
    const on = routeLimits({ largeBodies: true, maxLargeBodyBytes: LARGE });
    const off = routeLimits({ largeBodies: false, maxLargeBodyBytes: LARGE });
    for (const route of ROUTES) {
      assert.equal(on.get(routeKey(route)), route.largeBodies ? LARGE : LAMBDA_MAX_BODY_BYTES, routeKey(route));
      assert.equal(off.get(routeKey(route)), LAMBDA_MAX_BODY_BYTES, routeKey(route));
    }
    // 6 MB of invoke payload, less room for the event, base64-decoded: about 4.4 MiB.
    assert.ok(LAMBDA_MAX_BODY_BYTES > 4.4 * 1024 * 1024 && LAMBDA_MAX_BODY_BYTES < 4.5 * 1024 * 1024, String(LAMBDA_MAX_BODY_BYTES));
  });

  it("lets a request up to its route's limit through, with the viewer's Host copied into x-forwarded-host", () => {
    for (const route of ROUTES) {
      const limit = withContainer.get(routeKey(route))!.limit;
      const result = handler(viewerRequest(route.method, samplePath(route.path), { 'content-length': String(limit) }));
      assert.ok(!isResponse(result), routeKey(route));
      assert.equal(result.headers['x-forwarded-host']?.value, HOST);
      assert.equal(result.uri, samplePath(route.path));
    }
    const small = handler(viewerRequest('GET', '/health'));
    assert.ok(!isResponse(small));
    assert.equal(small.headers['x-forwarded-host']?.value, HOST);
  });

  it('answers a body one byte over any route limit exactly as the route’s dialect renders a too-large error', async () => {
    for (const route of ROUTES) {
      for (const headers of [{}, { 'content-type': 'application/json', accept: 'application/json' }] as Record<string, string>[]) {
        const limit = withContainer.get(routeKey(route))!.limit;
        const result = handler(viewerRequest(route.method, samplePath(route.path), { ...headers, 'content-length': String(limit + 1) }));
        assert.ok(isResponse(result), `${routeKey(route)} was let through`);
        const expected = await dialectAnswer(route, limit, headers);
        assert.equal(result.statusCode, expected.statusCode, routeKey(route));
        assert.deepEqual(
          Object.fromEntries(Object.entries(result.headers).map(([name, { value }]) => [name, value])),
          Object.fromEntries(Object.entries(expected.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)])),
          routeKey(route),
        );
        assert.equal(result.body.encoding, 'text');
        assert.equal(withoutNonce(result.body.data), withoutNonce(expected.body ?? ''), routeKey(route));
      }
    }
  });

  it('speaks each dialect: storage {message, msg_code: 0}, ost 10001 naming presign, ci <Error>, kmp KMP.00011005, auth invalid_request', () => {
    const over = (method: string, uri: string, headers: Record<string, string> = {}) => {
      const result = handler(viewerRequest(method, uri, { 'content-length': String(LARGE + 1), ...headers }));
      assert.ok(isResponse(result), `${method} ${uri}`);
      return result;
    };
    const upload = over('POST', '/upload');
    assert.equal(upload.statusCode, 400);
    assert.deepEqual(JSON.parse(upload.body.data), {
      message: `request body is larger than ${LARGE} bytes (65 MiB), the limit of this route`,
      msg_code: 0,
    });

    const slice = over('POST', '/file/mpupload/upload');
    assert.equal(slice.statusCode, 413);
    const ost = JSON.parse(slice.body.data) as { code: number; sid: string; message: string };
    assert.equal(ost.code, 10001);
    assert.match(ost.message, new RegExp(`${LARGE}`));
    assert.match(ost.message, /\/file\/mpupload\/presign/);
    assert.match(ost.sid, /^ost00010006@dx[0-9a-f]{14,}$/);
    assert.notEqual(JSON.parse(over('POST', '/file/mpupload/upload').body.data).sid, ost.sid, 'each answer has a sid of its own');

    const xml = over('POST', '/jobs');
    assert.equal(xml.statusCode, 400);
    assert.equal(xml.headers['content-type']?.value, 'application/xml');
    assert.match(xml.body.data, /<Error><Code>InvalidArgument<\/Code><Message>request body is larger/);
    assert.match(xml.body.data, new RegExp(`<Resource>${HOST}/jobs</Resource><RequestId>${REQUEST_ID}</RequestId>`));
    const json = over('POST', '/jobs', { 'content-type': 'application/json' });
    assert.equal((JSON.parse(json.body.data) as { Error: { Code: string } }).Error.Code, 'InvalidArgument');

    const kmp = over('POST', '/v1/real3d/w1/tasks');
    assert.equal(kmp.statusCode, 413);
    assert.equal((JSON.parse(kmp.body.data) as { error_code: string }).error_code, 'KMP.00011005');
    assert.equal(kmp.headers['x-request-id']?.value, REQUEST_ID);

    const token = over('POST', '/auth/oauth/v1/token');
    assert.equal(token.statusCode, 400);
    assert.equal((JSON.parse(token.body.data) as { error: string }).error, 'invalid_request');
  });

  it('holds the largeBodies routes to the Lambda limit when the container is off', () => {
    const body = String(LAMBDA_MAX_BODY_BYTES + 1);
    const offResult = lambdaOnly(viewerRequest('POST', '/upload', { 'content-length': body }));
    assert.ok(isResponse(offResult));
    assert.equal(offResult.statusCode, 400);
    assert.match(offResult.body.data, new RegExp(`larger than ${LAMBDA_MAX_BODY_BYTES} bytes`));
    assert.ok(!isResponse(handler(viewerRequest('POST', '/upload', { 'content-length': body }))));
  });

  it('leaves to the origin what it cannot judge: no Content-Length (chunked), an unknown route, another method', () => {
    assert.ok(!isResponse(handler(viewerRequest('POST', '/upload', { 'transfer-encoding': 'chunked' }))));
    assert.ok(!isResponse(handler(viewerRequest('POST', '/nowhere', { 'content-length': String(LARGE * 2) }))));
    assert.ok(!isResponse(handler(viewerRequest('DELETE', '/upload', { 'content-length': String(LARGE * 2) }))));
  });

  it('matches {param} as exactly one segment', () => {
    const limitOver = String(LAMBDA_MAX_BODY_BYTES + 1);
    assert.ok(isResponse(handler(viewerRequest('GET', '/v1/real3d/w1/tasks/overview', { 'content-length': limitOver }))));
    assert.ok(isResponse(handler(viewerRequest('PUT', '/template/t-1', { 'content-length': limitOver }))));
    assert.ok(!isResponse(handler(viewerRequest('PUT', '/template/t-1/extra', { 'content-length': limitOver }))));
  });
});
