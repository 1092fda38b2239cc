import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TaskState } from '../core/task-states.ts';
import type { Task } from '../core/tasks/task.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';

/** A workspace, as lists and counts know it. */
export interface WorkspaceKey {
  readonly clientId: string;
  readonly workspaceId: string;
}

/** What a listing index holds of a task: enough to order, filter and count without reading it. */
export type ListingEntry = Pick<Task, 'taskId' | 'state' | 'kind' | 'name' | 'attributes' | 'createdAt' | 'updatedAt'>;

/**
 * The listing attributes a top-level task carries, written with every change of its state:
 * `listedIn` ("<client>/<workspace>") while it is not ARCHIVED, for the default list, and
 * `stateIn` ("<client>/<workspace>/<state>") always, for lists by state. Subtasks carry neither.
 */
export function listingAttributes(
  task: Pick<Task, 'clientId' | 'workspaceId' | 'parentTaskId'>,
  state: TaskState,
): { readonly set: Record<string, string>; readonly remove: readonly string[] } {
  if (task.parentTaskId) return { set: {}, remove: [] };
  const workspace = `${task.clientId}/${task.workspaceId}`;
  const stateIn = `${workspace}/${state}`;
  return state === 'ARCHIVED' ? { set: { stateIn }, remove: ['listedIn'] } : { set: { listedIn: workspace, stateIn }, remove: [] };
}

/** The task in a stored item: without the attributes that exist for the store's own bookkeeping and indexes. */
export function taskOfItem<T extends Task>(item: object): T {
  const { lastClaim: _claim, listedIn: _listed, stateIn: _state, ...task } = item as Record<string, unknown>;
  return task as unknown as T;
}

/** Past the first request, a page of entries as large as DynamoDB's 1 MB allows (about 200 bytes each). */
const LATER_PAGE = 4000;

export interface ListingQuery {
  /** One state's tasks; without it, every task but the ARCHIVED. */
  readonly state?: TaskState;
  readonly createdFrom?: string;
  readonly createdTo?: string;
  /** Oldest first instead. */
  readonly oldestFirst?: boolean;
  /** How many entries the caller expects to read: the first request asks for no more. */
  readonly expect: number;
}

function createdCondition(query: ListingQuery, values: Record<string, unknown>): string {
  if (query.createdFrom) values[':from'] = query.createdFrom;
  if (query.createdTo) values[':to'] = query.createdTo;
  if (query.createdFrom && query.createdTo) return ' AND createdAt BETWEEN :from AND :to';
  if (query.createdFrom) return ' AND createdAt >= :from';
  if (query.createdTo) return ' AND createdAt <= :to';
  return '';
}

/**
 * A workspace's tasks newest (or oldest) first, from a sparse index keyed by workspace (and state): reading
 * one page never touches the workspace's other tasks, or other workspaces'. Index reads are
 * eventually consistent; the tasks of a page are read again, strongly, by `tasksByIds`.
 */
export async function* workspaceListing(owner: WorkspaceKey, query: ListingQuery): AsyncGenerator<ListingEntry> {
  if (query.createdFrom && query.createdTo && query.createdFrom > query.createdTo) return;
  const workspace = `${owner.clientId}/${owner.workspaceId}`;
  const values: Record<string, unknown> = { ':key': query.state ? `${workspace}/${query.state}` : workspace };
  const input: QueryCommandInput = {
    TableName: tableName('tasks'),
    IndexName: query.state ? 'workspaceStates' : 'workspaceListing',
    KeyConditionExpression: `${query.state ? 'stateIn' : 'listedIn'} = :key${createdCondition(query, values)}`,
    ExpressionAttributeValues: values,
    ScanIndexForward: Boolean(query.oldestFirst),
  };
  let startKey: QueryCommandInput['ExclusiveStartKey'];
  let limit = Math.min(Math.max(query.expect, 100), LATER_PAGE);
  do {
    const page = await dynamo().send(new QueryCommand({ ...input, Limit: limit, ExclusiveStartKey: startKey }));
    yield* (page.Items ?? []) as ListingEntry[];
    startKey = page.LastEvaluatedKey;
    limit = LATER_PAGE;
  } while (startKey);
}

/** BatchGetItem's most keys in one request. */
const BATCH = 100;

/** The client's tasks of these ids, strongly consistent, in the order asked; missing ones (and tombstones) left out. */
export async function tasksByIds<T extends Task = Task>(clientId: string, taskIds: readonly string[]): Promise<T[]> {
  const found = new Map<string, T>();
  for (let start = 0; start < taskIds.length; start += BATCH) {
    let keys: Array<Record<string, unknown>> = [...new Set(taskIds.slice(start, start + BATCH))].map((taskId) => ({ clientId, taskId }));
    while (keys.length) {
      const result = await dynamo().send(
        new BatchGetCommand({ RequestItems: { [tableName('tasks')]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[tableName('tasks')] ?? []) {
        if (!item.tombstone) found.set(String(item.taskId), taskOfItem<T>(item));
      }
      keys = (result.UnprocessedKeys?.[tableName('tasks')]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
  }
  return [...new Set(taskIds)].flatMap((taskId) => found.get(taskId) ?? []);
}
