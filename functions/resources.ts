/**
 * The AWS resources Tessera needs, described once. The CDK stack builds them from this and the
 * local stack creates them in the emulators from this, so the two cannot drift apart.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** The attributes the index holds beside the keys; without it, the whole item. */
  readonly include?: readonly string[];
}

export interface TableDefinition {
  readonly id: string;
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  readonly ttlAttribute: string;
}

export const TABLES = {
  clients: {
    id: 'ClientsTable',
    envVar: 'TESSERA_CLIENTS_TABLE',
    partitionKey: { name: 'clientId', type: 'S' },
    indexes: [{ name: 'bySecretHash', partitionKey: { name: 'secretHash', type: 'S' } }],
    ttlAttribute: 'expiresAt',
  },
  objects: {
    id: 'ObjectsTable',
    envVar: 'TESSERA_OBJECTS_TABLE',
    partitionKey: { name: 'objectKey', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  uploads: {
    id: 'UploadsTable',
    envVar: 'TESSERA_UPLOADS_TABLE',
    // "<client id>/<upload id>": a session is found only through the client that opened it, so
    // another client's upload id reads exactly like one that never existed.
    partitionKey: { name: 'sessionKey', type: 'S' },
    sortKey: { name: 'item', type: 'S' },
    // Sparse: only sessions still open carry openState, so the sweeper reads just those.
    indexes: [{ name: 'openSessions', partitionKey: { name: 'openState', type: 'S' }, sortKey: { name: 'expiresAtMs', type: 'N' } }],
    ttlAttribute: 'expiresAt',
  },
  tasks: {
    id: 'TasksTable',
    envVar: 'TESSERA_TASKS_TABLE',
    // One partition per client, a task's subtasks beside it ("<task id>.<subtask id>"). Per-state
    // counts are kept apart, in taskCounts.
    partitionKey: { name: 'clientId', type: 'S' },
    sortKey: { name: 'taskId', type: 'S' },
    indexes: [
      // Sparse: only tasks whose queue message is not yet confirmed sent carry awaitingQueue.
      { name: 'awaitingQueue', partitionKey: { name: 'awaitingQueue', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
      // A workspace's tasks newest first: all but the archived ("<client>/<workspace>"), and by
      // state ("<client>/<workspace>/<state>"); with what list filters read (task-listing.ts).
      {
        name: 'workspaceListing',
        partitionKey: { name: 'listedIn', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
        include: ['state', 'kind', 'name', 'attributes', 'updatedAt'],
      },
      {
        name: 'workspaceStates',
        partitionKey: { name: 'stateIn', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
        include: ['state', 'kind', 'name', 'attributes', 'updatedAt'],
      },
    ],
    ttlAttribute: 'expiresAt',
  },
  taskCounts: {
    id: 'TaskCountsTable',
    envVar: 'TESSERA_TASK_COUNTS_TABLE',
    // One item per workspace ("workspace:<client>/<workspace>"): per-state counts, and the count
    // changes in flight.
    partitionKey: { name: 'scope', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  workspaces: {
    id: 'WorkspacesTable',
    envVar: 'TESSERA_WORKSPACES_TABLE',
    // Per client: one "directory" item holding every workspace (so names, the 500 limit and the
    // 4 stars hold in one conditional write), and one claim item per task name.
    partitionKey: { name: 'clientId', type: 'S' },
    sortKey: { name: 'item', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  templates: {
    id: 'TemplatesTable',
    envVar: 'TESSERA_TEMPLATES_TABLE',
    partitionKey: { name: 'clientId', type: 'S' },
    sortKey: { name: 'templateId', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  tokens: {
    id: 'TokensTable',
    envVar: 'TESSERA_TOKENS_TABLE',
    // "signing-key#<key id>": the access-token signing key, sealed; "refresh#<client id>" counts
    // the client's grants, "refresh#<client id>#<0-24>" are its 25 refresh-token slots (hashes only).
    partitionKey: { name: 'tokenKey', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  faceSpaces: {
    id: 'FaceSpacesTable',
    envVar: 'TESSERA_FACE_SPACES_TABLE',
    // One item per vision space ("<client id>/<space>"): its version, the packed base of its faces
    // in the bucket (under BUCKET.facesPrefix) and the changes made since, so a space is read in
    // one GetItem (plus the base, cached per container) and every write is one conditional update.
    partitionKey: { name: 'spaceKey', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof TABLES;

export const BUCKET = {
  id: 'FilesBucket',
  envVar: 'TESSERA_BUCKET',
  /** Days after which S3 aborts a multipart upload nobody completed. */
  abortIncompleteMultipartAfterDays: 2,
  /** Proxied slices wait here until they are assembled into parts; never a client namespace. */
  stagingPrefix: '_staging/',
  stagingExpiryDays: 2,
  /** Packed face descriptors of vision spaces ("<prefix><client id>/<space>/<version>"); never a client namespace. */
  facesPrefix: '_faces/',
  /** The tag on files of public namespaces: the bucket policy lets CloudFront read only those. */
  publicTag: { key: 'tessera-public', value: 'true' },
  /**
   * Pannellum's standalone viewer page (npm package `pannellum`), served beside the public sets:
   * it loads only a config on its own origin. Never a client namespace, which begins with a letter
   * or digit. Cached an hour, so a new Pannellum version reaches viewers without an invalidation.
   */
  viewer: { prefix: '_viewer/', page: 'pannellum.htm', maxAgeSeconds: 3600 },
} as const;

/** The viewer page's key in the bucket, and its path under the public base URL. */
export const VIEWER_KEY = `${BUCKET.viewer.prefix}${BUCKET.viewer.page}`;

export interface QueueDefinition {
  readonly id: string;
  readonly envVar: string;
  /** Longer than the consumer may run, so a message is not handed to two consumers at once. */
  readonly visibilityTimeoutSeconds: number;
  /** Key of the queue that takes messages that failed `maxReceiveCount` times. */
  readonly deadLetter?: QueueName;
  readonly maxReceiveCount?: number;
}

export const QUEUES = {
  jobsLevel0: {
    id: 'JobsLevel0Queue',
    envVar: 'TESSERA_JOBS_QUEUE_0_URL',
    visibilityTimeoutSeconds: 1800,
    deadLetter: 'jobsDead',
    maxReceiveCount: 5,
  },
  jobsLevel1: {
    id: 'JobsLevel1Queue',
    envVar: 'TESSERA_JOBS_QUEUE_1_URL',
    visibilityTimeoutSeconds: 1800,
    deadLetter: 'jobsDead',
    maxReceiveCount: 5,
  },
  jobsLevel2: {
    id: 'JobsLevel2Queue',
    envVar: 'TESSERA_JOBS_QUEUE_2_URL',
    visibilityTimeoutSeconds: 1800,
    deadLetter: 'jobsDead',
    maxReceiveCount: 5,
  },
  jobsDead: { id: 'JobsDeadLetterQueue', envVar: 'TESSERA_JOBS_DLQ_URL', visibilityTimeoutSeconds: 120 },
  callbacks: {
    id: 'CallbacksQueue',
    envVar: 'TESSERA_CALLBACKS_QUEUE_URL',
    visibilityTimeoutSeconds: 180,
    deadLetter: 'callbacksDead',
    maxReceiveCount: 5,
  },
  callbacksDead: { id: 'CallbacksDeadLetterQueue', envVar: 'TESSERA_CALLBACKS_DLQ_URL', visibilityTimeoutSeconds: 120 },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = 'jobsLevel0' | 'jobsLevel1' | 'jobsLevel2' | 'jobsDead' | 'callbacks' | 'callbacksDead';

/** JobLevel 0, 1, 2: a higher level is taken first when the pipeline is busy. */
export const JOB_QUEUES: readonly QueueName[] = ['jobsLevel0', 'jobsLevel1', 'jobsLevel2'];

export const queueUrl = (queue: QueueName): string => resourceName(QUEUES[queue].envVar);

/** Reads a resource name that the stack (or the local stack) put in the environment. */
export function resourceName(envVar: string): string {
  const value = process.env[envVar];
  if (!value) throw new Error(`${envVar} is not set: the function was started outside its stack`);
  return value;
}

export const tableName = (table: TableName): string => resourceName(TABLES[table].envVar);
export const bucketName = (): string => resourceName(BUCKET.envVar);
