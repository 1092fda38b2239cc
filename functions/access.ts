import { SIGNING_KEY_SEAL_CONTEXT } from './adapters/token-store.ts';
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
  /**
   * Encryption contexts (the sealer's `clientId`) under which it may seal with the KMS key: only
   * these, so a function that seals its own keys cannot forge a client's sealed secret.
   */
  readonly sealContexts?: readonly string[];
  /** Queues it sends to. */
  readonly queues?: readonly QueueName[];
}

const READ_CLIENTS = ['dynamodb:GetItem', 'dynamodb:Query'];
const CLAIM_OBJECTS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
/**
 * Whoever changes a task's state also settles a count change a dead writer left on it: it reads
 * and fences the task (an UpdateItem, or a PutItem tombstone for an id never created) and writes
 * the owner's counter.
 */
const CHANGE_TASKS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const COUNT_TASKS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
/**
 * What checking an access token needs (clientAuth.byAccessToken), for the groups that will take
 * them (kmp's X-Auth-Token, vision's oauth_token): the client, and the signing key once per
 * container, opened with KMS. The tokens table holds nothing else worth reading: refresh tokens
 * are there only as SHA-256 hashes of 256 random bits.
 */
export const VERIFY_ACCESS_TOKENS = {
  tables: { clients: ['dynamodb:GetItem'], tokens: ['dynamodb:GetItem'] },
  openSecrets: true,
} as const satisfies GroupAccess;

/**
 * The large-body server's own work (server/streamed-route.ts), beside its routes' groups: it spools
 * each file part of a request under _staging/requests/, reads it back, and removes them all.
 */
export const STAGE_REQUEST_BODIES = {
  objectActions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject', 's3:DeleteObject'],
  bucketActions: ['s3:ListBucket'],
} as const satisfies GroupAccess;

const union = (lists: readonly (readonly string[] | undefined)[]) => [...new Set(lists.flatMap((list) => list ?? []))];

/** Everything any of `accesses` may do (for a server that runs the routes of several groups). */
export function unionAccess(accesses: readonly GroupAccess[]): GroupAccess {
  const tableNames = union(accesses.map((access) => Object.keys(access.tables ?? {}))) as TableName[];
  return {
    objectActions: union(accesses.map((access) => access.objectActions)),
    bucketActions: union(accesses.map((access) => access.bucketActions)),
    tables: Object.fromEntries(tableNames.map((name) => [name, union(accesses.map((access) => access.tables?.[name]))])),
    queues: union(accesses.map((access) => access.queues)) as QueueName[],
    openSecrets: accesses.some((access) => access.openSecrets),
    sealContexts: union(accesses.map((access) => access.sealContexts)),
  };
}

/** Keyed by route group (functions/routes.ts) or scheduled job (functions/schedules.ts). */
export const GROUP_ACCESS: Readonly<Record<string, GroupAccess>> = {
  platform: {},
  storage: {
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    // Without ListBucket, S3 answers 403 instead of 404 for a key that does not exist.
    bucketActions: ['s3:ListBucket'],
    // /panorama records and queues its build task.
    tables: { clients: READ_CLIENTS, objects: CLAIM_OBJECTS, tasks: CHANGE_TASKS, taskCounts: COUNT_TASKS },
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
      tasks: [...CHANGE_TASKS, 'dynamodb:Query'],
      taskCounts: COUNT_TASKS,
      templates: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    },
    queues: ['jobsLevel0', 'jobsLevel1', 'jobsLevel2'],
    openSecrets: true,
  },
  kmp: {
    // AK/SK signatures open the client's secret; X-Auth-Token is checked against the signing key.
    ...VERIFY_ACCESS_TOKENS,
    // Inputs are checked (HEAD, a ranged read of the header) when a task is made and started.
    objectActions: ['s3:GetObject'],
    bucketActions: ['s3:ListBucket'],
    tables: {
      ...VERIFY_ACCESS_TOKENS.tables,
      workspaces: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      // BatchGetItem: a listing's page of tasks is read again, strongly, by id (task-listing.ts).
      tasks: [...CHANGE_TASKS, 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem'],
      taskCounts: [...COUNT_TASKS, 'dynamodb:BatchGetItem'],
      templates: ['dynamodb:GetItem'],
    },
    queues: ['jobsLevel0', 'jobsLevel1', 'jobsLevel2'],
  },
  vision: {
    // oauth_token: an access token (the signing key) or a service token (one GetItem by its hash).
    ...VERIFY_ACCESS_TOKENS,
    // Images over the held size are read back from staging; each space's packed faces are written,
    // read and (after a compaction or truncate) removed under _faces/, listed to find the old ones.
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    bucketActions: ['s3:ListBucket'],
    tables: { ...VERIFY_ACCESS_TOKENS.tables, faceSpaces: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
  },
  worker: {
    // PutObjectTagging: tiles of public namespaces are written with the tag CloudFront may read.
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging'],
    bucketActions: ['s3:ListBucket'],
    // objects: a panorama build holds its set's lease there (adapters/set-builds.ts).
    tables: { clients: ['dynamodb:GetItem'], objects: CLAIM_OBJECTS, tasks: CHANGE_TASKS, taskCounts: COUNT_TASKS },
    // Job queues: a job it paused just as its queue was made Active is sent again (process-task.ts).
    queues: ['jobsLevel0', 'jobsLevel1', 'jobsLevel2', 'callbacks'],
  },
  callbacks: {
    tables: { clients: ['dynamodb:GetItem'], tasks: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    queues: ['callbacks'],
    openSecrets: true,
  },
  'dead-letters': {
    tables: { tasks: CHANGE_TASKS, taskCounts: COUNT_TASKS },
    queues: ['callbacks'],
  },
  'requeue-stranded': {
    // Also settles count changes that dead writers left in flight (a scan of the counters).
    // Clients: whether a paused task's queue is Active again.
    tables: { clients: ['dynamodb:GetItem'], tasks: [...CHANGE_TASKS, 'dynamodb:Query'], taskCounts: [...COUNT_TASKS, 'dynamodb:Scan'] },
    queues: ['jobsLevel0', 'jobsLevel1', 'jobsLevel2', 'callbacks'],
  },
  auth: {
    // Client secrets and the signing key are opened (Decrypt); the signing key is sealed and put
    // once, by whichever request comes first. Refresh tokens: a grant counts itself (UpdateItem)
    // and puts its slot; a refresh reads the slot and rotates or revokes it (UpdateItem).
    tables: { clients: ['dynamodb:GetItem'], tokens: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    openSecrets: true,
    sealContexts: [SIGNING_KEY_SEAL_CONTEXT],
  },
  'expire-uploads': {
    objectActions: ['s3:AbortMultipartUpload', 's3:DeleteObject'],
    bucketActions: ['s3:ListBucket'],
    tables: { uploads: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] },
  },
};
