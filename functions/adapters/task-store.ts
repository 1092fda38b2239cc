import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../core/errors.ts';
import { nextState, TASK_STATES, type TaskEvent, type TaskState } from '../core/task-states.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { isConditionFailure } from './dynamo-errors.ts';
import { queryAll } from './dynamo-pages.ts';

export type TaskKind = 'picprocess' | 'panorama' | 'kmp';

export interface Task<Spec = Record<string, unknown>, Result = Record<string, unknown>> {
  readonly taskId: string;
  readonly clientId: string;
  readonly kind: TaskKind;
  readonly state: TaskState;
  /** Bumped by every write: a transition applies only to the version it was decided on. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly level: number;
  readonly spec: Spec;
  readonly startedFrom?: TaskState;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly result?: Result;
  readonly error?: { readonly code: string; readonly message: string };
  readonly progress?: number;
  /** Until when the worker that holds the task may keep it; after that another may take it over. */
  readonly leaseUntil?: number;
  readonly attempts: number;
  /** Present until the task's queue message is confirmed sent; the requeue job re-sends those left with it. */
  readonly awaitingQueue?: AwaitingQueue;
  readonly callback?: Record<string, unknown>;
}

export type NewTask<Spec> = Pick<Task<Spec>, 'taskId' | 'clientId' | 'kind' | 'level' | 'spec'> & {
  readonly state?: TaskState;
  readonly callback?: Record<string, unknown>;
  readonly awaitingQueue?: AwaitingQueue;
};

export interface TaskKey {
  readonly clientId: string;
  readonly taskId: string;
}

export interface TransitionOptions {
  /** Extra attributes to set in the same write. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** Apply only if the task is still at this version (defaults to the version just read). */
  readonly version?: number;
}

const now = () => new Date().toISOString();

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
  return { sets, removes, names, values };
}

/** Tasks in DynamoDB. Every state change is one conditional write on state and version. */
export const taskStore = {
  async create<Spec, Result = Record<string, unknown>>(task: NewTask<Spec>): Promise<Task<Spec, Result>> {
    const createdAt = now();
    const item: Task<Spec, Result> = {
      ...task,
      state: task.state ?? 'INIT',
      version: 1,
      createdAt,
      updatedAt: createdAt,
      attempts: 0,
    };
    try {
      await dynamo().send(new PutCommand({ TableName: tableName('tasks'), Item: item, ConditionExpression: 'attribute_not_exists(taskId)' }));
    } catch (error) {
      if (isConditionFailure(error)) throw conflict(`task ${task.taskId} already exists`);
      throw error;
    }
    return item;
  },

  async get<Spec = Record<string, unknown>, Result = Record<string, unknown>>(key: TaskKey): Promise<Task<Spec, Result> | undefined> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName('tasks'), Key: { clientId: key.clientId, taskId: key.taskId }, ConsistentRead: true }),
    );
    return result.Item as Task<Spec, Result> | undefined;
  },

  async require<Spec = Record<string, unknown>>(key: TaskKey): Promise<Task<Spec>> {
    const task = await this.get<Spec>(key);
    if (!task) throw notFound(`task ${key.taskId} does not exist`);
    return task;
  },

  /**
   * Applies `event` to the task, as the state table allows, in one conditional write: of two
   * racing transitions decided on the same version, exactly one is applied.
   */
  async transition<Spec = Record<string, unknown>>(key: TaskKey, event: TaskEvent, options: TransitionOptions = {}): Promise<Task<Spec>> {
    const { taskId } = key;
    const current = await this.require<Spec>(key);
    const version = options.version ?? current.version;
    if (version !== current.version) throw conflict(`task ${taskId} changed; it is now ${current.state}`);
    const to = nextState(current.state, event, current.startedFrom);
    const base: Record<string, unknown> = { state: to, version: version + 1, updatedAt: now() };
    if (event === 'start') base.startedFrom = current.state;
    const { sets, removes, names, values } = updateParts(options, base);
    try {
      const result = await dynamo().send(
        new UpdateCommand({
          TableName: tableName('tasks'),
          Key: { clientId: key.clientId, taskId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#state = :from AND #version = :version',
          ExpressionAttributeNames: { ...names, '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: { ...values, ':from': current.state, ':version': version },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as Task<Spec>;
    } catch (error) {
      if (isConditionFailure(error)) throw conflict(`task ${taskId} changed while it was being updated; try again`);
      throw error;
    }
  },

  /** Sets attributes without changing state (progress, enqueue marks, callback outcome), if the version matches. */
  async patch(key: TaskKey, change: Pick<TransitionOptions, 'set' | 'remove'>, expect?: { state?: TaskState; version?: number }): Promise<boolean> {
    const { sets, removes, names, values } = updateParts(change, { updatedAt: now() });
    const conditions = ['attribute_exists(taskId)'];
    if (expect?.state) {
      conditions.push('#state = :state');
      names['#state'] = 'state';
      values[':state'] = expect.state;
    }
    if (expect?.version !== undefined) {
      conditions.push('#version = :version');
      names['#version'] = 'version';
      values[':version'] = expect.version;
    }
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName('tasks'),
          Key: { clientId: key.clientId, taskId: key.taskId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  /**
   * Replaces the task's callback record if it is still at the status and attempt count the caller
   * read: of two deliverers racing on duplicate messages, only one gets to send.
   */
  async updateCallback(key: TaskKey, expected: { status: string; attempts: number }, next: Record<string, unknown>, extra: Readonly<Record<string, unknown>> = {}): Promise<boolean> {
    const { sets, names, values } = updateParts({ set: { ...extra, callback: next } }, { updatedAt: now() });
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName('tasks'),
          Key: { clientId: key.clientId, taskId: key.taskId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'callback.#cbStatus = :cbStatus AND callback.attempts = :cbAttempts',
          ExpressionAttributeNames: { ...names, '#cbStatus': 'status' },
          ExpressionAttributeValues: { ...values, ':cbStatus': expected.status, ':cbAttempts': expected.attempts },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  /**
   * Takes over a task whose worker died: STARTING or RUNNING with its lease run out goes back to
   * STARTING under a new lease, one attempt more. False if the task is not stale.
   */
  async takeOver(key: TaskKey, leaseUntil: number, nowMs = Date.now()): Promise<Task | undefined> {
    try {
      const result = await dynamo().send(
        new UpdateCommand({
          TableName: tableName('tasks'),
          Key: { clientId: key.clientId, taskId: key.taskId },
          UpdateExpression: 'SET #state = :starting, leaseUntil = :lease, attempts = attempts + :one, #version = #version + :one, updatedAt = :now',
          ConditionExpression: '(#state = :starting OR #state = :running) AND leaseUntil < :nowMs',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: { ':starting': 'STARTING', ':running': 'RUNNING', ':lease': leaseUntil, ':one': 1, ':now': now(), ':nowMs': nowMs },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as Task;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  },

  /** A client's tasks, newest first (ids are time-ordered), a page at a time, strongly consistent. */
  async listByClient<Spec = Record<string, unknown>>(clientId: string, options: { limit: number; startKey?: Record<string, unknown>; oldestFirst?: boolean }) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('tasks'),
        KeyConditionExpression: 'clientId = :client',
        ExpressionAttributeValues: { ':client': clientId },
        ScanIndexForward: Boolean(options.oldestFirst),
        ConsistentRead: true,
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    );
    return { tasks: (page.Items ?? []) as Task<Spec>[], nextKey: page.LastEvaluatedKey };
  },

  /** Exact per-state counts of a client's tasks: a strongly consistent read of its partition. */
  async countByState(clientId: string): Promise<Record<TaskState, number>> {
    const counts = Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
    const items = await queryAll<{ state: TaskState }>({
      TableName: tableName('tasks'),
      KeyConditionExpression: 'clientId = :client',
      ExpressionAttributeValues: { ':client': clientId },
      ProjectionExpression: '#state',
      ExpressionAttributeNames: { '#state': 'state' },
      ConsistentRead: true,
    });
    for (const item of items) counts[item.state] += 1;
    return counts;
  },

  /** Tasks whose job (or callback) message was never confirmed sent, created before `before`. */
  async awaitingQueue(waiting: AwaitingQueue, before: string, limit: number): Promise<TaskKey[]> {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('tasks'),
        IndexName: 'awaitingQueue',
        KeyConditionExpression: 'awaitingQueue = :waiting AND createdAt < :before',
        ExpressionAttributeValues: { ':waiting': waiting, ':before': before },
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => ({ clientId: String(item.clientId), taskId: String(item.taskId) }));
  },
};

/** Which message a task still waits to have sent: its job message, or its callback's. */
export type AwaitingQueue = 'job' | 'callback';
