import { randomBytes } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { httpHandler, jsonResult, type HttpEvent, type HttpHandler, type HttpResult } from '../http/http-handler.ts';

/** Which dialect a request that matched no route looks like it speaks, from how it is signed. */
export type Envelope = 'ci' | 'kmp' | 'ost' | 'vision' | 'gateway';

export function envelopeOf(event: HttpEvent): Envelope {
  const authorization = (event.headers.authorization ?? '').trim();
  const query = new URLSearchParams(event.rawQueryString ?? '');
  if (/^q-sign-algorithm=/i.test(authorization) || query.has('q-sign-algorithm')) return 'ci';
  if (/^SDK-HMAC-SHA256\s/i.test(authorization) || event.headers['x-auth-token'] !== undefined) return 'kmp';
  if (/\bapi_key\s*="/i.test(authorization)) return 'ost';
  if (query.has('oauth_token')) return 'vision';
  return 'gateway';
}

// The platform layer imports no dialect (eslint.config.js: LAYERS), so the four envelopes are
// written here; test/unit/not-found.test.ts holds each equal to its dialect's own renderer.

const xml = new XMLBuilder({ suppressEmptyNode: true, processEntities: true });
/** What XML 1.0 cannot carry, as U+FFFD (as functions/ci/xml.ts writes every answer). */
const NOT_XML_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** COS's `<Error>` as functions/ci/envelope.ts writes it, in XML or (for a JSON request) JSON. */
function cosNoSuchKey(event: HttpEvent, message: string): HttpResult {
  const requestId = event.requestContext.requestId;
  const error = {
    Code: 'NoSuchKey',
    Message: message,
    Resource: `${event.headers.host ?? event.requestContext.domainName ?? ''}${event.rawPath || '/'}`,
    RequestId: requestId,
    TraceId: /Root=([^;]+)/.exec(event.headers['x-amzn-trace-id'] ?? '')?.[1] ?? requestId,
  };
  const json = /json/i.test(event.headers['content-type'] ?? '') || /json/i.test(event.headers.accept ?? '');
  const safe = Object.fromEntries(Object.entries(error).map(([key, value]) => [key, value.replace(NOT_XML_CHARACTERS, '\uFFFD')]));
  return {
    statusCode: 404,
    headers: {
      'content-type': json ? 'application/json' : 'application/xml',
      'x-ci-request-id': requestId,
      'x-cos-request-id': requestId,
    },
    body: json ? JSON.stringify({ Error: error }) : `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build({ Error: safe }) as string}`,
  };
}

/**
 * The answer to a request no route takes (the catch-all behind every route: in AWS, the API's
 * `$default` route; locally, the server's fallback), in the envelope of the dialect the request
 * looks like it speaks, so each SDK reads it as its own API's 404:
 * - COS-signed (`Authorization: q-sign-algorithm=…`, or a presigned query): COS's `<Error>` with
 *   `NoSuchKey` (what COS answers for a path that names nothing) and every element the Tencent
 *   SDKs read: cos-python-sdk-v5 raised KeyError('code') on API Gateway's JSON;
 * - Huawei-signed (`SDK-HMAC-SHA256`) or with an `X-Auth-Token`: kmp's
 *   `{"error_code": "KMP.00021101", "error_msg": …}` with `x-request-id`;
 * - xfyun-signed (`api_key="…"`): ost's `{code: 10001, sid, message}`;
 * - with an `oauth_token` in the query: VK Cloud Vision's `{status: 404, body, htmlencoded, last_modified}`;
 * - anything else: API Gateway's own `{"message":"Not Found"}`.
 */
export function notFoundAnswer(event: HttpEvent): HttpResult {
  const message = `no API answers ${event.requestContext.http.method} ${event.rawPath || '/'}`;
  switch (envelopeOf(event)) {
    case 'ci':
      return cosNoSuchKey(event, message);
    case 'kmp':
      return {
        ...jsonResult(404, { error_code: 'KMP.00021101', error_msg: message }),
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': event.requestContext.requestId },
      };
    case 'ost':
      // 10001 (a bad request) with the sid of ost's upload route, as ost answers what it cannot place.
      return jsonResult(404, {
        code: 10001,
        sid: `ost00010002@dx${Date.now().toString(16)}${randomBytes(3).toString('hex')}`,
        message,
      });
    case 'vision':
      return jsonResult(404, { status: 404, body: message, htmlencoded: false, last_modified: 0 });
    case 'gateway':
      return jsonResult(404, { message: 'Not Found' });
  }
}

export const handler: HttpHandler = httpHandler(
  async (event) => notFoundAnswer(event),
  () => jsonResult(500, { message: 'Internal Server Error' }),
);
