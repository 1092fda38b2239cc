import { randomUUID } from 'node:crypto';
import { conflict } from '../core/errors.ts';
import { tableName } from '../resources.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * Who is writing which object name. S3 has no "create only if absent" that every emulator
 * honours, so the name is claimed with a conditional write here first: of two racing uploads
 * with overwrite=0, exactly one gets the claim. A claim is a lease, so a writer that dies
 * mid-upload blocks the name only until the lease runs out.
 */
export interface WriteClaim {
  readonly objectKey: string;
  readonly claimId: string;
}

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

export const objectLedger = {
  async claim(objectKey: string, clientId: string, options: { overwrite: boolean; leaseMs: number }): Promise<WriteClaim> {
    const now = Date.now();
    const claimId = randomUUID();
    const claimed = await conditionalWrite({
      put: {
        TableName: tableName('objects'),
        Item: {
          objectKey,
          claimId,
          clientId,
          state: 'writing',
          leaseUntil: now + options.leaseMs,
          // An abandoned claim disappears on its own a day after its lease.
          expiresAt: epochSeconds(now + options.leaseMs) + 86_400,
        },
        ConditionExpression: options.overwrite ? undefined : 'attribute_not_exists(objectKey) OR (#state = :writing AND leaseUntil < :now)',
        ExpressionAttributeNames: options.overwrite ? undefined : { '#state': 'state' },
        ExpressionAttributeValues: options.overwrite ? undefined : { ':writing': 'writing', ':now': now },
      },
    });
    if (!claimed.won) throw conflict(`file ${objectKey} already exists`);
    return { objectKey, claimId };
  },

  /** Marks the name as holding a stored object; a no-op if a later writer took the claim over. */
  async commit(claim: WriteClaim, details: { size: number; etag: string }): Promise<void> {
    await conditionalWrite({
      update: {
        TableName: tableName('objects'),
        Key: { objectKey: claim.objectKey },
        UpdateExpression: 'SET #state = :stored, #size = :size, etag = :etag, storedAt = :now REMOVE leaseUntil, expiresAt',
        ConditionExpression: 'claimId = :claimId',
        ExpressionAttributeNames: { '#state': 'state', '#size': 'size' },
        ExpressionAttributeValues: {
          ':stored': 'stored',
          ':size': details.size,
          ':etag': details.etag,
          ':now': new Date().toISOString(),
          ':claimId': claim.claimId,
        },
      },
    });
  },

  /** Gives a name back after a failed write that stored nothing. */
  async release(claim: WriteClaim): Promise<void> {
    await conditionalWrite({
      delete: {
        TableName: tableName('objects'),
        Key: { objectKey: claim.objectKey },
        ConditionExpression: 'claimId = :claimId AND #state = :writing',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':claimId': claim.claimId, ':writing': 'writing' },
      },
    });
  },
};

export type ObjectLedger = typeof objectLedger;
