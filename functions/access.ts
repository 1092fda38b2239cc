import type { QueueName, TableName } from './resources.ts';

/**
 * What each group's Lambda may do, for least-privilege IAM: exact actions, on the bucket's
 * objects, on the bucket itself, on named tables (and their indexes when it queries them).
 */
export interface GroupAccess {
  readonly objectActions?: readonly string[];
  readonly bucketActions?: readonly string[];
  readonly tables?: Readonly<Partial<Record<TableName, readonly string[]>>>;
  readonly openSecrets?: boolean;
  /** Queues it sends to. */
  readonly queues?: readonly QueueName[];
}

const READ_CLIENTS = ['dynamodb:GetItem', 'dynamodb:Query'];
const CLAIM_OBJECTS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** Keyed by route group (functions/routes.ts) or scheduled job (functions/schedules.ts). */
export const GROUP_ACCESS: Readonly<Record<string, GroupAccess>> = {
  platform: {},
  storage: {
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    // Without ListBucket, S3 answers 403 instead of 404 for a key that does not exist.
    bucketActions: ['s3:ListBucket'],
    // /panorama records and queues its build task.
    tables: { clients: READ_CLIENTS, objects: CLAIM_OBJECTS, tasks: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    queues: ['jobsLevel0'],
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
  ci: {
    // HeadObject of inputs at submit, and a ranged read of their header to check the output size
    // (ListBucket makes a missing key a 404, not a 403).
    objectActions: ['s3:GetObject'],
    bucketActions: ['s3:ListBucket'],
    tables: {
      clients: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      tasks: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      templates: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    },
    queues: ['jobsLevel0', 'jobsLevel1', 'jobsLevel2'],
    openSecrets: true,
  },
  worker: {
    // PutObjectTagging: tiles of public namespaces are written with the tag CloudFront may read.
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging'],
    bucketActions: ['s3:ListBucket'],
    tables: { clients: ['dynamodb:GetItem'], tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    queues: ['callbacks'],
  },
  callbacks: {
    tables: { clients: ['dynamodb:GetItem'], tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    queues: ['callbacks'],
    openSecrets: true,
  },
  'dead-letters': {
    tables: { tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    queues: ['callbacks'],
  },
  'requeue-stranded': {
    tables: { tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] },
    queues: ['jobsLevel0', 'jobsLevel1', 'jobsLevel2', 'callbacks'],
  },
  'expire-uploads': {
    objectActions: ['s3:AbortMultipartUpload', 's3:DeleteObject'],
    bucketActions: ['s3:ListBucket'],
    tables: { uploads: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] },
  },
};
