import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, isTesseraError, TesseraError } from '../core/errors.ts';
import { DESCRIPTOR_LENGTH } from '../core/faces/face-rows.ts';
import { MAX_STORED_ID, type PlannedChange, type SpaceChange } from '../core/faces/space-changes.ts';
import { SpaceIndex } from '../core/faces/space-index.ts';
import { checkSpaceName, MAX_FACES_PER_SPACE, spaceFull } from '../core/faces/space-limits.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
import { FaceBaseCache } from './face-base-cache.ts';
import { faceBases } from './face-bases.ts';

export type { PlannedChange };

export interface SpaceSnapshot {
  /** 0 for a space never written. */
  readonly version: number;
  readonly index: SpaceIndex;
  /**
   * The lowest person id never used in the space, truncations included: where create_new takes
   * ids from. MAX_STORED_ID + 1 once MAX_STORED_ID itself is used: create_new has none left.
   */
  readonly nextPersonId: number;
  readonly faceCount: number;
}

export interface SpaceDecision<T> {
  readonly changes: readonly PlannedChange[];
  readonly result: T;
}

/**
 * Changes kept in the head beyond its base; one more write compacts them into a new base. An
 * added face is about 560 bytes in the item, so the head stays under 150 KB (DynamoDB's limit is
 * 400 KB) and costs at most 36 read units per consistent read and 150 write units per write,
 * while a compaction, which rewrites the whole base (39 MB at 75,000 faces) and sends every warm
 * container to read it again, comes once per 256 changes.
 */
const CHANGE_LOG_LIMIT = 256;
/** Writes tried against a head other writers keep moving before the caller is told the space is busy. */
const MAX_WRITE_ATTEMPTS = 12;
/** Reads of a head whose base a compaction or truncation removed meanwhile. */
const MAX_BASE_READS = 3;

type StoredChange =
  | { readonly op: 'add'; readonly faceId: number; readonly personId: number; readonly descriptor: Uint8Array }
  | { readonly op: 'refine'; readonly faceId: number; readonly descriptor: Uint8Array }
  | { readonly op: 'deletePerson'; readonly personId: number };

/** The one item of a space: its packed base in the bucket (none until the first compaction) and the changes made since. */
interface SpaceHead {
  readonly version: number;
  readonly nextFaceId: number;
  readonly nextPersonId: number;
  readonly faceCount: number;
  readonly base?: { readonly key: string; readonly faces: number };
  readonly changes: readonly StoredChange[];
}

const NO_HEAD: SpaceHead = { version: 0, nextFaceId: 1, nextPersonId: 1, faceCount: 0, changes: [] };

/** A space by its owner and name, and its head's key. */
interface SpaceRef {
  readonly clientId: string;
  readonly space: string;
  readonly spaceKey: string;
}

/** What a decision comes to: its changes with face ids given, the head's counters after them, the index they make. */
interface Plan {
  readonly changes: readonly SpaceChange[];
  readonly nextFaceId: number;
  readonly nextPersonId: number;
  readonly index: SpaceIndex;
}

const bytesOf = (descriptor: Float32Array) => new Uint8Array(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength);

function descriptorOf(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength !== DESCRIPTOR_LENGTH * 4) throw new TesseraError('internal', `a stored descriptor has ${bytes.byteLength} bytes`);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

const storedChange = (change: SpaceChange): StoredChange =>
  change.op === 'deletePerson' ? change : { ...change, descriptor: bytesOf(change.descriptor) };

const spaceChange = (change: StoredChange): SpaceChange =>
  change.op === 'deletePerson' ? change : { ...change, descriptor: descriptorOf(change.descriptor) };

const isTransientAwsError = (
  error: Error & { $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string },
) =>
  error.$fault === 'server' ||
  error.$retryable !== undefined ||
  error.$metadata?.httpStatusCode === 429 ||
  ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(error.code ?? '') ||
  error.name === 'TimeoutError';

/**
 * True for failures worth trying again later: AWS throttling, 5xx and network errors, and a
 * space so busy that every write attempt lost to another writer.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (isTesseraError(error)) return error.kind === 'conflict' && error.reason === 'Busy';
  return error instanceof Error && isTransientAwsError(error);
}

/** Full jitter on a doubling ceiling, so writers that lost together do not retry together. */
const backoff = (attempt: number) => sleep(Math.random() * Math.min(400, 10 * 2 ** attempt));

/**
 * The faces of each (client, space), for search in memory: one head item per space in DynamoDB
 * holds a version, id counters, the key of a packed base in the bucket and the changes made since
 * it. A read is one consistent GetItem, plus the base when this container does not hold it yet;
 * every write is one conditional write on the version, decided again on what won when it loses.
 * `cache` is the container's: tests give two stores two caches to play two containers.
 */
export function faceSpaceStore(cache = new FaceBaseCache()) {
  const refOf = (clientId: string, space: string): SpaceRef => {
    checkSpaceName(space);
    return { clientId, space, spaceKey: `${clientId}/${space}` };
  };

  async function readHead({ spaceKey }: SpaceRef): Promise<SpaceHead> {
    const result = await dynamo().send(new GetCommand({ TableName: tableName('faceSpaces'), Key: { spaceKey }, ConsistentRead: true }));
    return (result.Item as SpaceHead | undefined) ?? NO_HEAD;
  }

  /** The head and what it describes; read again if its base was removed under it. */
  async function snapshotOf(ref: SpaceRef): Promise<{ head: SpaceHead; snapshot: SpaceSnapshot }> {
    for (let attempt = 1; ; attempt++) {
      const head = await readHead(ref);
      const { base } = head;
      const baseIndex = base ? await cache.get(base.key, () => faceBases.load(base.key, base.faces)) : SpaceIndex.empty();
      if (baseIndex) {
        const index = baseIndex.apply(head.changes.map(spaceChange));
        return { head, snapshot: { version: head.version, index, nextPersonId: head.nextPersonId, faceCount: index.size } };
      }
      if (attempt === MAX_BASE_READS) throw new TesseraError('internal', `the base of face space ${ref.spaceKey} keeps disappearing`);
    }
  }

  function planOf(ref: SpaceRef, head: SpaceHead, snapshot: SpaceSnapshot, planned: readonly PlannedChange[]): Plan {
    let nextFaceId = head.nextFaceId;
    let nextPersonId = head.nextPersonId;
    const changes = planned.map((change): SpaceChange => {
      if (change.op !== 'add') return change;
      // At most "none left" (MAX_STORED_ID + 1); a change naming an id past it is refused by the index below.
      nextPersonId = Math.min(Math.max(nextPersonId, change.personId + 1), MAX_STORED_ID + 1);
      return { ...change, faceId: nextFaceId++ };
    });
    const index = snapshot.index.apply(changes);
    if (index.size > MAX_FACES_PER_SPACE && index.size > snapshot.index.size) throw spaceFull(ref.space, index.size);
    return { changes, nextFaceId, nextPersonId, index };
  }

  /**
   * Writes a plan if the head is still at `head.version`; false when another write came first.
   * The changes join the head's log, or, when the log would pass CHANGE_LOG_LIMIT, the whole
   * index goes to a new base and the log starts empty.
   */
  async function write(ref: SpaceRef, head: SpaceHead, plan: Plan): Promise<boolean> {
    const version = head.version + 1;
    const compacted = head.changes.length + plan.changes.length > CHANGE_LOG_LIMIT;
    const base = compacted ? { key: faceBases.keyFor(ref.clientId, ref.space, version), faces: plan.index.size } : undefined;
    const bytes = compacted ? plan.index.encode() : undefined;
    if (base && bytes) await faceBases.put(base.key, bytes);
    const written = await conditionalWrite({
      update: {
        TableName: tableName('faceSpaces'),
        Key: { spaceKey: ref.spaceKey },
        UpdateExpression: `SET #version = :version, nextFaceId = :nextFaceId, nextPersonId = :nextPersonId, faceCount = :faceCount, ${
          base ? '#base = :base, #changes = :none' : '#changes = list_append(if_not_exists(#changes, :none), :changes)'
        }`,
        ConditionExpression: head.version === 0 ? 'attribute_not_exists(spaceKey)' : '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version', '#changes': 'changes', ...(base ? { '#base': 'base' } : {}) },
        ExpressionAttributeValues: {
          ':version': version,
          ':nextFaceId': plan.nextFaceId,
          ':nextPersonId': plan.nextPersonId,
          ':faceCount': plan.index.size,
          ':none': [],
          ...(base ? { ':base': base } : { ':changes': plan.changes.map(storedChange) }),
          ...(head.version === 0 ? {} : { ':expected': head.version }),
        },
      },
    });
    if (base && bytes) await settleBase(ref, written.won, base.key, bytes, head.base?.key);
    return written.won;
  }

  /**
   * After a compaction: a lost one removes its own base; a won one keeps its base in this
   * container and removes those older than the base it replaced. That one stays, for readers
   * that read the previous head and are still fetching it; a reader slower than two compactions
   * finds its base gone and reads the head again. Removal is best effort: whatever is left is
   * older than the next compaction's bound, which removes it then.
   */
  async function settleBase(ref: SpaceRef, won: boolean, key: string, bytes: Uint8Array, replaced: string | undefined): Promise<void> {
    if (!won) return faceBases.remove(key).catch(() => undefined);
    cache.put(key, SpaceIndex.decode(bytes));
    if (replaced) await faceBases.removeOlderThan(ref.clientId, ref.space, faceBases.versionOf(replaced)).catch(() => undefined);
  }

  return {
    /** The space as it is now (strongly consistent); an empty space at version 0 if never written. */
    async read(clientId: string, space: string): Promise<SpaceSnapshot> {
      return (await snapshotOf(refOf(clientId, space))).snapshot;
    },

    /**
     * Changes the space as `decide` says, on the latest snapshot: when another write wins first,
     * `decide` runs again on what that left (it must be pure, and may throw to refuse). Answers
     * the decision's result once its changes are written; a decision with no changes writes
     * nothing. Throws a conflict (Busy) when other writers won MAX_WRITE_ATTEMPTS times in a row.
     */
    async change<T>(clientId: string, space: string, decide: (snapshot: SpaceSnapshot) => SpaceDecision<T>): Promise<T> {
      const ref = refOf(clientId, space);
      for (let attempt = 1; ; attempt++) {
        const { head, snapshot } = await snapshotOf(ref);
        const decision = decide(snapshot);
        if (decision.changes.length === 0 || (await write(ref, head, planOf(ref, head, snapshot, decision.changes))))
          return decision.result;
        if (attempt === MAX_WRITE_ATTEMPTS)
          throw conflict(`face space ${space} is busy: ${attempt} writes in a row lost to other writers; try again`, 'Busy');
        await backoff(attempt);
      }
    },

    /**
     * Empties the space in one write that also moves its version, so writes decided on what it
     * held lose and are decided again. Person and face ids keep counting: an id once given never
     * names another person, even for a client that kept it from before the truncation.
     */
    async truncate(clientId: string, space: string): Promise<void> {
      const ref = refOf(clientId, space);
      const written = await conditionalWrite<{ version: number }>({
        update: {
          TableName: tableName('faceSpaces'),
          Key: { spaceKey: ref.spaceKey },
          UpdateExpression: 'SET #version = #version + :one, faceCount = :zero, #changes = :none REMOVE #base',
          ConditionExpression: 'attribute_exists(spaceKey)',
          ExpressionAttributeNames: { '#version': 'version', '#changes': 'changes', '#base': 'base' },
          ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':none': [] },
          ReturnValues: 'UPDATED_NEW',
        },
      });
      // Its bases are unreachable now; one that lingers is removed by the next truncation or compaction.
      if (written.won) await faceBases.removeOlderThan(clientId, space, written.item!.version + 1).catch(() => undefined);
    },
  };
}

export const faceSpaces = faceSpaceStore();
