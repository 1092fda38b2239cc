import { TASK_ID_PATTERN } from '../core/task-id.ts';
import type { TaskState } from '../core/task-states.ts';
import type { Task } from '../core/tasks/task.ts';
import type { ListingEntry } from '../adapters/task-listing.ts';
import { taskStore, type WorkspaceKey } from '../adapters/task-store.ts';

export interface TaskFilter {
  readonly states?: readonly TaskState[];
  readonly kinds?: readonly Task['kind'][];
  /** Tasks whose name holds this, in any case. */
  readonly nameContains?: string;
  readonly ids?: readonly string[];
  /** Tasks whose dialect attributes have these values. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly updatedFrom?: string;
  readonly updatedTo?: string;
}

function matches(task: ListingEntry, filter: TaskFilter): boolean {
  const archivedAsked = filter.ids !== undefined || (filter.states ?? []).includes('ARCHIVED');
  if (task.state === 'ARCHIVED' && !archivedAsked) return false;
  if (filter.states && !filter.states.includes(task.state)) return false;
  if (filter.kinds && !filter.kinds.includes(task.kind)) return false;
  if (filter.ids && !filter.ids.includes(task.taskId)) return false;
  if (filter.attributes && Object.entries(filter.attributes).some(([name, value]) => task.attributes?.[name] !== value)) return false;
  if (filter.nameContains && !(task.name ?? '').toLocaleLowerCase('en-US').includes(filter.nameContains.toLocaleLowerCase('en-US')))
    return false;
  if (filter.createdFrom && task.createdAt < filter.createdFrom) return false;
  if (filter.createdTo && task.createdAt > filter.createdTo) return false;
  if (filter.updatedFrom && task.updatedAt < filter.updatedFrom) return false;
  if (filter.updatedTo && task.updatedAt > filter.updatedTo) return false;
  return true;
}

const newerFirst = (a: ListingEntry, b: ListingEntry) =>
  a.createdAt === b.createdAt ? (a.taskId < b.taskId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;
const olderFirst = (a: ListingEntry, b: ListingEntry) => newerFirst(b, a);

/** Several listings in one order (one per state asked for) as one, in that order. */
async function* merged(
  listings: ReadonlyArray<AsyncGenerator<ListingEntry>>,
  order: (a: ListingEntry, b: ListingEntry) => number,
): AsyncGenerator<ListingEntry> {
  const heads = await Promise.all(listings.map(async (listing) => ({ listing, next: await listing.next() })));
  try {
    for (;;) {
      const live = heads.filter((head) => !head.next.done);
      if (!live.length) return;
      const first = live.reduce((best, head) =>
        order(head.next.value as ListingEntry, best.next.value as ListingEntry) < 0 ? head : best,
      );
      yield first.next.value as ListingEntry;
      first.next = await first.listing.next();
    }
  } finally {
    await Promise.all(listings.map((listing) => listing.return(undefined)));
  }
}

/** The workspace's index entries the filter's states (or all but archived) and created-time range select, in one order. */
function entries(owner: WorkspaceKey, filter: TaskFilter, oldestFirst: boolean, expect: number): AsyncGenerator<ListingEntry> {
  const range = {
    ...(filter.createdFrom ? { createdFrom: filter.createdFrom } : {}),
    ...(filter.createdTo ? { createdTo: filter.createdTo } : {}),
  };
  const listings = (filter.states ? [...new Set(filter.states)] : [undefined]).map((state) =>
    taskStore.listWorkspace(owner, { ...(state ? { state } : {}), ...range, oldestFirst, expect }),
  );
  return merged(listings, oldestFirst ? olderFirst : newerFirst);
}

/** Tasks named by id: read at once, those of the workspace that match kept, newest first. */
async function listNamed(owner: WorkspaceKey, filter: TaskFilter, offset: number, limit: number) {
  const named = (
    await taskStore.getMany(
      owner.clientId,
      filter.ids!.filter((id) => TASK_ID_PATTERN.test(id)),
    )
  )
    .filter((task) => task.workspaceId === owner.workspaceId && !task.parentTaskId && matches(task, filter))
    .sort(newerFirst);
  return { tasks: named.slice(offset, offset + limit), total: named.length };
}

/** Filters the counters cannot answer: every matching entry is counted, the page kept on the way. */
async function listCounting(owner: WorkspaceKey, filter: TaskFilter, offset: number, limit: number) {
  const pageIds: string[] = [];
  let total = 0;
  for await (const entry of entries(owner, filter, false, offset + limit)) {
    if (!matches(entry, filter)) continue;
    if (total >= offset && pageIds.length < limit) pageIds.push(entry.taskId);
    total++;
  }
  return { tasks: await taskStore.getMany(owner.clientId, pageIds), total };
}

/** How many tasks are in these states (all but ARCHIVED when none are named), from the workspace's counters. */
export async function countMatching(owner: WorkspaceKey, states?: readonly TaskState[]): Promise<number> {
  const counts = await taskStore.countByState(owner);
  return Object.entries(counts)
    .filter(([state]) => (states ? states.includes(state as TaskState) : state !== 'ARCHIVED'))
    .reduce((sum, [, count]) => sum + count, 0);
}

/**
 * A page of a workspace's tasks, newest first, and how many match in all. Archived tasks show
 * only when named by id or state. Filtered by state alone (or not at all), the total comes from
 * the workspace's counters, and the page is read from whichever end of the workspace's listing
 * index is nearer, no further than it reaches: the last page costs what the first does. Filters
 * the counters cannot answer (type, name, time, attributes) count their matches through the
 * index to its end.
 */
export async function listTasks(
  owner: WorkspaceKey,
  filter: TaskFilter,
  offset: number,
  limit: number,
): Promise<{ tasks: Task[]; total: number }> {
  if (filter.ids) return listNamed(owner, filter, offset, limit);
  const { states: _byCounters, ...others } = filter;
  if (Object.values(others).some((value) => value !== undefined)) return listCounting(owner, filter, offset, limit);
  const total = await countMatching(owner, filter.states);
  const take = Math.min(limit, total - offset);
  if (take <= 0) return { tasks: [], total };
  const fromOldest = total - offset - take < offset;
  const skip = fromOldest ? total - offset - take : offset;
  const pageIds: string[] = [];
  let seen = 0;
  for await (const entry of entries(owner, filter, fromOldest, skip + take)) {
    if (!matches(entry, filter)) continue;
    if (seen++ >= skip) pageIds.push(entry.taskId);
    if (pageIds.length === take) break;
  }
  return { tasks: await taskStore.getMany(owner.clientId, fromOldest ? pageIds.reverse() : pageIds), total };
}
