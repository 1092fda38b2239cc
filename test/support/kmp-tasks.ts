import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../functions/adapters/aws-clients.ts';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { taskCounts } from '../../functions/adapters/task-counts.ts';
import { listingAttributes } from '../../functions/adapters/task-listing.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { CREATIONS, DELETABLE, TRANSITIONS, type Lifecycle, type TaskEvent, type TaskState } from '../../functions/core/task-states.ts';
import type { Task, TaskKey } from '../../functions/core/tasks/task.ts';
import { tableName } from '../../functions/resources.ts';
import { KmpClient, type KmpAnswer } from './kmp.ts';
import { postForm } from './local-stack.ts';

/** The states KooMap documents for real-3D tasks (reference/kmp.md §5.1) and refine subtasks (§5.2). */
export const KOOMAP_TASK_STATES = [
  'INIT',
  'PENDING',
  'STARTING',
  'START_FAILED',
  'RUNNING',
  'SUCCESS',
  'FAILED',
  'STOPPING',
  'STOP_SUCCESS',
  'ARCHIVED',
  'BUNDLE_SUCCESS',
] as const;
export const KOOMAP_SUBTASK_STATES = [
  'INIT',
  'UPLOADING',
  'UPLOAD_SUCCESS',
  'UPLOAD_FAILED',
  'PENDING',
  'STARTING',
  'START_FAILED',
  'RUNNING',
  'SUCCESS',
  'FAILED',
  'STOPPING',
  'STOP_SUCCESS',
] as const;

/**
 * A core state in KooMap's words (SPEC §1: each dialect shows the same task in its own words): the
 * ci queue's PAUSED is still waiting, its CANCELLED was stopped before it ran.
 */
export const koomapWord = (state: TaskState): string => (state === 'PAUSED' ? 'PENDING' : state === 'CANCELLED' ? 'STOP_SUCCESS' : state);

export const KMP_ERRORS = {
  invalidParameters: 'KMP.00011004',
  notFound: 'KMP.00021101',
  stateNotAllowed: 'KMP.00021102',
  busy: 'KMP.00021105',
  uploadStateNotAllowed: 'KMP.00021148',
  invalidUploadStatus: 'KMP.00021149',
} as const;

export interface KmpError {
  readonly error_code: string;
  readonly error_msg: string;
}

export interface TaskDto {
  readonly task_id: string;
  readonly task_name: string;
  readonly task_type: string;
  readonly task_description?: string;
  readonly workspace_id: string;
  readonly task_status: string;
  readonly task_progress: string;
  readonly complete_stage: number;
  readonly total_stage: number;
  readonly update_time: string;
  readonly exec_stop_time?: string;
  readonly fail_message?: string;
  readonly input_object?: string;
  readonly output_object?: string;
}

export interface SubtaskDto {
  readonly subtask_id: string;
  readonly task_id: string;
  readonly subtask_status: string;
  readonly model_path: string;
}

export interface Real3dOverview {
  readonly workspace_id: string;
  readonly total_count: number;
  readonly running_count: number;
  readonly success_count: number;
  readonly failed_count: number;
  readonly archived_count: number;
}

export interface TaskNumVo {
  readonly totalNum: number;
  readonly failedNum: number;
  readonly archivedNum: number;
  readonly successNum: number;
  readonly runningNum: number;
}

export interface ControlOverview {
  readonly total: number;
  readonly finished: number;
  readonly unfinished: number;
}

/** Every count a workspace answers with, and (unless left out) the totals its lists report. */
export interface WorkspaceCounts {
  readonly overview: Real3dOverview;
  readonly taskNumVo: TaskNumVo;
  readonly controlOverview: ControlOverview;
  /** page.total of the default list (archived tasks left out), real3d and satellite family. */
  readonly listTotal?: number;
  readonly controlListTotal?: number;
  /** page.total of the list of ARCHIVED tasks. */
  readonly archivedTotal?: number;
}

const count = (statuses: readonly string[], words: readonly string[]) => statuses.filter((status) => words.includes(status)).length;

/**
 * What every count must say about tasks in these KooMap statuses (reference/kmp.md §3,
 * docs/kmp.md "Counts"): running is PENDING, STARTING, RUNNING, STOPPING; success is SUCCESS,
 * STOP_SUCCESS; failed is START_FAILED, FAILED; INIT and BUNDLE_SUCCESS only count in the total.
 * The satellite family's finished is "processed to an end, or archived", its unfinished the tasks
 * executing (the running ones): an INIT task is in neither.
 */
export function countsFor(workspaceId: string, statuses: readonly string[]): WorkspaceCounts {
  const running = count(statuses, ['PENDING', 'STARTING', 'RUNNING', 'STOPPING']);
  const success = count(statuses, ['SUCCESS', 'STOP_SUCCESS']);
  const failed = count(statuses, ['START_FAILED', 'FAILED']);
  const archived = count(statuses, ['ARCHIVED']);
  const finished = success + failed + archived + count(statuses, ['BUNDLE_SUCCESS']);
  return {
    overview: {
      workspace_id: workspaceId,
      total_count: statuses.length,
      running_count: running,
      success_count: success,
      failed_count: failed,
      archived_count: archived,
    },
    taskNumVo: { totalNum: statuses.length, failedNum: failed, archivedNum: archived, successNum: success, runningNum: running },
    controlOverview: { total: statuses.length, finished, unfinished: running },
    listTotal: statuses.length - archived,
    controlListTotal: statuses.length - archived,
    archivedTotal: archived,
  };
}

/** `base` − `minus` + `plus`, number by number through nested records (anything else is kept). */
function combine(base: unknown, minus: unknown, plus: unknown): unknown {
  if (typeof base === 'number') return base - (minus as number) + (plus as number);
  if (typeof base !== 'object' || base === null) return base;
  const [less, more] = [minus as Record<string, unknown>, plus as Record<string, unknown>];
  return Object.fromEntries(Object.entries(base).map(([name, value]) => [name, combine(value, less[name], more[name])]));
}

/**
 * The counts once one task has moved from one KooMap status to another (`to` undefined: it was
 * deleted), every other task staying where it was.
 */
export function shifted(counts: WorkspaceCounts, from: string, to: string | undefined): WorkspaceCounts {
  const workspaceId = counts.overview.workspace_id;
  return combine(counts, countsFor(workspaceId, [from]), countsFor(workspaceId, to === undefined ? [] : [to])) as WorkspaceCounts;
}

/** The kmp dialect, spoken over HTTP by a KmpClient, in the calls these tests make. */
export class KmpTasks {
  readonly kmp: KmpClient;

  constructor(
    readonly endpoint: string,
    readonly clientId: string,
    readonly secret: string,
  ) {
    this.kmp = new KmpClient(endpoint, { accessKey: clientId, secretKey: secret });
  }

  request<T = unknown>(method: string, path: string, options?: Parameters<KmpClient['request']>[2]): Promise<KmpAnswer<T>> {
    return this.kmp.request<T>(method, path, options);
  }

  /** Stores a file through the storage dialect's /upload, as a client uploads its inputs. */
  async upload(filename: string, data: Buffer): Promise<void> {
    const answer = await postForm(`${this.endpoint}/upload`, { secret_key: this.secret, filename, filedata: { data, type: 'image/jpeg' } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  }

  async createWorkspace(name: string): Promise<string> {
    const answer = await this.request<{ workspace_id: string }>('POST', '/v1/workspaces', { body: { workspace_name: name } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.workspace_id;
  }

  async defaultWorkspace(): Promise<string> {
    const answer = await this.request<{ data: Array<{ workspace_id: string; workspace_name: string }> }>('GET', '/v1/workspaces');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const found = answer.body.data.find((workspace) => workspace.workspace_name === 'default');
    assert.ok(found, 'every client has a default workspace');
    return found.workspace_id;
  }

  async createTask(workspaceId: string, body: Record<string, unknown>): Promise<TaskDto> {
    const answer = await this.request<TaskDto>('POST', `/v1/real3d/${workspaceId}/tasks`, { body });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.task_status, 'INIT');
    return answer.body;
  }

  /** The task as the list shows it when named by id (archived ones included), or undefined when it is gone. */
  async task(workspaceId: string, taskId: string): Promise<TaskDto | undefined> {
    const answer = await this.request<{ tasks: TaskDto[] }>('GET', `/v1/real3d/${workspaceId}/tasks`, { query: { task_ids: [taskId] } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(answer.body.tasks.length <= 1);
    return answer.body.tasks[0];
  }

  /** Every page of a list (`query` adds filters); its page.total must be how many tasks the pages held. */
  async listAll(workspaceId: string, query: Record<string, string | readonly string[]> = {}): Promise<TaskDto[]> {
    const tasks: TaskDto[] = [];
    for (;;) {
      const answer = await this.request<{ tasks: TaskDto[]; page: { total: number } }>('GET', `/v1/real3d/${workspaceId}/tasks`, {
        query: { ...query, offset: tasks.length, limit: 100 },
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      tasks.push(...answer.body.tasks);
      if (answer.body.tasks.length < 100) {
        assert.equal(answer.body.page.total, tasks.length, `page.total of the list ${JSON.stringify(query)}`);
        return tasks;
      }
    }
  }

  /** The ids a list filtered by one KooMap status holds. */
  async idsInStatus(workspaceId: string, status: string): Promise<string[]> {
    return (await this.listAll(workspaceId, { task_status: [status] })).map((task) => task.task_id);
  }

  /** Every task of the workspace, counted one by one: the default list, and the archived ones it leaves out. */
  async recount(workspaceId: string): Promise<TaskDto[]> {
    const shown = await this.listAll(workspaceId);
    const archived = await this.listAll(workspaceId, { task_status: ['ARCHIVED'] });
    assert.ok(
      shown.every((task) => task.task_status !== 'ARCHIVED'),
      'the default list leaves archived tasks out',
    );
    assert.ok(archived.every((task) => task.task_status === 'ARCHIVED'));
    return [...shown, ...archived];
  }

  /**
   * The counts, read at once (callers read them while nothing else changes the workspace); with
   * `listTotals` false, without the lists' page totals.
   */
  async counts(workspaceId: string, listTotals = true): Promise<WorkspaceCounts> {
    const [overview, control, controlOverview, list, archived] = await Promise.all([
      this.request<Real3dOverview>('GET', `/v1/real3d/${workspaceId}/tasks/overview`),
      this.request<{ page: { total: number }; taskNumVo: TaskNumVo }>('GET', '/v1/kmp-control/tasks', {
        query: { workspace_id: workspaceId, offset: 0, limit: 1 },
      }),
      this.request<ControlOverview>('GET', '/v1/kmp-control/tasks/overview', { query: { workspace_id: workspaceId } }),
      listTotals ? this.request<{ page: { total: number } }>('GET', `/v1/real3d/${workspaceId}/tasks`, { query: { limit: 1 } }) : undefined,
      listTotals
        ? this.request<{ page: { total: number } }>('GET', `/v1/real3d/${workspaceId}/tasks`, {
            query: { limit: 1, task_status: ['ARCHIVED'] },
          })
        : undefined,
    ]);
    for (const answer of [overview, control, controlOverview, list, archived])
      if (answer) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const counts = { overview: overview.body, taskNumVo: control.body.taskNumVo, controlOverview: controlOverview.body };
    if (!list || !archived) return counts;
    return {
      ...counts,
      listTotal: list.body.page.total,
      controlListTotal: control.body.page.total,
      archivedTotal: archived.body.page.total,
    };
  }

  /** Every count the workspace answers with is what a recount of its tasks from the list says. */
  async assertCountsExact(workspaceId: string, context = ''): Promise<TaskDto[]> {
    const tasks = await this.recount(workspaceId);
    assert.deepEqual(
      await this.counts(workspaceId),
      countsFor(
        workspaceId,
        tasks.map((task) => task.task_status),
      ),
      `counts against a recount of the list ${context}`,
    );
    return tasks;
  }

  async subtask(workspaceId: string, taskId: string, subtaskId: string): Promise<SubtaskDto | undefined> {
    const answer = await this.request<{ subtasks: SubtaskDto[] }>('GET', `/v1/real3d/${workspaceId}/tasks/${taskId}/subtasks`, {
      query: { subtask_id: subtaskId },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.subtasks[0];
  }
}

/**
 * Registers another client (as isolation.test.ts does), owning one namespace: each has its own
 * partition of the task table, so tests that list and count stay independent and quick.
 */
export async function registerClient(endpoint: string, clientId: string, namespace: string): Promise<KmpTasks> {
  const secret = `${clientId}-secret`;
  await clientRegistry.create({ clientId, name: clientId, namespaces: [namespace], secret });
  return new KmpTasks(endpoint, clientId, secret);
}

export const taskPath = (task: Pick<TaskDto, 'workspace_id' | 'task_id'>) => `/v1/real3d/${task.workspace_id}/tasks/${task.task_id}`;

/** A client's action on a task: an event of the table, or deletion. */
export type TaskAction = Extract<TaskEvent, 'start' | 'stop' | 'archive' | 'unarchive' | 'update'> | 'delete';

export interface Action {
  readonly name: string;
  /** The event the action is, or 'delete' (not a transition: the task goes away). */
  readonly event: TaskAction;
  /** What it answers when allowed: KooMap's Real3DTaskDto, or the bare JSON literal `true`. */
  readonly answer: 'dto' | 'true';
  send(kmp: KmpTasks, task: TaskDto): Promise<KmpAnswer>;
}

/** KooMap's real-3D actions (reference/kmp.md §2.1). */
export const REAL3D_ACTIONS: readonly Action[] = [
  { name: 'start', event: 'start', answer: 'dto', send: (kmp, task) => kmp.request('POST', `${taskPath(task)}/start`, { body: {} }) },
  { name: 'stop', event: 'stop', answer: 'true', send: (kmp, task) => kmp.request('POST', `${taskPath(task)}/stop`, { body: {} }) },
  {
    name: 'archive',
    event: 'archive',
    answer: 'dto',
    send: (kmp, task) => kmp.request('POST', `${taskPath(task)}/archive`, { body: { archive: true } }),
  },
  {
    name: 'unarchive',
    event: 'unarchive',
    answer: 'dto',
    send: (kmp, task) => kmp.request('POST', `${taskPath(task)}/archive`, { body: { archive: false } }),
  },
  {
    name: 'update',
    event: 'update',
    answer: 'dto',
    send: (kmp, task) => kmp.request('PUT', taskPath(task), { body: { task_description: 'described_again' } }),
  },
  { name: 'delete', event: 'delete', answer: 'true', send: (kmp, task) => kmp.request('DELETE', taskPath(task)) },
];

/** The satellite family names the same tasks by `{id}` alone and answers `true` (reference/kmp.md §2.3). */
export const CONTROL_ACTIONS: readonly Action[] = [
  {
    name: 'kmp-control start',
    event: 'start',
    answer: 'true',
    send: (kmp, task) => kmp.request('POST', '/v1/kmp-control/tasks/start', { body: { id: task.task_id } }),
  },
  {
    name: 'kmp-control stop',
    event: 'stop',
    answer: 'true',
    send: (kmp, task) => kmp.request('POST', '/v1/kmp-control/tasks/stop', { body: { id: task.task_id } }),
  },
  {
    name: 'kmp-control archive',
    event: 'archive',
    answer: 'true',
    send: (kmp, task) => kmp.request('POST', '/v1/kmp-control/tasks/archive', { query: { archived: true }, body: { id: task.task_id } }),
  },
  {
    name: 'kmp-control unarchive',
    event: 'unarchive',
    answer: 'true',
    send: (kmp, task) => kmp.request('POST', '/v1/kmp-control/tasks/archive', { query: { archived: false }, body: { id: task.task_id } }),
  },
  {
    name: 'kmp-control delete',
    event: 'delete',
    answer: 'true',
    send: (kmp, task) => kmp.request('DELETE', '/v1/kmp-control/tasks', { body: { id: task.task_id } }),
  },
];

/** Where the table takes a task in `state` on `event`: a state, null when it is deleted, undefined when refused. */
export function taskOutcome(state: TaskState, event: TaskAction): TaskState | null | undefined {
  if (event === 'delete') return DELETABLE.task.has(state) ? null : undefined;
  return TRANSITIONS.task[event][state];
}

/**
 * For each state the table reaches from a new task (or subtask), the shortest list of events that
 * leads there: the setup of a table-driven test follows the same table the code does.
 */
export function pathsFromCreation(lifecycle: Lifecycle): Map<TaskState, TaskEvent[]> {
  const table = TRANSITIONS[lifecycle];
  const paths = new Map<TaskState, TaskEvent[]>([[CREATIONS.create, []]]);
  const queue: TaskState[] = [CREATIONS.create];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const [event, moves] of Object.entries(table) as Array<[TaskEvent, Partial<Record<TaskState, TaskState>>]>) {
      const next = moves[state];
      if (next && !paths.has(next)) {
        paths.set(next, [...paths.get(state)!, event]);
        queue.push(next);
      }
    }
  }
  return paths;
}

/**
 * Moves a task through `events` with the task store, each a counted conditional write as the
 * pipeline makes them. Tests use it to put a task in a state the pipeline would take minutes,
 * or luck, to leave it in; with no worker running nothing moves it on.
 */
export async function driveThrough(key: TaskKey, events: readonly TaskEvent[]): Promise<Task> {
  let task = await taskStore.require(key);
  for (const event of events) task = await taskStore.transition(task, event, { version: task.version });
  return task;
}

/**
 * Writes a state no event of the table leads to (BUNDLE_SUCCESS: KooMap's aerial-triangulation-only
 * result, which Tessera's work never ends in, yet a task may be started from), the way the store
 * writes any change: claimed on the workspace's counter, the task (with its listing attributes and
 * the claim) written on its version, then counted, so lists and counts stay exact.
 */
export async function writeUnreachableState(key: TaskKey, state: TaskState): Promise<Task> {
  const task = await taskStore.require(key);
  const scope = `workspace:${task.clientId}/${task.workspaceId}`;
  const change = { claim: randomUUID(), from: task.state, to: state, version: task.version, at: Date.now() };
  assert.equal(await taskCounts.claim(scope, task.taskId, change), undefined);
  const listing = listingAttributes(task, state);
  const set = { ...listing.set, state, version: task.version + 1, lastClaim: change.claim };
  const names = Object.fromEntries([...Object.keys(set), ...listing.remove].map((name) => [`#${name}`, name]));
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('tasks'),
      Key: { clientId: task.clientId, taskId: task.taskId },
      UpdateExpression: `SET ${Object.keys(set)
        .map((name) => `#${name} = :${name}`)
        .join(', ')}${listing.remove.length ? ` REMOVE ${listing.remove.map((name) => `#${name}`).join(', ')}` : ''}`,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
        ':expected': task.version,
      },
    }),
  );
  await taskCounts.apply(scope, task.taskId, change);
  return taskStore.require(key);
}

const TASK_PATHS = pathsFromCreation('task');

/** A new task created over HTTP and put in `state` through the store; nothing else may move it meanwhile. */
export async function taskInState(kmp: KmpTasks, workspaceId: string, body: Record<string, unknown>, state: TaskState): Promise<TaskDto> {
  const created = await kmp.createTask(workspaceId, body);
  const key = { clientId: kmp.clientId, taskId: created.task_id };
  if (state === 'BUNDLE_SUCCESS') await writeUnreachableState(key, state);
  else await driveThrough(key, TASK_PATHS.get(state)!);
  const shown = await kmp.task(workspaceId, created.task_id);
  assert.equal(shown?.task_status, koomapWord(state), `set up in ${state}`);
  return shown;
}

/** Waits for a condition the pipeline brings about; fails the test after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
