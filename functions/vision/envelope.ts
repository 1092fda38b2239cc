import { isTesseraError, type ErrorKind } from '../core/errors.ts';
import { jsonResult, type HttpResult } from '../http/http-handler.ts';

/**
 * VK Cloud Vision's envelope: `{status, body, htmlencoded: false, last_modified: 0}`, the HTTP
 * status mirroring `status`. A request-level failure has a string `body`; per-image outcomes are
 * inside a 200's body (status 0 ok, 1 permanent, 2 temporary).
 */
const envelope = (status: number, body: unknown): HttpResult => jsonResult(status, { status, body, htmlencoded: false, last_modified: 0 });

export const visionOk = (body: unknown): HttpResult => envelope(200, body);

const STATUS: Record<ErrorKind, number> = {
  'invalid-input': 400,
  'too-large': 400,
  'not-found': 404,
  conflict: 400,
  unauthenticated: 401,
  forbidden: 403,
  upstream: 502,
  internal: 500,
};

export function visionError(error: unknown): HttpResult {
  if (isTesseraError(error) && error.kind !== 'internal') return envelope(STATUS[error.kind], error.message);
  return envelope(500, 'internal error');
}
