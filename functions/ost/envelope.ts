import { randomBytes } from 'node:crypto';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { isTesseraError, type ErrorKind } from '../core/errors.ts';
import { jsonResult, type HttpEvent, type HttpResult } from '../http/http-handler.ts';

/**
 * The xfyun upload envelope `{code, sid, data, message}` and its codes (seed 001):
 * 0 success; 10001 bad request (fields, slices, signature); 10002 S3 failed; 10003 DynamoDB
 * failed; 10004 the key service (KMS) failed, in the seed's "cache" slot; 10005 upload expired
 * or unknown; 10006 any other I/O failure; 10007 (task push) is not produced by uploads.
 */
export const OST_CODES = {
  ok: 0,
  badRequest: 10001,
  storage: 10002,
  database: 10003,
  cache: 10004,
  expired: 10005,
  io: 10006,
  taskPush: 10007,
} as const;

/** Route tags as in the seed's sample sids (ost00010002 upload, …04 init, …06 slice, …08 complete, …0c cancel). */
export type OstRoute = '0002' | '0004' | '0006' | '0008' | '000c' | '000e';

const sid = (route: OstRoute) => `ost0001${route}@dx${Date.now().toString(16)}${randomBytes(3).toString('hex')}`;

export const ostOk = (route: OstRoute, data?: unknown): HttpResult =>
  jsonResult(200, { code: OST_CODES.ok, sid: sid(route), ...(data === undefined ? {} : { data }), message: 'success' });

const KIND_STATUS: Record<ErrorKind, [number, number]> = {
  'invalid-input': [OST_CODES.badRequest, 400],
  unauthenticated: [OST_CODES.badRequest, 401],
  forbidden: [OST_CODES.badRequest, 403],
  conflict: [OST_CODES.badRequest, 409],
  'too-large': [OST_CODES.badRequest, 413],
  'not-found': [OST_CODES.expired, 404],
  upstream: [OST_CODES.io, 502],
  internal: [OST_CODES.io, 500],
};

/** Where a body too large for one request can go instead. */
const LARGER_FILES =
  'send larger files in slices (/file/mpupload/init, then /file/mpupload/upload), or slices of any size straight to S3 with presigned URLs from /file/mpupload/presign';

function classify(error: unknown): { code: number; status: number; message: string } {
  if (isTesseraError(error) && error.kind !== 'internal') {
    const [code, status] = KIND_STATUS[error.kind];
    return { code, status, message: error.kind === 'too-large' ? `${error.message}; ${LARGER_FILES}` : error.message };
  }
  if (error instanceof S3ServiceException) return { code: OST_CODES.storage, status: 500, message: 'storage (S3) operation failed' };
  if (error instanceof DynamoDBServiceException) return { code: OST_CODES.database, status: 500, message: 'database operation failed' };
  if (error instanceof KMSServiceException) return { code: OST_CODES.cache, status: 500, message: 'key service operation failed' };
  return { code: OST_CODES.io, status: 500, message: 'I/O operation failed' };
}

export const ostError =
  (route: OstRoute) =>
  (error: unknown): HttpResult => {
    const { code, status, message } = classify(error);
    return jsonResult(status, { code, sid: sid(route), message });
  };

/** Each route's tag in the sids it answers with. */
export const ROUTE_TAGS: Readonly<Record<string, OstRoute>> = {
  'POST /file/upload': '0002',
  'POST /file/mpupload/init': '0004',
  'POST /file/mpupload/upload': '0006',
  'POST /file/mpupload/complete': '0008',
  'POST /file/mpupload/cancel': '000c',
  'POST /file/mpupload/presign': '000e',
};

export const routeTag = (event: HttpEvent): OstRoute => ROUTE_TAGS[event.routeKey] ?? '0002';
