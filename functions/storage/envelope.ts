import { isTesseraError, type ErrorKind } from '../core/errors.ts';
import { jsonResult, type HttpResult } from '../http/http-handler.ts';

/**
 * The storage API's envelope: `{message, msg_code}`, HTTP 200 with msg_code 1 on success and
 * HTTP 400 with msg_code 0 on failure. Credentials problems keep the envelope but say 401/403,
 * so clients that only look at msg_code still see a failure.
 */
export const storageOk = (message: unknown, msgCode: 0 | 1 = 1): HttpResult => jsonResult(200, { message, msg_code: msgCode });

const STATUS: Record<ErrorKind, number> = {
  'invalid-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 400,
  conflict: 400,
  'too-large': 400,
  upstream: 400,
  internal: 500,
};

export function storageError(error: unknown): HttpResult {
  if (isTesseraError(error) && error.kind !== 'internal') {
    return jsonResult(STATUS[error.kind], { message: error.message, msg_code: 0 });
  }
  return jsonResult(500, { message: 'internal error', msg_code: 0 });
}
