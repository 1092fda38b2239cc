import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, invalidInput, notFound } from '../core/errors.ts';
import { CREATIONS, DELETABLE, nextState, type TaskEvent, type TaskState } from '../core/task-states.ts';
import {
  lifecycleOf,
  type AwaitingQueue,
  type CallbackState,
  type Task,
  type TaskKey,
  type TaskKind,
  type TaskKinds,
} from '../core/tasks/task.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite, type WriteOutcome } from './conditional-write.ts';
import { queryAll } from './dynamo-pages.ts';
import { listingAttributes, taskOfItem, tasksByIds, workspaceListing, type WorkspaceKey } from './task-listing.ts';
import { taskCounts, type CountChange, type StateCounts } from './task-counts.ts';

export type { AwaitingQueue, Task, TaskKey, TaskKind, WorkspaceKey };

export type NewTask<K extends TaskKind = TaskKind> = {
  [P in K]: TaskKey & {
    readonly kind: P;
    readonly workspaceId: string;
    readonly parentTaskId?: string;
    readonly name?: string;
    readonly description?: string;
    readonly attributes?: Readonly<Record<string, unknown>>;
    readonly level: number;
    readonly spec: TaskKinds[P]['spec'];
    /** INIT (created, to be started later) by default, or PENDING (submitted to run at once). */
    readonly state?: (typeof CREATIONS)[keyof typeof CREATIONS];
    readonly callback?: CallbackState;
    readonly awaitingQueue?: AwaitingQueue;
  };
}[K];

export interface TransitionOptions {
  /** Extra attributes to set in the same write. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** Apply only if the task is still at this version (defaults to the version just read). */
  readonly version?: number;
}

/** The item as stored: the task, the claim of the write that last changed its state, or a tombstone. */
type StoredItem = Task & { readonly lastClaim?: string; readonly tombstone?: true };

/** A claimed count change this old was left by a writer that died: whoever finds it settles it. */
const CLAIM_STALE_MS = 60_000;

const now = () => new Date().toISOString();

const workspaceScope = (owner: WorkspaceKey) => `workspace:${owner.clientId}/${owner.workspaceId}`;
const clientOfScope = (scope: string) => scope.slice('workspace:'.length).split('/')[0]!;

/** The owners whose per-state counts a task is part of: its workspace. Subtasks (≤ 10 a task) are not counted. */
const scopesOf = (task: Pick<Task, 'clientId' | 'workspaceId' | 'parentTaskId'>) => (task.parentTaskId ? [] : [workspaceScope(task)]);

const toTask = <T extends Task>(item: StoredItem): T => taskOfItem<T>(item);

function updateParts(options: TransitionOptions, base: Record<string, unknown>) {
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const sets: string[] = [];
  Object.entries({ ...base, ...options.set }).forEach(([key, value], index) => {
    names[`#s${index}`] = key;
    values[`:s${index}`] = value;
    sets.push(`#s${index} = :s${index}`);
  });
  const removes = (options.remove ?? []).map((key, index) => {
    names[`#r${index}`] = key;
    return `#r${index}`;
  });
  return { expression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`, names, values };
}

async function readItem(key: TaskKey): Promise<StoredItem | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: tableName('tasks'), Key: { clientId: key.clientId, taskId: key.taskId }, ConsistentRead: true }),
  );
  return result.Item as StoredItem | undefined;
}

/** Whether a claimed change reached the task item, by what the item says now (no write). */
const reached = (item: StoredItem | undefined, change: CountChange) =>
  change.to === null ? !item : Boolean(item && !item.tombstone && item.lastClaim === change.claim);

/**
 * Whether a claimed change reached the task; if it has not, makes sure it never will: the task's
 * version is moved on (the late write's condition then fails), and an id never created gets a
 * tombstone (the late create's condition then fails).
 */
async function reachedOrFenced(key: TaskKey, change: CountChange): Promise<boolean> {
  for (;;) {
    const item = await readItem(key);
    if (reached(item, change)) return true;
    if (item?.tombstone || (item && item.version !== change.version)) return false;
    const fenced = item
      ? await conditionalWrite({
          update: {
            TableName: tableName('tasks'),
            Key: { clientId: key.clientId, taskId: key.taskId },
            UpdateExpression: 'SET #version = #version + :one',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':one': 1, ':version': change.version },
          },
        })
      : await conditionalWrite({
          put: {
            TableName: tableName('tasks'),
            Item: { clientId: key.clientId, taskId: key.taskId, tombstone: true, expiresAt: Math.floor(Date.now() / 1000) + 86_400 },
            ConditionExpression: 'attribute_not_exists(taskId)',
          },
        });
    if (fenced.won) return false;
  }
}

/** Counts a change that reached its task, or frees the slot of one that never will. */
async function settle(scope: string, key: TaskKey, change: CountChange): Promise<void> {
  if (await reachedOrFenced(key, change)) await taskCounts.apply(scope, key.taskId, change);
  else await taskCounts.release(scope, key.taskId, change.claim);
}

async function claimSlot(scope: string, key: TaskKey, change: CountChange): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = await taskCounts.claim(scope, key.taskId, change);
    if (!holder) return;
    if (holder === 'closed') throw notFound('the workspace does not exist');
    // A change that already reached the task is counted now, whoever made it: applying twice is a
    // no-op, so a writer that died after its write blocks nobody.
    if (reached(await readItem(key), holder)) await taskCounts.apply(scope, key.taskId, holder);
    else if (Date.now() - holder.at >= CLAIM_STALE_MS) await settle(scope, key, holder);
    else break;
  }
  throw conflict(`task ${key.taskId} is being changed by another request; try again`, 'Busy');
}

/**
 * The one path of every change of a task's state (creation, transitions, takeover, deletion):
 * claim the change on each owner's counter, write the task conditionally, then count it. A lost
 * condition frees the claims; a write that failed outright is settled at once if it can be (and by
 * the sweeper if not), since it may have landed.
 */
async function writeCounted<T>(
  task: Pick<Task, 'clientId' | 'taskId' | 'workspaceId' | 'parentTaskId'>,
  shape: Omit<CountChange, 'claim' | 'at'>,
  write: (claim: string) => Promise<WriteOutcome<T>>,
): Promise<WriteOutcome<T>> {
  const key: TaskKey = { clientId: task.clientId, taskId: task.taskId };
  const change: CountChange = { claim: randomUUID(), at: Date.now(), ...shape };
  const scopes = scopesOf(task);
  const held: string[] = [];
  try {
    for (const scope of scopes) {
      await claimSlot(scope, key, change);
      held.push(scope);
    }
  } catch (error) {
    await Promise.all(held.map((scope) => taskCounts.release(scope, key.taskId, change.claim)));
    throw error;
  }
  let outcome: WriteOutcome<T>;
  try {
    outcome = await write(change.claim);
  } catch (error) {
    await Promise.all(scopes.map((scope) => settle(scope, key, change))).catch(() => undefined);
    throw error;
  }
  await Promise.all(
    scopes.map((scope) =>
      outcome.won ? taskCounts.apply(scope, key.taskId, change) : taskCounts.release(scope, key.taskId, change.claim),
    ),
  );
  return outcome;
}

/** Tasks in DynamoDB, one partition per client. Every change of state goes through writeCounted. */
export const taskStore = {
  async create<K extends TaskKind>(task: NewTask<K>): Promise<Task<K>> {
    const state = task.state ?? CREATIONS.create;
    if (!(Object.values(CREATIONS) as TaskState[]).includes(state))
      throw invalidInput(`a task is created ${Object.values(CREATIONS).join(' or ')}, not ${state}`);
    const createdAt = now();
    const item = { ...task, state, version: 1, createdAt, updatedAt: createdAt, attempts: 0 } as Task<K>;
    const created = await writeCounted(task, { from: null, to: state, version: 0 }, (claim) =>
      conditionalWrite({
        put: {
          TableName: tableName('tasks'),
          Item: { ...item, ...listingAttributes(task, state).set, lastClaim: claim },
          ConditionExpression: 'attribute_not_exists(taskId)',
        },
      }),
    );
    if (!created.won) throw conflict(`task ${task.taskId} already exists`, 'Duplicate');
    return item;
  },

  async get<T extends Task = Task>(key: TaskKey): Promise<T | undefined> {
    const item = await readItem(key);
    return item && !item.tombstone ? toTask<T>(item) : undefined;
  },

  async require<T extends Task = Task>(key: TaskKey): Promise<T> {
    const task = await this.get<T>(key);
    if (!task) throw notFound(`task ${key.taskId} does not exist`);
    return task;
  },

  /**
   * Applies `event` to the task, as the state table allows, in one conditional write on state
   * and version: of two racing transitions decided on the same version, exactly one is applied.
   */
  async transition<T extends Task = Task>(key: TaskKey, event: TaskEvent, options: TransitionOptions = {}): Promise<T> {
    const current = await this.require<T>(key);
    const version = options.version ?? current.version;
    if (version !== current.version) throw conflict(`task ${key.taskId} changed; it is now ${current.state}`, 'Busy');
    const to = nextState(current.state, event, lifecycleOf(current));
    const base: Record<string, unknown> = { state: to, version: version + 1, updatedAt: now() };
    const listing = listingAttributes(current, to);
    const change = { set: { ...options.set, ...listing.set }, remove: [...(options.remove ?? []), ...listing.remove] };
    const written = await writeCounted<StoredItem>(current, { from: current.state, to, version }, (claim) => {
      const { expression, names, values } = updateParts(change, { ...base, lastClaim: claim });
      return conditionalWrite<StoredItem>({
        update: {
          TableName: tableName('tasks'),
          Key: { clientId: key.clientId, taskId: key.taskId },
          UpdateExpression: expression,
          ConditionExpression: '#state = :from AND #version = :version',
          ExpressionAttributeNames: { ...names, '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: { ...values, ':from': current.state, ':version': version },
          ReturnValues: 'ALL_NEW',
        },
      });
    });
    if (!written.won) throw conflict(`task ${key.taskId} changed while it was being updated; try again`, 'Busy');
    return toTask<T>(written.item!);
  },

  /**
   * Takes over a task whose worker died: STARTING or RUNNING with its lease run out goes back to
   * STARTING under a new lease, one attempt more. Undefined if the task is not stale (or another
   * worker took it first).
   */
  async takeOver(key: TaskKey, leaseUntil: number, nowMs = Date.now()): Promise<Task | undefined> {
    const current = await this.get(key);
    if (!current || (current.state !== 'STARTING' && current.state !== 'RUNNING') || (current.leaseUntil ?? 0) >= nowMs) return undefined;
    return this.transition(current, 'takeOver', { version: current.version, set: { leaseUntil, attempts: current.attempts + 1 } }).catch(
      (error: unknown) => {
        if ((error as { kind?: string }).kind === 'conflict') return undefined;
        throw error;
      },
    );
  },

  /** Deletes a task that is not running (DELETABLE), if it is still at `version`. */
  async delete(key: TaskKey, version: number): Promise<void> {
    const current = await this.require(key);
    if (current.version !== version) throw conflict(`task ${key.taskId} changed; it is now ${current.state}`, 'Busy');
    const lifecycle = lifecycleOf(current);
    if (!DELETABLE[lifecycle].has(current.state)) {
      throw conflict(
        `cannot delete a ${lifecycle} in state ${current.state}; allowed in ${[...DELETABLE[lifecycle]].join(', ')}`,
        'StateNotAllowed',
      );
    }
    const deleted = await writeCounted(current, { from: current.state, to: null, version }, () =>
      conditionalWrite({
        delete: {
          TableName: tableName('tasks'),
          Key: { clientId: key.clientId, taskId: key.taskId },
          ConditionExpression: '#state = :state AND #version = :version',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: { ':state': current.state, ':version': version },
        },
      }),
    );
    if (!deleted.won) throw conflict(`task ${key.taskId} changed while it was being deleted; try again`, 'Busy');
  },

  /** Sets attributes without changing state (progress, enqueue marks), if the state or version is still as expected. */
  async patch(
    key: TaskKey,
    change: Pick<TransitionOptions, 'set' | 'remove'>,
    expect?: { state?: TaskState; notState?: TaskState; version?: number },
  ): Promise<boolean> {
    const { expression, names, values } = updateParts(change, { updatedAt: now() });
    const conditions = ['attribute_exists(taskId)'];
    if (expect?.state) {
      conditions.push('#state = :state');
      names['#state'] = 'state';
      values[':state'] = expect.state;
    }
    if (expect?.notState) {
      conditions.push('#state <> :notState');
      names['#state'] = 'state';
      values[':notState'] = expect.notState;
    }
    if (expect?.version !== undefined) {
      conditions.push('#version = :version');
      names['#version'] = 'version';
      values[':version'] = expect.version;
    }
    const written = await conditionalWrite({
      update: {
        TableName: tableName('tasks'),
        Key: { clientId: key.clientId, taskId: key.taskId },
        UpdateExpression: expression,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
    return written.won;
  },

  /**
   * Replaces the task's callback record if it is still at the status, attempt count and sending
   * lease the caller read: of two deliverers racing on duplicate messages, only one gets to send,
   * also when both take over the same run-out lease (a `sending` → `sending` claim changes neither
   * status nor attempts, only the lease).
   */
  async updateCallback(
    key: TaskKey,
    expected: Pick<CallbackState, 'status' | 'attempts' | 'sendingUntil'>,
    next: CallbackState,
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<boolean> {
    const { expression, names, values } = updateParts({ set: { ...extra, callback: next } }, { updatedAt: now() });
    const sameLease = expected.sendingUntil === undefined ? 'attribute_not_exists(callback.#cbLease)' : 'callback.#cbLease = :cbLease';
    const written = await conditionalWrite({
      update: {
        TableName: tableName('tasks'),
        Key: { clientId: key.clientId, taskId: key.taskId },
        UpdateExpression: expression,
        ConditionExpression: `callback.#cbStatus = :cbStatus AND callback.attempts = :cbAttempts AND ${sameLease}`,
        ExpressionAttributeNames: { ...names, '#cbStatus': 'status', '#cbLease': 'sendingUntil' },
        ExpressionAttributeValues: {
          ...values,
          ':cbStatus': expected.status,
          ':cbAttempts': expected.attempts,
          ...(expected.sendingUntil === undefined ? {} : { ':cbLease': expected.sendingUntil }),
        },
      },
    });
    return written.won;
  },

  /** A client's tasks, newest first (ids are time-ordered), a page at a time, strongly consistent. */
  async listByClient<T extends Task = Task>(
    clientId: string,
    options: { limit: number; startKey?: Record<string, unknown>; oldestFirst?: boolean },
  ) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('tasks'),
        KeyConditionExpression: 'clientId = :client',
        FilterExpression: 'attribute_not_exists(tombstone)',
        ExpressionAttributeValues: { ':client': clientId },
        ScanIndexForward: Boolean(options.oldestFirst),
        ConsistentRead: true,
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    );
    return { tasks: ((page.Items ?? []) as StoredItem[]).map((item) => toTask<T>(item)), nextKey: page.LastEvaluatedKey };
  },

  /** A workspace's tasks (not subtasks), newest first, from its listing index (task-listing.ts). */
  listWorkspace: workspaceListing,

  /** The client's tasks of these ids, strongly consistent, in the order asked. */
  getMany: tasksByIds,

  /** A task's subtasks (at most a few), oldest first, strongly consistent. */
  subtasksOf: (key: TaskKey): Promise<Task[]> =>
    queryAll<StoredItem>({
      TableName: tableName('tasks'),
      KeyConditionExpression: 'clientId = :client AND begins_with(taskId, :prefix)',
      FilterExpression: 'attribute_not_exists(tombstone)',
      ExpressionAttributeValues: { ':client': key.clientId, ':prefix': `${key.taskId}.` },
      ConsistentRead: true,
    }).then((items) => items.map((item) => toTask(item))),

  /**
   * Exact per-state counts of a workspace's tasks, in a constant number of reads: the counter, and
   * the task of each change still in flight (counted if it has reached its task).
   */
  async countByState(owner: WorkspaceKey): Promise<StateCounts> {
    const { counts, pending } = await taskCounts.read(workspaceScope(owner));
    for (const { taskId, change } of pending) {
      if (change.from === change.to || !reached(await readItem({ clientId: owner.clientId, taskId }), change)) continue;
      if (change.from) counts[change.from] -= 1;
      if (change.to) counts[change.to] += 1;
    }
    return counts;
  },

  /** How many tasks each of a client's workspaces (up to 100) holds or is taking in. */
  async occupancy(clientId: string, workspaceIds: readonly string[]): Promise<Map<string, number>> {
    const byScope = await taskCounts.occupancy(workspaceIds.map((workspaceId) => workspaceScope({ clientId, workspaceId })));
    return new Map(workspaceIds.map((workspaceId) => [workspaceId, byScope.get(workspaceScope({ clientId, workspaceId })) ?? 0]));
  },

  /**
   * Closes a workspace to new tasks if it has none (and none is being created): false if it is
   * not empty. The workspace's counter decides, so a racing creation and a close never both win.
   */
  closeWorkspace: (owner: WorkspaceKey): Promise<boolean> => taskCounts.close(workspaceScope(owner)),

  reopenWorkspace: (owner: WorkspaceKey): Promise<void> => taskCounts.reopen(workspaceScope(owner)),

  /** Scheduled: settles count changes left in flight by writers that died. Answers how many. */
  async settleAbandonedCounts(nowMs = Date.now()): Promise<number> {
    let settled = 0;
    for (const { scope, taskId, change } of await taskCounts.allPending()) {
      if (nowMs - change.at < CLAIM_STALE_MS) continue;
      await settle(scope, { clientId: clientOfScope(scope), taskId }, change);
      settled++;
    }
    return settled;
  },

  /**
   * Tasks whose job (or callback) message is not yet confirmed sent, created before `before`,
   * oldest first, every page of them, each with its state as the index last saw it. Tasks held
   * by a Paused queue carry the mark too (their message is sent when it is Active again), so the
   * reader skips those rather than stop at the first page.
   */
  async *awaitingQueue(waiting: AwaitingQueue, before: string): AsyncGenerator<TaskKey & { readonly state: TaskState }> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(
        new QueryCommand({
          TableName: tableName('tasks'),
          IndexName: 'awaitingQueue',
          KeyConditionExpression: 'awaitingQueue = :waiting AND createdAt < :before',
          ExpressionAttributeValues: { ':waiting': waiting, ':before': before },
          Limit: 100,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        yield { clientId: String(item.clientId), taskId: String(item.taskId), state: item.state as TaskState };
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  },
};
