import { CosClockSkewError } from '../core/cos-signature.ts';
import { isTesseraError, type ErrorKind } from '../core/errors.ts';
import type { HttpEvent, HttpResult } from '../http/http-handler.ts';
import { toXml } from './xml.ts';

/** The ci dialect answers in XML, or in JSON when the request was JSON. */
export type Wire = 'xml' | 'json';

export const wireOf = (event: HttpEvent): Wire =>
  (event.headers['content-type'] ?? '').toLowerCase().includes('json') || (event.headers.accept ?? '').toLowerCase().includes('json')
    ? 'json'
    : 'xml';

/**
 * The request id under both names Tencent's answers use: CI's `x-ci-request-id`, and COS's
 * `x-cos-request-id`, without which cos-nodejs-sdk-v5 2.x takes any 4xx for a network fault and
 * sends the request again, up to three more times.
 */
export const requestIdHeaders = (event: HttpEvent) => ({
  'x-ci-request-id': event.requestContext.requestId,
  'x-cos-request-id': event.requestContext.requestId,
});

export function ciResponse(event: HttpEvent, root: string, body: unknown, statusCode = 200): HttpResult {
  const wire = wireOf(event);
  return {
    statusCode,
    headers: {
      'content-type': wire === 'json' ? 'application/json' : 'application/xml',
      ...requestIdHeaders(event),
    },
    body: wire === 'json' ? JSON.stringify({ [root]: body }) : toXml(root, body),
  };
}

const DEFAULTS: Record<ErrorKind, [string, number]> = {
  'invalid-input': ['InvalidArgument', 400],
  unauthenticated: ['InvalidAuthorization', 401],
  forbidden: ['AccessDenied', 403],
  'not-found': ['NoSuchJob', 404],
  conflict: ['InvalidArgument', 400],
  'too-large': ['InvalidArgument', 400],
  upstream: ['ResourceDownloadFailed', 400],
  internal: ['InternalError', 500],
};

/** COS codes whose HTTP status differs from the default of their kind. */
const STATUS_OF_REASON: Record<string, number> = {
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  ResourceNotFound: 400,
  NoSuchTemplate: 404,
  NoSuchQueue: 404,
};

const COS_CODES: ReadonlySet<string> = new Set([
  'InvalidArgument',
  'InvalidAuthorization',
  'MissingAuthorization',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidContent',
  'MissingContent',
  'MalformedXML',
  'ResourceNotFound',
  'NoSuchJob',
  'NoSuchTemplate',
  'NoSuchQueue',
  'NoSuchKey',
]);

/** `2026-11-22T00:00:00Z`, as COS writes ServerTime. */
const cosTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * COS's `<Error>` (reference/tencent-ci.md §2.10; COS's error page): Code, Message, Resource (the
 * host and path asked for), RequestId and TraceId, every one non-empty, since cos-python-sdk-v5
 * reads each element's first child and takes an error missing any for no COS error at all. A
 * request outside the clock window also carries RequestTime and ServerTime, from which the SDKs
 * correct their clock.
 */
export function cosErrorBody(event: HttpEvent, code: string, message: string, extra: Record<string, string> = {}): Record<string, string> {
  const requestId = event.requestContext.requestId;
  const host = event.headers.host ?? event.requestContext.domainName;
  return {
    Code: code,
    Message: message || code,
    Resource: `${host ?? ''}${event.rawPath || '/'}`,
    RequestId: requestId,
    // API Gateway's trace id where it gives one; the request id (what Tessera's logs are keyed by) otherwise.
    TraceId: /Root=([^;]+)/.exec(event.headers['x-amzn-trace-id'] ?? '')?.[1] ?? requestId,
    ...extra,
  };
}

/** `<Error>` with the reference's codes and statuses, in the request's wire format. */
export function ciError(error: unknown, event: HttpEvent): HttpResult {
  let code = 'InternalError';
  let status = 500;
  let message = 'internal error';
  let extra: Record<string, string> = {};
  if (isTesseraError(error) && error.kind !== 'internal') {
    [code, status] = DEFAULTS[error.kind];
    // Reasons that are COS codes are shown as such; others (other dialects' words) are not ci's.
    if (error.reason && COS_CODES.has(error.reason)) {
      code = error.reason;
      status = STATUS_OF_REASON[error.reason] ?? status;
    }
    message = error.message;
    if (error instanceof CosClockSkewError) extra = { RequestTime: cosTime(error.requestTime), ServerTime: cosTime(error.serverTime) };
  }
  return ciResponse(event, 'Error', cosErrorBody(event, code, message, extra), status);
}
