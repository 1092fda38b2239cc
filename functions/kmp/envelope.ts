import { isTesseraError, type ErrorKind } from '../core/errors.ts';
import { jsonResult, type HttpResult } from '../http/http-handler.ts';

/**
 * KooMap's error body `{"error_code": "KMP.xxxxxxxx", "error_msg": "…"}` (reference/kmp.md §4).
 * Known codes are kept: KMP.00011004 invalid parameters; KMP.00021148 and KMP.00021149 for a
 * subtask's upload status. The rest are Tessera's own, in the same shape (docs/kmp.md lists them).
 */
export const KMP_CODES = {
  invalidParameters: ['KMP.00011004', 400],
  unauthorized: ['KMP.00011001', 401],
  disabled: ['KMP.00011003', 403],
  notFound: ['KMP.00021101', 404],
  stateNotAllowed: ['KMP.00021102', 400],
  duplicateName: ['KMP.00021103', 400],
  limitReached: ['KMP.00021104', 400],
  busy: ['KMP.00021105', 409],
  uploadStateNotAllowed: ['KMP.00021148', 400],
  invalidUploadStatus: ['KMP.00021149', 400],
  tooLarge: ['KMP.00011005', 413],
  upstream: ['KMP.00011006', 502],
  internal: ['KMP.00010001', 500],
} as const satisfies Record<string, readonly [string, number]>;

type KmpCode = keyof typeof KMP_CODES;

const BY_KIND: Record<ErrorKind, KmpCode> = {
  'invalid-input': 'invalidParameters',
  unauthenticated: 'unauthorized',
  forbidden: 'disabled',
  'not-found': 'notFound',
  conflict: 'stateNotAllowed',
  'too-large': 'tooLarge',
  upstream: 'upstream',
  internal: 'internal',
};

/** Reasons the core (or this dialect) gives that have codes of their own. */
const BY_REASON: Readonly<Record<string, KmpCode>> = {
  StateNotAllowed: 'stateNotAllowed',
  Busy: 'busy',
  Duplicate: 'duplicateName',
  LimitReached: 'limitReached',
  UploadStateNotAllowed: 'uploadStateNotAllowed',
  InvalidUploadStatus: 'invalidUploadStatus',
  // A token's client disabled since it was issued: refused as AK/SK refuses it (client-auth.ts).
  disabled: 'disabled',
};

export function kmpError(error: unknown): HttpResult {
  if (!isTesseraError(error) || error.kind === 'internal') {
    const [code, status] = KMP_CODES.internal;
    return jsonResult(status, { error_code: code, error_msg: 'internal error' });
  }
  const [code, status] = KMP_CODES[(error.reason && BY_REASON[error.reason]) || BY_KIND[error.kind]];
  return jsonResult(status, { error_code: code, error_msg: error.message });
}

export const kmpOk = (body: unknown): HttpResult => jsonResult(200, body);

/** The actions KooMap answers with the bare JSON literal `true`. */
export const kmpTrue = (): HttpResult => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: 'true' });
