import { randomUUID } from 'node:crypto';
import { tableName } from '../resources.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * Which build is writing a panorama set. Builds of one name can run at once on separate workers
 * (an overwrite=1 upload while the last build runs, the same original submitted again with other
 * qualities, two kmp tasks on one original), and their whole-object PUTs under `{key}/` would mix
 * into a set neither made. A build writes only while it holds the set's lease: an item of the
 * objects table keyed `{key}/`, which no object name can be (names never end in "/"). A lease,
 * so a build that dies blocks the name only until it runs out.
 */
export interface SetLease {
  readonly setKey: string;
  readonly holder: string;
  readonly leaseMs: number;
}

const setKeyOf = (originalKey: string) => `${originalKey}/`;
const epochSeconds = (ms: number) => Math.floor(ms / 1000);

export const setBuilds = {
  /** The set's lease for a new holder, if no other holds it or its lease ran out. */
  async take(originalKey: string, leaseMs: number): Promise<SetLease | undefined> {
    const now = Date.now();
    const lease = { setKey: setKeyOf(originalKey), holder: randomUUID(), leaseMs };
    const taken = await conditionalWrite({
      put: {
        TableName: tableName('objects'),
        Item: {
          objectKey: lease.setKey,
          claimId: lease.holder,
          state: 'building',
          leaseUntil: now + leaseMs,
          // A lease its holder never gave back disappears on its own a day after it ran out.
          expiresAt: epochSeconds(now + leaseMs) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(objectKey) OR leaseUntil < :now',
        ExpressionAttributeValues: { ':now': now },
      },
    });
    return taken.won ? lease : undefined;
  },

  /** Extends the lease from now; false if it ran out and another build took it. */
  async renew(lease: SetLease): Promise<boolean> {
    const leaseUntil = Date.now() + lease.leaseMs;
    const renewed = await conditionalWrite({
      update: {
        TableName: tableName('objects'),
        Key: { objectKey: lease.setKey },
        UpdateExpression: 'SET leaseUntil = :leaseUntil, expiresAt = :expiresAt',
        ConditionExpression: 'claimId = :holder',
        ExpressionAttributeValues: { ':leaseUntil': leaseUntil, ':expiresAt': epochSeconds(leaseUntil) + 86_400, ':holder': lease.holder },
      },
    });
    return renewed.won;
  },

  /** Gives the lease back; a no-op if another build holds it now. */
  async release(lease: SetLease): Promise<void> {
    await conditionalWrite({
      delete: {
        TableName: tableName('objects'),
        Key: { objectKey: lease.setKey },
        ConditionExpression: 'claimId = :holder',
        ExpressionAttributeValues: { ':holder': lease.holder },
      },
    });
  },
};
