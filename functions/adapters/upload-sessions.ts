import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../core/errors.ts';
import { isUploadId } from '../core/upload-id.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
import { queryAll } from './dynamo-pages.ts';

export type SessionState = 'open' | 'completing' | 'completed' | 'cancelled' | 'expired';
export type SliceMode = 'proxied' | 'presigned';

export interface UploadSession {
  readonly uploadId: string;
  readonly clientId: string;
  readonly objectKey: string;
  readonly s3UploadId: string;
  readonly state: SessionState;
  readonly mode?: SliceMode;
  readonly createdAt: string;
  readonly expiresAtMs: number;
  /** First part not yet assembled from staged slices (proxied mode). */
  readonly nextPart: number;
  readonly lockToken?: string;
  readonly lockUntil?: number;
  readonly url?: string;
}

/** Whose upload and which: every read and write names both, so no client reaches another's session. */
export interface SessionKey {
  readonly clientId: string;
  readonly uploadId: string;
}

export interface SliceRecord {
  readonly sliceId: number;
  readonly size: number;
  /** Changes every time the slice is sent again; parts remember the revisions they hold. */
  readonly rev: string;
  readonly stagedKey?: string;
}

export interface PartRecord {
  readonly partNumber: number;
  readonly offset: number;
  readonly size: number;
  readonly etag: string;
  /** What it was made of: each piece's slice, that slice's revision and the byte range taken (`<slice id>:<rev>:<start>-<end>`, in order). */
  readonly revs: string;
}

const SESSION = 'session';
const partition = (key: SessionKey) => `${key.clientId}/${key.uploadId}`;
const sliceItem = (sliceId: number) => `slice#${String(sliceId).padStart(5, '0')}`;
const partItem = (partNumber: number) => `part#${String(partNumber).padStart(5, '0')}`;
// Records outlive their session by a week, so late requests still get "expired", then vanish.
const retention = (expiresAtMs: number) => Math.floor(expiresAtMs / 1000) + 7 * 86_400;

const queryItems = <T>(key: SessionKey, prefix: string) =>
  queryAll<T>({
    TableName: tableName('uploads'),
    KeyConditionExpression: 'sessionKey = :key AND begins_with(#item, :prefix)',
    ExpressionAttributeNames: { '#item': 'item' },
    ExpressionAttributeValues: { ':key': partition(key), ':prefix': prefix },
    ConsistentRead: true,
  });

/** Runs a conditional update of the session item; false when the condition did not hold (someone else won). */
async function updateIf(
  key: SessionKey,
  update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
): Promise<boolean> {
  const written = await conditionalWrite({
    update: { TableName: tableName('uploads'), Key: { sessionKey: partition(key), item: SESSION }, ...update },
  });
  return written.won;
}

/**
 * Upload sessions, their slices and their assembled parts, one DynamoDB partition per session,
 * keyed by the owning client and the upload id together. Part records live here, not in S3's
 * ListParts, so the same code runs on every S3 emulator.
 */
export const uploadSessions = {
  async create(session: UploadSession): Promise<void> {
    const created = await conditionalWrite({
      put: {
        TableName: tableName('uploads'),
        Item: { ...session, sessionKey: partition(session), item: SESSION, openState: 'open', expiresAt: retention(session.expiresAtMs) },
        ConditionExpression: 'attribute_not_exists(sessionKey)',
      },
    });
    if (!created.won) throw conflict(`upload ${session.uploadId} already exists`);
  },

  /** The session, or undefined when this client has none by that id (a malformed id is never looked up). */
  async get(key: SessionKey): Promise<UploadSession | undefined> {
    if (!isUploadId(key.uploadId)) return undefined;
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName('uploads'), Key: { sessionKey: partition(key), item: SESSION }, ConsistentRead: true }),
    );
    return result.Item as UploadSession | undefined;
  },

  /** Fixes how the session's slices travel; true if it was unset or already that way. */
  setMode(key: SessionKey, mode: SliceMode): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET #mode = :mode',
      ConditionExpression: '#state = :open AND (attribute_not_exists(#mode) OR #mode = :mode)',
      ExpressionAttributeNames: { '#mode': 'mode', '#state': 'state' },
      ExpressionAttributeValues: { ':mode': mode, ':open': 'open' },
    });
  },

  async putSlice(key: SessionKey, slice: SliceRecord, expiresAtMs: number): Promise<void> {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('uploads'),
        Item: { sessionKey: partition(key), item: sliceItem(slice.sliceId), ...slice, expiresAt: retention(expiresAtMs) },
      }),
    );
  },

  slices: (key: SessionKey) => queryItems<SliceRecord>(key, 'slice#'),
  parts: (key: SessionKey) => queryItems<PartRecord>(key, 'part#'),

  async putPart(key: SessionKey, part: PartRecord, expiresAtMs: number): Promise<void> {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('uploads'),
        Item: { sessionKey: partition(key), item: partItem(part.partNumber), ...part, expiresAt: retention(expiresAtMs) },
      }),
    );
  },

  /** Takes the right to assemble the parts from `nextPart` on; one holder at a time. */
  lockAssembly(key: SessionKey, nextPart: number, token: string, now: number, leaseMs: number): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET lockToken = :token, lockUntil = :until',
      ConditionExpression: '#state = :open AND nextPart = :next AND (attribute_not_exists(lockToken) OR lockUntil < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':token': token, ':until': now + leaseMs, ':open': 'open', ':next': nextPart, ':now': now },
    });
  },

  finishAssembly(key: SessionKey, token: string, nextPart: number): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET nextPart = :part REMOVE lockToken, lockUntil',
      ConditionExpression: 'lockToken = :token',
      ExpressionAttributeValues: { ':part': nextPart, ':token': token },
    });
  },

  /** open → completing, unless another request holds the session (a crashed one's lease runs out). */
  beginComplete(key: SessionKey, token: string, now: number, leaseMs: number): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET #state = :completing, lockToken = :token, lockUntil = :until',
      ConditionExpression: '(#state = :open OR #state = :completing) AND (attribute_not_exists(lockToken) OR lockUntil < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':completing': 'completing', ':open': 'open', ':token': token, ':until': now + leaseMs, ':now': now },
    });
  },

  finishComplete(key: SessionKey, token: string, url: string): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET #state = :completed, #url = :url, completedAt = :at REMOVE lockToken, lockUntil, openState',
      ConditionExpression: 'lockToken = :token',
      ExpressionAttributeNames: { '#state': 'state', '#url': 'url' },
      ExpressionAttributeValues: { ':completed': 'completed', ':url': url, ':at': new Date().toISOString(), ':token': token },
    });
  },

  /** completing → open after a complete that failed on the client's input, so it can fix and retry. */
  abandonComplete(key: SessionKey, token: string): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET #state = :open REMOVE lockToken, lockUntil',
      ConditionExpression: 'lockToken = :token',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':open': 'open', ':token': token },
    });
  },

  /** Ends an open session as cancelled or expired; false if it was no longer open. */
  close(key: SessionKey, state: 'cancelled' | 'expired', now: number): Promise<boolean> {
    return updateIf(key, {
      UpdateExpression: 'SET #state = :state REMOVE openState, lockToken, lockUntil',
      ConditionExpression: '#state = :open OR (#state = :completing AND lockUntil < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':state': state, ':open': 'open', ':completing': 'completing', ':now': now },
    });
  },

  /** Sessions still open whose time ran out, oldest first. */
  async expiredOpen(now: number, limit: number): Promise<UploadSession[]> {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName('uploads'),
        IndexName: 'openSessions',
        KeyConditionExpression: 'openState = :open AND expiresAtMs < :now',
        ExpressionAttributeValues: { ':open': 'open', ':now': now },
        Limit: limit,
      }),
    );
    return (result.Items ?? []) as UploadSession[];
  },
};
