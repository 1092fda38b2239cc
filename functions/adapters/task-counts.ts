import { BatchGetCommand, GetCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { TASK_STATES, type StateCounts, type TaskState } from '../core/task-states.ts';

export type { StateCounts };
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * A change of one task's state, as an owner's counter sees it: from one state to another (from
 * nothing when the task is created, to nothing when it is deleted), decided on the task's
 * `version`, by the writer holding `claim`.
 */
export interface CountChange {
  readonly claim: string;
  readonly from: TaskState | null;
  readonly to: TaskState | null;
  readonly version: number;
  /** When it was claimed (ms): a change left this long was abandoned by a writer that died. */
  readonly at: number;
}

const countName = (state: TaskState) => `n_${state}`;
const PENDING_PREFIX = 'pending_';
const pendingName = (taskId: string) => `${PENDING_PREFIX}${taskId}`;

interface CounterItem {
  readonly scope: string;
  readonly [attribute: string]: unknown;
}

const countsOf = (item: CounterItem | undefined): StateCounts =>
  Object.fromEntries(TASK_STATES.map((state) => [state, Number(item?.[countName(state)] ?? 0)])) as StateCounts;

const pendingOf = (item: CounterItem | undefined) =>
  Object.entries(item ?? {})
    .filter(([name]) => name.startsWith(PENDING_PREFIX))
    .map(([name, change]) => ({ taskId: name.slice(PENDING_PREFIX.length), change: change as CountChange }));

/**
 * Frees a task's slot if `claim` still holds it, adding `moves` to the per-state counts and
 * `tasks` to the total in the same write.
 */
async function freeSlot(
  scope: string,
  taskId: string,
  claim: string,
  moves: ReadonlyArray<readonly [TaskState, number]>,
  tasks = 0,
): Promise<void> {
  const names: Record<string, string> = { '#pending': pendingName(taskId) };
  const values: Record<string, unknown> = { ':claim': claim, ':done': -1, ':tasks': tasks };
  const adds = moves.map(([state, by], index) => {
    names[`#n${index}`] = countName(state);
    values[`:n${index}`] = by;
    return `#n${index} :n${index}`;
  });
  await conditionalWrite({
    update: {
      TableName: tableName('taskCounts'),
      Key: { scope },
      UpdateExpression: `ADD ${[...adds, 'inflight :done', 'taskTotal :tasks'].join(', ')} REMOVE #pending`,
      ConditionExpression: '#pending.claim = :claim',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  });
}

/**
 * Per-state task counts, one counter item per owner. DynamoDB transactions are not available
 * everywhere Tessera runs (dynalite has none), so a count never changes in the same write as its
 * task; instead every change is first claimed on the counter (a per-task slot, one at a time),
 * then the task is written, then the claimed change is applied and the slot freed in one
 * conditional write. A writer that dies between the steps leaves the claim behind, and whoever
 * finds it (a reader, or the sweeper once it is stale) decides from the task item whether the
 * change happened: counts are never applied twice and never lost.
 */
export const taskCounts = {
  /**
   * Takes the task's slot for a change; answers the change already holding it, if another does,
   * or 'closed' when the owner takes no more changes (a workspace being deleted).
   */
  async claim(scope: string, taskId: string, change: CountChange): Promise<CountChange | 'closed' | undefined> {
    for (;;) {
      const written = await conditionalWrite<CounterItem>(
        {
          update: {
            TableName: tableName('taskCounts'),
            Key: { scope },
            UpdateExpression: 'SET #pending = :change ADD inflight :one',
            ConditionExpression: 'attribute_not_exists(#pending) AND attribute_not_exists(closedAt)',
            ExpressionAttributeNames: { '#pending': pendingName(taskId) },
            ExpressionAttributeValues: { ':change': change, ':one': 1 },
          },
        },
        { readCurrent: true },
      );
      if (written.won) return undefined;
      if (written.current?.closedAt !== undefined) return 'closed';
      const holder = written.current?.[pendingName(taskId)] as CountChange | undefined;
      // Freed between the write and the read: try again.
      if (holder) return holder;
    }
  },

  /** Counts a claimed change and frees its slot, at most once: a second apply of the same claim does nothing. */
  apply(scope: string, taskId: string, change: CountChange): Promise<void> {
    const moves: Array<[TaskState | null, number]> =
      change.from === change.to
        ? []
        : [
            [change.from, -1],
            [change.to, 1],
          ];
    return freeSlot(
      scope,
      taskId,
      change.claim,
      moves.filter((move): move is [TaskState, number] => move[0] !== null),
      (change.from === null ? 1 : 0) - (change.to === null ? 1 : 0),
    );
  },

  /** Frees the slot of a change that did not happen. */
  release: (scope: string, taskId: string, claim: string): Promise<void> => freeSlot(scope, taskId, claim, []),

  /**
   * Closes an owner to new changes, if it has no task and none is being changed: of a close and a
   * task's creation racing on the same counter item, exactly one wins. False if not empty.
   */
  async close(scope: string, now = Date.now()): Promise<boolean> {
    const closed = await conditionalWrite({
      update: {
        TableName: tableName('taskCounts'),
        Key: { scope },
        UpdateExpression: 'SET closedAt = :now',
        ConditionExpression:
          '(attribute_not_exists(taskTotal) OR taskTotal = :zero) AND (attribute_not_exists(inflight) OR inflight = :zero)',
        ExpressionAttributeValues: { ':now': now, ':zero': 0 },
      },
    });
    return closed.won;
  },

  /** Opens a closed owner again (a deletion that could not finish). */
  async reopen(scope: string): Promise<void> {
    await conditionalWrite({ update: { TableName: tableName('taskCounts'), Key: { scope }, UpdateExpression: 'REMOVE closedAt' } });
  },

  /** The counts as applied, and the changes still in flight (strongly consistent). */
  async read(scope: string): Promise<{ counts: StateCounts; pending: Array<{ taskId: string; change: CountChange }> }> {
    const result = await dynamo().send(new GetCommand({ TableName: tableName('taskCounts'), Key: { scope }, ConsistentRead: true }));
    const item = result.Item as CounterItem | undefined;
    return { counts: countsOf(item), pending: pendingOf(item) };
  },

  /**
   * How many tasks each owner holds or is taking in (applied tasks plus changes in flight), in one
   * batch read of up to 100 owners: enough to tell which are empty.
   */
  async occupancy(scopes: readonly string[]): Promise<Map<string, number>> {
    const found = new Map(scopes.map((scope) => [scope, 0]));
    let keys: Array<Record<string, unknown>> = scopes.map((scope) => ({ scope }));
    while (keys.length) {
      const result = await dynamo().send(
        new BatchGetCommand({ RequestItems: { [tableName('taskCounts')]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of (result.Responses?.[tableName('taskCounts')] ?? []) as CounterItem[]) {
        found.set(item.scope, Number(item.taskTotal ?? 0) + Number(item.inflight ?? 0));
      }
      keys = (result.UnprocessedKeys?.[tableName('taskCounts')]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
    return found;
  },

  /** Every owner's changes in flight: the sweeper settles those left behind by writers that died. */
  async allPending(): Promise<Array<{ scope: string; taskId: string; change: CountChange }>> {
    const found: Array<{ scope: string; taskId: string; change: CountChange }> = [];
    let startKey: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await dynamo().send(
        new ScanCommand({ TableName: tableName('taskCounts'), ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      for (const item of (page.Items ?? []) as CounterItem[])
        found.push(...pendingOf(item).map((entry) => ({ scope: item.scope, ...entry })));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  },
};
