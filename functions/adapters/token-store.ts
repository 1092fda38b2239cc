import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { withUsed, type RefreshSlot } from '../core/access-token.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
import { secretSealer } from './secret-sealer.ts';

/**
 * The tokens table: the access-token signing key (`signing-key#<kid>`), and each client's refresh
 * tokens: a grant counter (`refresh#<client id>`) and 25 slots (`refresh#<client id>#<slot>`),
 * hashes only. Nothing here is looked up to verify an access token except the key, once per
 * container.
 */

/**
 * What the signing key is sealed under (KMS encryption context / AES-GCM associated data). Not a
 * possible client id (client ids have no ":" or "/"), so a client's sealed secret never opens as
 * the key, nor the key as a secret; IAM lets the auth functions encrypt only under this context.
 */
export const SIGNING_KEY_SEAL_CONTEXT = 'tessera:access-token-signing-key/v1';

const keyItem = (keyId: string) => `signing-key#${keyId}`;
const refreshItem = (clientId: string) => `refresh#${clientId}`;

interface SigningKeyRecord {
  readonly tokenKey: string;
  readonly sealedKey: string;
  readonly createdAt: string;
}

/** One item of the tokens table, read consistently (also service-token-store.ts's). */
export async function readTokenItem<T>(tokenKey: string): Promise<T | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: tableName('tokens'), Key: { tokenKey }, ConsistentRead: true }));
  return result.Item as T | undefined;
}

export const signingKeys = {
  /** The key, opened; undefined when none was ever made. */
  async read(keyId: string): Promise<Buffer | undefined> {
    const record = await readTokenItem<SigningKeyRecord>(keyItem(keyId));
    if (!record) return undefined;
    return Buffer.from(await secretSealer().open(record.sealedKey, SIGNING_KEY_SEAL_CONTEXT), 'base64url');
  },

  /**
   * Makes the key: 256 random bits, sealed, stored only if no key is there yet. Whoever loses
   * that race reads and answers the winner's key, so every container signs with the same one.
   */
  async create(keyId: string): Promise<Buffer> {
    const key = randomBytes(32);
    const record: SigningKeyRecord = {
      tokenKey: keyItem(keyId),
      sealedKey: await secretSealer().seal(key.toString('base64url'), SIGNING_KEY_SEAL_CONTEXT),
      createdAt: new Date().toISOString(),
    };
    const created = await conditionalWrite({
      put: { TableName: tableName('tokens'), Item: record, ConditionExpression: 'attribute_not_exists(tokenKey)' },
    });
    if (created.won) return key;
    const winner = await this.read(keyId);
    if (!winner) throw new Error(`signing key ${keyId} lost its creation race, yet cannot be read`);
    return winner;
  },
};

/** A slot's item outlives its token by a day, so that a late replay is still recognised as one. */
const DAY_SECONDS = 24 * 3600;

/** A refresh slot as stored: the token's expiry is `tokenExpiresAt`; `expiresAt` is the item's TTL. */
interface SlotRecord extends Omit<RefreshSlot, 'expiresAt'> {
  readonly tokenKey: string;
  readonly tokenExpiresAt: number;
  readonly expiresAt: number;
}

const slotKey = (clientId: string, slot: number) => `${refreshItem(clientId)}#${slot}`;
const itemExpiry = (tokenExpiresAt: number) => Math.ceil(tokenExpiresAt / 1000) + DAY_SECONDS;

export const refreshTokenStore = {
  /**
   * The sequence number of the client's next client-credentials grant: an atomic counter, so
   * concurrent grants never contend, and each gets its own number (and so the next slot).
   */
  async nextGrant(clientId: string): Promise<number> {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: tableName('tokens'),
        Key: { tokenKey: refreshItem(clientId) },
        UpdateExpression: 'ADD #grants :one',
        ExpressionAttributeNames: { '#grants': 'grants' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.grants);
  },

  async read(clientId: string, slot: number): Promise<RefreshSlot | undefined> {
    const record = await readTokenItem<SlotRecord>(slotKey(clientId, slot));
    if (!record) return undefined;
    const { tokenKey: _key, expiresAt: _ttl, tokenExpiresAt, ...value } = record;
    return { ...value, expiresAt: tokenExpiresAt };
  },

  /** Puts a new family in the slot, replacing whatever was there (a grant's eviction of the oldest family). */
  async begin(clientId: string, slot: number, value: RefreshSlot): Promise<void> {
    const { expiresAt, ...rest } = value;
    const record: SlotRecord = { tokenKey: slotKey(clientId, slot), ...rest, tokenExpiresAt: expiresAt, expiresAt: itemExpiry(expiresAt) };
    await dynamo().send(new PutCommand({ TableName: tableName('tokens'), Item: record }));
  },

  /**
   * Replaces the slot's current token `from` by the next of its family, if `from` is still
   * current: false when someone else used it (or a grant replaced the family) first.
   */
  async rotate(
    clientId: string,
    slot: number,
    from: RefreshSlot,
    next: { hash: string; issuedAt: number; expiresAt: number },
  ): Promise<boolean> {
    const written = await conditionalWrite({
      update: {
        TableName: tableName('tokens'),
        Key: { tokenKey: slotKey(clientId, slot) },
        UpdateExpression: 'SET #hash = :next, #used = :used, issuedAt = :issuedAt, tokenExpiresAt = :tokenExpiresAt, expiresAt = :ttl',
        ConditionExpression: '#hash = :current',
        ExpressionAttributeNames: { '#hash': 'hash', '#used': 'used' },
        ExpressionAttributeValues: {
          ':next': next.hash,
          ':used': withUsed(from.used, from.hash!),
          ':issuedAt': next.issuedAt,
          ':tokenExpiresAt': next.expiresAt,
          ':ttl': itemExpiry(next.expiresAt),
          ':current': from.hash,
        },
      },
    });
    return written.won;
  },

  /** Revokes the family in the slot (if a later grant has not replaced it): its current token stops working. */
  async revoke(clientId: string, slot: number, family: number): Promise<void> {
    await conditionalWrite({
      update: {
        TableName: tableName('tokens'),
        Key: { tokenKey: slotKey(clientId, slot) },
        UpdateExpression: 'REMOVE #hash',
        ConditionExpression: '#family = :family',
        ExpressionAttributeNames: { '#hash': 'hash', '#family': 'family' },
        ExpressionAttributeValues: { ':family': family },
      },
    });
  },
};
