import { isTesseraError, type ErrorKind } from '../core/errors.ts';
import type { HttpEvent, HttpResult } from '../http/http-handler.ts';
import { toXml } from './xml.ts';

/** The ci dialect answers in XML, or in JSON when the request was JSON. */
export type Wire = 'xml' | 'json';

export const wireOf = (event: HttpEvent): Wire =>
  (event.headers['content-type'] ?? '').toLowerCase().includes('json') || (event.headers.accept ?? '').toLowerCase().includes('json')
    ? 'json'
    : 'xml';

export function ciResponse(event: HttpEvent, root: string, body: unknown, statusCode = 200): HttpResult {
  const requestId = event.requestContext.requestId;
  const wire = wireOf(event);
  return {
    statusCode,
    headers: {
      'content-type': wire === 'json' ? 'application/json' : 'application/xml',
      'x-ci-request-id': requestId,
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
  ResourceNotFound: 400,
  NoSuchTemplate: 404,
  NoSuchQueue: 404,
};

const COS_CODES: ReadonlySet<string> = new Set([
  'InvalidArgument',
  'InvalidAuthorization',
  'MissingAuthorization',
  'SignatureExpired',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidContent',
  'MissingContent',
  'MalformedXML',
  'ResourceNotFound',
  'NoSuchJob',
  'NoSuchTemplate',
  'NoSuchQueue',
]);

/** `<Error><Code/><Message/><RequestId/></Error>` with the reference's codes and statuses. */
export function ciError(error: unknown, event: HttpEvent): HttpResult {
  let code = 'InternalError';
  let status = 500;
  let message = 'internal error';
  if (isTesseraError(error) && error.kind !== 'internal') {
    [code, status] = DEFAULTS[error.kind];
    // Reasons that are COS codes are shown as such; others (other dialects' words) are not ci's.
    if (error.reason && COS_CODES.has(error.reason)) {
      code = error.reason;
      status = STATUS_OF_REASON[error.reason] ?? status;
    }
    message = error.message;
  }
  return ciResponse(event, 'Error', { Code: code, Message: message, RequestId: event.requestContext.requestId }, status);
}
