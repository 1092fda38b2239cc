import type { TableName } from './resources.ts';

/**
 * Every HTTP route Tessera serves. The CDK stack makes one API Gateway route and one Lambda per
 * group from this table; the local server dispatches on it. `handler` is the module, relative to
 * functions/, whose `handler` export serves the route.
 */
export type Dialect = 'platform' | 'storage' | 'ost' | 'ci' | 'kmp' | 'vision';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly dialect: Dialect;
  readonly group: string;
  readonly handler: string;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', dialect: 'platform', group: 'platform', handler: 'platform/health.ts' },
  { method: 'POST', path: '/upload', dialect: 'storage', group: 'storage', handler: 'storage/upload.ts' },
  { method: 'GET', path: '/get_file_info', dialect: 'storage', group: 'storage', handler: 'storage/get-file-info.ts' },
  { method: 'POST', path: '/get_file_info', dialect: 'storage', group: 'storage', handler: 'storage/get-file-info.ts' },
  { method: 'POST', path: '/file/upload', dialect: 'ost', group: 'ost', handler: 'ost/simple-upload.ts' },
  { method: 'POST', path: '/file/mpupload/init', dialect: 'ost', group: 'ost', handler: 'ost/init.ts' },
  { method: 'POST', path: '/file/mpupload/upload', dialect: 'ost', group: 'ost', handler: 'ost/upload-slice.ts' },
  { method: 'POST', path: '/file/mpupload/presign', dialect: 'ost', group: 'ost', handler: 'ost/presign.ts' },
  { method: 'POST', path: '/file/mpupload/complete', dialect: 'ost', group: 'ost', handler: 'ost/complete.ts' },
  { method: 'POST', path: '/file/mpupload/cancel', dialect: 'ost', group: 'ost', handler: 'ost/cancel.ts' },
];

export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;

export function routeGroups(routes: readonly Route[] = ROUTES): Map<string, Route[]> {
  const groups = new Map<string, Route[]>();
  for (const route of routes) groups.set(route.group, [...(groups.get(route.group) ?? []), route]);
  return groups;
}

/**
 * What each group's Lambda may do, for least-privilege IAM: exact actions, on the bucket's
 * objects, on the bucket itself, on named tables (and their indexes when it queries them).
 */
export interface GroupAccess {
  readonly objectActions?: readonly string[];
  readonly bucketActions?: readonly string[];
  readonly tables?: Readonly<Partial<Record<TableName, readonly string[]>>>;
  readonly openSecrets?: boolean;
}

const READ_CLIENTS = ['dynamodb:GetItem', 'dynamodb:Query'];
const CLAIM_OBJECTS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

export const GROUP_ACCESS: Readonly<Record<string, GroupAccess>> = {
  platform: {},
  storage: {
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    // Without ListBucket, S3 answers 403 instead of 404 for a key that does not exist.
    bucketActions: ['s3:ListBucket'],
    tables: { clients: READ_CLIENTS, objects: CLAIM_OBJECTS },
  },
  ost: {
    // PutObject covers Create/UploadPart/Complete; DeleteObject clears staged slices.
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
    bucketActions: ['s3:ListBucket'],
    tables: {
      clients: ['dynamodb:GetItem'],
      uploads: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
    },
    openSecrets: true,
  },
};
