import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../core/errors.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { isConditionFailure } from './dynamo-errors.ts';

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
    try {
      await dynamo().send(
        new PutCommand({
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
          ConditionExpression: options.overwrite
            ? undefined
            : 'attribute_not_exists(objectKey) OR (#state = :writing AND leaseUntil < :now)',
          ExpressionAttributeNames: options.overwrite ? undefined : { '#state': 'state' },
          ExpressionAttributeValues: options.overwrite ? undefined : { ':writing': 'writing', ':now': now },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw conflict(`file ${objectKey} already exists`);
      throw error;
    }
    return { objectKey, claimId };
  },

  /** Marks the name as holding a stored object; a no-op if a later writer took the claim over. */
  async commit(claim: WriteClaim, details: { size: number; etag: string }): Promise<void> {
    try {
      await dynamo().send(
        new UpdateCommand({
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
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },

  /** Gives a name back after a failed write that stored nothing. */
  async release(claim: WriteClaim): Promise<void> {
    try {
      await dynamo().send(
        new DeleteCommand({
          TableName: tableName('objects'),
          Key: { objectKey: claim.objectKey },
          ConditionExpression: 'claimId = :claimId AND #state = :writing',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimId': claim.claimId, ':writing': 'writing' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
};

export type ObjectLedger = typeof objectLedger;
