import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import { taskStore } from '../../functions/adapters/task-store.ts';
import type { TaskEvent } from '../../functions/core/task-states.ts';
import { defaultWorkspaceId } from '../../functions/core/workspaces.ts';
import type { KmpAnswer } from '../support/kmp.ts';
import {
  KMP,
  UNKNOWN_TASK_ID,
  UNKNOWN_WORKSPACE_ID,
  answeredAsUnknown,
  expectKmpError,
  expectOk,
  kmpClientOf,
  newKmpClient,
  panoramaTask,
  picprocessTask,
  uploadTaskInputs,
  type KmpTestClient,
} from '../support/kmp-fixtures.ts';
import { useLocalStack } from '../support/local-stack.ts';

const A = { clientId: 'tckmplist00000000001', secret: 'kmp-list-secret-a', namespace: 'kmplist' };
const stack = useLocalStack({ demo: A, worker: false });

interface TaskDto {
  readonly task_id: string;
  readonly task_name: string;
  readonly task_type: string;
  readonly task_status: string;
  readonly workspace_id: string;
  readonly create_time: string;
  readonly update_time: string;
  readonly task_progress: string;
  readonly [field: string]: unknown;
}
interface TaskList {
  readonly tasks: TaskDto[];
  readonly page: { offset: number; limit: number; total: number };
}
interface ControlList {
  readonly page: { offset: number; limit: number; total: number };
  readonly data: Array<Record<string, unknown> & { task_id: string; task_name: string; task_status: string }>;
  readonly taskNumVo: Record<string, number>;
}

type Query = Record<string, string | number | boolean | readonly string[]>;

let a: KmpTestClient;
let b: KmpTestClient;
/** The workspace whose tasks are in every state; one with a task of its own; one with 103 tasks for paging. */
let main: string;
let other: string;
let bulk: string;
/** Main's tasks by name as their create answers gave them; gamma_init as its last update did. */
const made: Record<string, TaskDto> = {};
let otherTask: TaskDto;

/**
 * Main's tasks in creation order, and the state each is taken to. The two alpha tasks are made a
 * second before the rest, so creation-time filters can tell them apart.
 */
const MAIN_TASKS = [
  { name: 'alpha_pano', type: 'PANORAMA', state: 'INIT', modeling: 'Mesh' },
  { name: 'alpha_pic', type: 'PICPROCESS', state: 'INIT', modeling: 'Nerf' },
  { name: 'beta_running', type: 'PICPROCESS', state: 'RUNNING' },
  { name: 'beta_success', type: 'PICPROCESS', state: 'SUCCESS' },
  { name: 'beta_failed', type: 'PANORAMA', state: 'FAILED' },
  { name: 'beta_start_failed', type: 'PICPROCESS', state: 'START_FAILED' },
  { name: 'beta_stopped', type: 'PICPROCESS', state: 'STOP_SUCCESS' },
  { name: 'beta_stopping', type: 'PICPROCESS', state: 'STOPPING' },
  { name: 'beta_pending', type: 'PICPROCESS', state: 'PENDING' },
  { name: 'beta_archived', type: 'PICPROCESS', state: 'ARCHIVED' },
  { name: 'gamma_init', type: 'PANORAMA', state: 'INIT' },
] as const;
const LISTED_NAMES = MAIN_TASKS.map((task) => task.name).filter((name) => name !== 'beta_archived');

/**
 * How each state is reached. start, stop and archive go over HTTP; the worker's own steps are
 * written through the task store, as the worker writes them: running real work to SUCCESS or
 * FAILED, or holding it RUNNING, would take the worker and seconds per task.
 */
type Step = 'start' | 'stop' | 'archive' | Extract<TaskEvent, 'dispatch' | 'run' | 'succeed' | 'fail' | 'stopped'>;
const STEPS: Record<(typeof MAIN_TASKS)[number]['state'], Step[]> = {
  INIT: [],
  PENDING: ['start'],
  RUNNING: ['start', 'dispatch', 'run'],
  SUCCESS: ['start', 'dispatch', 'run', 'succeed'],
  ARCHIVED: ['start', 'dispatch', 'run', 'succeed', 'archive'],
  FAILED: ['start', 'dispatch', 'run', 'fail'],
  START_FAILED: ['start', 'dispatch', 'fail'],
  STOPPING: ['start', 'dispatch', 'run', 'stop'],
  STOP_SUCCESS: ['start', 'dispatch', 'run', 'stop', 'stopped'],
};

const tasksPath = (workspaceId: string) => `/v1/real3d/${workspaceId}/tasks`;

async function drive(taskId: string, steps: readonly Step[]): Promise<void> {
  const path = `${tasksPath(main)}/${taskId}`;
  for (const step of steps) {
    if (step === 'start') expectOk(await a.kmp.request('POST', `${path}/start`, { body: {} }));
    else if (step === 'stop') expectOk(await a.kmp.request('POST', `${path}/stop`));
    else if (step === 'archive') expectOk(await a.kmp.request('POST', `${path}/archive`, { body: { archive: true } }));
    else await taskStore.transition({ clientId: A.clientId, taskId }, step);
  }
}

/** Waits into the next whole second: KooMap's times have seconds, so time filters need things a second apart. */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 20);

const createTask = async (workspaceId: string, body: Record<string, unknown>): Promise<TaskDto> =>
  expectOk(await a.kmp.request<TaskDto>('POST', tasksPath(workspaceId), { body }));

const createWorkspace = async (name: string): Promise<string> =>
  expectOk(await a.kmp.request<{ workspace_id: string }>('POST', '/v1/workspaces', { body: { workspace_name: name } })).workspace_id;

before(async () => {
  await stack.ready();
  a = kmpClientOf(stack.current.url, A);
  b = await newKmpClient(stack.current.url, 'kmplistb');
  await uploadTaskInputs(stack.current.url, A);
  [main, other, bulk] = [await createWorkspace('main'), await createWorkspace('other'), await createWorkspace('bulk')];

  await nextSecond();
  for (const task of MAIN_TASKS) {
    if (task.name === 'beta_running') await nextSecond();
    const extra = 'modeling' in task ? { modeling_type: task.modeling } : {};
    const body = task.type === 'PANORAMA' ? panoramaTask(task.name, A.namespace, extra) : picprocessTask(task.name, A.namespace, extra);
    made[task.name] = await createTask(main, body);
  }
  for (const task of MAIN_TASKS) await drive(made[task.name]!.task_id, STEPS[task.state]);
  // Touched a second after everything else changed, so update-time filters can single it out.
  await nextSecond();
  made.gamma_init = expectOk(
    await a.kmp.request<TaskDto>('PUT', `${tasksPath(main)}/${made.gamma_init!.task_id}`, { body: { task_description: 'touched' } }),
  );

  otherTask = await createTask(other, picprocessTask('other_task', A.namespace));
  for (let batch = 0; batch < 103; batch += 10) {
    const names = Array.from({ length: Math.min(10, 103 - batch) }, (_, index) => `bulk_${batch + index}`);
    await Promise.all(names.map((name) => createTask(bulk, picprocessTask(name, A.namespace))));
  }
});

const list = async (workspaceId: string, query: Query = {}): Promise<TaskList> =>
  expectOk(await a.kmp.request<TaskList>('GET', tasksPath(workspaceId), { query: { limit: 100, ...query } }));

const names = (answer: TaskList) => answer.tasks.map((task) => task.task_name);
const sorted = (values: readonly string[]) => [...values].sort();

/** The names a filter lists (in any order: the order has its own test), and its page.total agreeing. */
async function matching(query: Query, workspaceId = main): Promise<string[]> {
  const answer = await list(workspaceId, query);
  assert.equal(answer.page.total, answer.tasks.length, `page.total of ${JSON.stringify(query)}`);
  return sorted(names(answer));
}

/** Everything of A's that a refused request could have changed. */
async function stateOfA(): Promise<unknown> {
  return {
    listed: await list(main),
    archived: await list(main, { task_status: ['ARCHIVED'] }),
    overview: expectOk(await a.kmp.request('GET', `${tasksPath(main)}/overview`)),
    other: await list(other),
  };
}

async function changesNothing(action: () => Promise<void>): Promise<void> {
  const before = await stateOfA();
  await action();
  assert.deepEqual(await stateOfA(), before, "A's tasks are as they were");
}

describe('GET /v1/real3d/{workspace_id}/tasks', () => {
  it('lists every task but the archived one, each a Real3DTaskDto in its state, page.total exact', async () => {
    const answer = await list(main, { limit: 10 });
    assert.deepEqual(answer.page, { offset: 0, limit: 10, total: 10 });
    assert.deepEqual(sorted(names(answer)), sorted(LISTED_NAMES));
    const stateOf = Object.fromEntries(MAIN_TASKS.map((task) => [task.name, task.state]));
    const typeOf = Object.fromEntries(MAIN_TASKS.map((task) => [task.name, task.type]));
    for (const task of answer.tasks) {
      assert.equal(task.task_status, stateOf[task.task_name], task.task_name);
      assert.equal(task.task_type, typeOf[task.task_name], task.task_name);
      assert.equal(task.workspace_id, main);
      assert.equal(task.tenant_domain_id, A.clientId);
      assert.match(task.create_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.match(task.update_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.match(task.task_progress, /^[01]\.\d{2}$/);
    }
    assert.equal(answer.tasks.find((task) => task.task_name === 'beta_success')?.task_progress, '1.00');
  });

  it('lists the newest first, whatever the tasks do', async () => {
    assert.deepEqual(names(await list(main)), [...LISTED_NAMES].reverse());
  });

  it('filters by task_status, repeated; archived tasks show only when ARCHIVED is asked for', async () => {
    const cases: Array<[string[], string[]]> = [
      [['INIT'], ['alpha_pano', 'alpha_pic', 'gamma_init']],
      [
        ['INIT', 'FAILED'],
        ['alpha_pano', 'alpha_pic', 'beta_failed', 'gamma_init'],
      ],
      [['PENDING'], ['beta_pending']],
      [
        ['RUNNING', 'STOPPING', 'START_FAILED', 'STOP_SUCCESS'],
        ['beta_running', 'beta_start_failed', 'beta_stopped', 'beta_stopping'],
      ],
      [['SUCCESS'], ['beta_success']],
      [['ARCHIVED'], ['beta_archived']],
      [
        ['SUCCESS', 'ARCHIVED'],
        ['beta_archived', 'beta_success'],
      ],
      [['BUNDLE_SUCCESS'], []],
    ];
    for (const [statuses, expected] of cases) assert.deepEqual(await matching({ task_status: statuses }), expected, statuses.join());
  });

  it('names tasks by id (task_ids, repeated), archived ones included; an unknown id matches nothing', async () => {
    const ids = (...taskNames: string[]) => taskNames.map((name) => made[name]!.task_id);
    assert.deepEqual(await matching({ task_ids: ids('beta_success', 'beta_archived') }), ['beta_archived', 'beta_success']);
    assert.deepEqual(await matching({ task_ids: ids('beta_archived') }), ['beta_archived']);
    assert.deepEqual(await matching({ task_ids: ids('beta_archived'), task_status: ['SUCCESS'] }), []);
    assert.deepEqual(await matching({ task_ids: [UNKNOWN_TASK_ID, 'not-an-id'] }), []);
  });

  it('filters by task_type, repeated', async () => {
    assert.deepEqual(await matching({ task_type: ['PANORAMA'] }), ['alpha_pano', 'beta_failed', 'gamma_init']);
    assert.deepEqual(
      await matching({ task_type: ['PICPROCESS'] }),
      sorted(LISTED_NAMES.filter((name) => !['alpha_pano', 'beta_failed', 'gamma_init'].includes(name))),
    );
    assert.deepEqual(await matching({ task_type: ['PANORAMA', 'PICPROCESS'] }), sorted(LISTED_NAMES));
    assert.deepEqual(await matching({ task_type: ['REAL3D-UNCTRL'] }), []);
  });

  it('filters by task_name: any part of the name, in any case', async () => {
    assert.deepEqual(await matching({ task_name: 'ALPHA' }), ['alpha_pano', 'alpha_pic']);
    assert.deepEqual(await matching({ task_name: 'Beta_' }), sorted(LISTED_NAMES.filter((name) => name.startsWith('beta_'))));
    assert.deepEqual(await matching({ task_name: 'pano' }), ['alpha_pano']);
    assert.deepEqual(await matching({ task_name: 'archived' }), [], 'an archived task is not found by its name alone');
    assert.deepEqual(await matching({ task_name: 'nothing_like_it' }), []);
  });

  it('filters by modeling_type, the value the task was created with', async () => {
    assert.deepEqual(await matching({ modeling_type: 'Nerf' }), ['alpha_pic']);
    assert.deepEqual(await matching({ modeling_type: 'Mesh' }), ['alpha_pano']);
  });

  it('filters by creation and update time in whole seconds, both ends included', async () => {
    const alpha = made.alpha_pano!.create_time;
    assert.equal(made.alpha_pic!.create_time, alpha, 'the alpha tasks were made in one second');
    const later = sorted(LISTED_NAMES.filter((name) => !name.startsWith('alpha')));
    assert.deepEqual(await matching({ create_time_to: alpha }), ['alpha_pano', 'alpha_pic']);
    assert.deepEqual(await matching({ create_time_from: alpha, create_time_to: alpha }), ['alpha_pano', 'alpha_pic']);
    assert.deepEqual(await matching({ create_time_from: made.beta_running!.create_time }), later);
    assert.deepEqual(await matching({ update_time_from: made.gamma_init!.update_time }), ['gamma_init']);
    assert.deepEqual(await matching({ update_time_to: made.alpha_pano!.update_time }), ['alpha_pano', 'alpha_pic']);
    assert.deepEqual(await matching({ create_time_from: made.beta_running!.create_time, create_time_to: alpha }), []);
  });

  it('combines filters, page.total counting every match beyond the page', async () => {
    assert.deepEqual(await matching({ task_type: ['PICPROCESS'], task_status: ['INIT'] }), ['alpha_pic']);
    const page = await list(main, { task_name: 'beta', limit: 2, offset: 1 });
    assert.deepEqual(page.page, { offset: 1, limit: 2, total: 7 });
    assert.equal(page.tasks.length, 2);
    const byState = await list(main, { task_status: ['INIT', 'SUCCESS', 'ARCHIVED'], limit: 1, offset: 4 });
    assert.deepEqual(byState.page, { offset: 4, limit: 1, total: 5 });
    assert.equal(byState.tasks.length, 1);
  });

  it('refuses malformed filters with 400 KMP.00011004', async () => {
    for (const query of <Query[]>[
      { task_status: 'DONE' },
      { task_status: 'init' },
      { task_status: ['INIT', 'BOGUS'] },
      { create_time_from: '2024-05-17' },
      { create_time_to: '2024-05-17 08:00:00' },
      { update_time_from: '20240517T080000Z' },
      { update_time_to: '2024-05-17T08:00:00.000Z' },
    ]) {
      expectKmpError(await a.kmp.request('GET', tasksPath(main), { query }), 400, KMP.invalidParameters);
    }
  });
});

describe('paging through a workspace of 103 tasks', () => {
  it('walks every task exactly once, 10 to a page by default, page.total 103 on every page', async () => {
    const first = expectOk(await a.kmp.request<TaskList>('GET', tasksPath(bulk)));
    assert.deepEqual(first.page, { offset: 0, limit: 10, total: 103 });
    const seen: string[] = [];
    for (let offset = 0; offset < 110; offset += 10) {
      const page = await list(bulk, { offset, limit: 10 });
      assert.deepEqual(page.page, { offset, limit: 10, total: 103 });
      seen.push(...page.tasks.map((task) => task.task_id));
    }
    assert.equal(seen.length, 103);
    assert.equal(new Set(seen).size, 103, 'no task twice');
    assert.deepEqual(
      seen.slice(0, 10),
      first.tasks.map((task) => task.task_id),
    );
    // Pages past the middle are read from the oldest end: they join the first half in one order.
    const times = (await Promise.all([0, 50, 100].map((offset) => list(bulk, { offset, limit: 50 })))).flatMap((page) =>
      page.tasks.map((task) => task.create_time),
    );
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first across both ends');
    const [big, rest] = [await list(bulk, { limit: 100 }), await list(bulk, { offset: 100, limit: 100 })];
    assert.deepEqual(
      [...big.tasks, ...rest.tasks].map((task) => task.task_id),
      seen,
    );
  });

  it('takes limit 1 and limit 100; an offset at or past the end lists nothing, with the right total', async () => {
    const counts = async (offset: number, limit: number) => {
      const answer = await list(bulk, { offset, limit });
      assert.deepEqual(answer.page, { offset, limit, total: 103 });
      return answer.tasks.length;
    };
    assert.equal(await counts(0, 1), 1);
    assert.equal(await counts(0, 100), 100);
    assert.equal(await counts(100, 100), 3);
    assert.equal(await counts(102, 1), 1);
    assert.equal(await counts(103, 1), 0);
    assert.equal(await counts(2147483647, 100), 0);
  });

  it('refuses limit 0, 101, -1 and non-numbers, and offsets out of range, with 400 KMP.00011004', async () => {
    for (const query of <Query[]>[
      { limit: 0 },
      { limit: 101 },
      { limit: -1 },
      { limit: 'ten' },
      { limit: '1.5' },
      { limit: '' },
      { limit: ['1', '2'] },
      { offset: -1 },
      { offset: 'x' },
      { offset: 2147483648 },
    ]) {
      expectKmpError(await a.kmp.request('GET', tasksPath(bulk), { query }), 400, KMP.invalidParameters);
    }
  });
});

describe('counts and the satellite family (kmp-control)', () => {
  const control = (query: Query) => a.kmp.request<ControlList>('GET', '/v1/kmp-control/tasks', { query });

  it('counts every state exactly in the overview', async () => {
    assert.deepEqual(expectOk(await a.kmp.request('GET', `${tasksPath(main)}/overview`)), {
      workspace_id: main,
      total_count: 11,
      running_count: 3, // PENDING, RUNNING, STOPPING
      success_count: 2, // SUCCESS, STOP_SUCCESS
      failed_count: 2, // FAILED, START_FAILED
      archived_count: 1,
    });
  });

  it('lists the same tasks as real3d, as {page, data: [TaskVo], taskNumVo} with the same counts', async () => {
    const answer = expectOk(await control({ workspace_id: main, offset: 0, limit: 100 }));
    assert.deepEqual(Object.keys(answer).sort(), ['data', 'page', 'taskNumVo']);
    assert.deepEqual(answer.page, { offset: 0, limit: 100, total: 10 });
    assert.deepEqual(answer.taskNumVo, { totalNum: 11, failedNum: 2, archivedNum: 1, successNum: 2, runningNum: 3 });
    const real3d = await list(main);
    assert.deepEqual(
      answer.data.map((task) => [task.task_id, task.task_name, task.task_status]),
      real3d.tasks.map((task) => [task.task_id, task.task_name, task.task_status]),
    );
    for (const task of answer.data) {
      for (const field of ['task_id', 'workspace_id', 'task_name', 'creator', 'create_time', 'task_status', 'task_type', 'task_progress']) {
        assert.ok(task[field] !== undefined, `TaskVo ${task.task_name} has ${field}`);
      }
      assert.equal(task.is_deleted, 0);
      assert.equal(task.workspace_id, main);
    }
  });

  it('filters by task_status (repeated; ARCHIVED to see the archived) and task_name, and pages', async () => {
    const taskNames = async (query: Query) => {
      const answer = expectOk(await control({ workspace_id: main, offset: 0, limit: 100, ...query }));
      assert.equal(answer.page.total, answer.data.length);
      assert.deepEqual(answer.taskNumVo.totalNum, 11, 'taskNumVo counts the whole workspace, whatever the filter');
      return sorted(answer.data.map((task) => task.task_name));
    };
    assert.deepEqual(await taskNames({ task_status: ['ARCHIVED'] }), ['beta_archived']);
    assert.deepEqual(await taskNames({ task_status: ['INIT', 'FAILED'] }), ['alpha_pano', 'alpha_pic', 'beta_failed', 'gamma_init']);
    assert.deepEqual(await taskNames({ task_name: 'ALPHA' }), ['alpha_pano', 'alpha_pic']);
    const pastTheEnd = expectOk(await control({ workspace_id: main, offset: 10, limit: 5 }));
    assert.deepEqual([pastTheEnd.data, pastTheEnd.page], [[], { offset: 10, limit: 5, total: 10 }]);
  });

  it("filters by create_time_start/end in whole seconds, both ends included, as real3d's list does", async () => {
    const taskNames = async (query: Query) =>
      sorted(expectOk(await control({ workspace_id: main, offset: 0, limit: 100, ...query })).data.map((task) => task.task_name));
    const alpha = made.alpha_pano!.create_time;
    assert.deepEqual(await taskNames({ create_time_end: alpha }), ['alpha_pano', 'alpha_pic']);
    assert.deepEqual(await taskNames({ create_time_start: alpha, create_time_end: alpha }), ['alpha_pano', 'alpha_pic']);
    assert.deepEqual(
      await taskNames({ create_time_start: made.beta_running!.create_time }),
      sorted(LISTED_NAMES.filter((name) => !name.startsWith('alpha'))),
    );
    assert.deepEqual(await taskNames({ create_time_start: made.beta_running!.create_time, create_time_end: alpha }), []);
  });

  it("refuses create_time_start/end not in the SDK's yyyy-MM-dd'T'HH:mm:ss'Z' with 400 KMP.00011004", async () => {
    for (const time of ['yesterday', '2024-05-17', '2024-05-17T08:00:00.000Z', '20240517T080000Z']) {
      expectKmpError(await control({ workspace_id: main, offset: 0, limit: 10, create_time_start: time }), 400, KMP.invalidParameters);
      expectKmpError(await control({ workspace_id: main, offset: 0, limit: 10, create_time_end: time }), 400, KMP.invalidParameters);
    }
  });

  it('refuses a missing workspace_id, offset or limit, and values out of range, with 400 KMP.00011004', async () => {
    for (const query of <Query[]>[
      { offset: 0, limit: 10 },
      { workspace_id: main, limit: 10 },
      { workspace_id: main, offset: 0 },
      { workspace_id: main, offset: 0, limit: 0 },
      { workspace_id: main, offset: 0, limit: 101 },
      { workspace_id: main, offset: -1, limit: 10 },
      { workspace_id: main, offset: 0, limit: 10, task_status: 'DONE' },
      { workspace_id: main, offset: 0, limit: 10, task_name: 'n'.repeat(51) },
    ]) {
      expectKmpError(await control(query), 400, KMP.invalidParameters);
    }
  });

  it('counts the overview as total, finished (processed to an end, or archived) and unfinished (executing)', async () => {
    // ShowTaskOverviewResponse: unfinished is "空间下执行中任务数量", the tasks executing: PENDING, RUNNING, STOPPING here.
    // The three INIT tasks were never started: neither finished nor executing.
    const overview = expectOk(await a.kmp.request('GET', '/v1/kmp-control/tasks/overview', { query: { workspace_id: main } }));
    assert.deepEqual(overview, { total: 11, finished: 5, unfinished: 3 });
  });
});

describe('isolation between workspaces', () => {
  it("lists none of one workspace's tasks in another, even named by id, nor counts them", async () => {
    assert.deepEqual(names(await list(other)), ['other_task']);
    assert.deepEqual(await matching({ task_ids: [made.beta_success!.task_id, made.beta_archived!.task_id] }, other), []);
    assert.deepEqual(await matching({ task_status: ['SUCCESS', 'ARCHIVED'] }, other), []);
    const overview = expectOk(await a.kmp.request<{ total_count: number }>('GET', `${tasksPath(other)}/overview`));
    assert.equal(overview.total_count, 1);
    const control = expectOk(
      await a.kmp.request<ControlList>('GET', '/v1/kmp-control/tasks', { query: { workspace_id: other, offset: 0, limit: 10 } }),
    );
    assert.deepEqual(
      control.data.map((task) => task.task_id),
      [otherTask.task_id],
    );
    assert.equal(control.taskNumVo.totalNum, 1);
  });

  it("answers an action on a task through another workspace's path 404 KMP.00021101, as for a task that never existed", () =>
    changesNothing(async () => {
      // beta_success may be archived, updated and deleted: only its workspace stands in the way.
      const through = (id: string) => `${tasksPath(other)}/${id}`;
      const requests: Array<(id: string) => Promise<KmpAnswer>> = [
        (id) => a.kmp.request('PUT', through(id), { body: { task_description: 'moved' } }),
        (id) => a.kmp.request('POST', `${through(id)}/start`, { body: {} }),
        (id) => a.kmp.request('POST', `${through(id)}/stop`),
        (id) => a.kmp.request('POST', `${through(id)}/archive`, { body: { archive: true } }),
        (id) => a.kmp.request('DELETE', through(id)),
      ];
      for (const request of requests)
        expectKmpError(await answeredAsUnknown(request, made.beta_success!.task_id, UNKNOWN_TASK_ID), 404, KMP.notFound);
    }));
});

describe('isolation between clients', () => {
  it("answers B about A's workspace exactly as about one that never existed: 404, never 403", () =>
    changesNothing(async () => {
      const requests: Array<(id: string) => Promise<KmpAnswer>> = [
        (id) => b.kmp.request('GET', tasksPath(id)),
        (id) => b.kmp.request('GET', tasksPath(id), { query: { task_status: ['ARCHIVED'] } }),
        (id) => b.kmp.request('GET', `${tasksPath(id)}/overview`),
        (id) => b.kmp.request('POST', tasksPath(id), { body: picprocessTask('intruder', b.namespace) }),
        (id) => b.kmp.request('GET', '/v1/kmp-control/tasks', { query: { workspace_id: id, offset: 0, limit: 10 } }),
        (id) => b.kmp.request('GET', '/v1/kmp-control/tasks/overview', { query: { workspace_id: id } }),
      ];
      for (const request of requests) expectKmpError(await answeredAsUnknown(request, main, UNKNOWN_WORKSPACE_ID), 404, KMP.notFound);
    }));

  it("answers B about A's task exactly as about one that never existed, through A's workspace, B's own, or by id", () =>
    changesNothing(async () => {
      const requests: Array<(id: string) => Promise<KmpAnswer>> = [];
      for (const workspaceId of [main, defaultWorkspaceId(b.clientId)]) {
        const path = (id: string) => `${tasksPath(workspaceId)}/${id}`;
        requests.push(
          (id) => b.kmp.request('PUT', path(id), { body: { task_description: 'taken' } }),
          (id) => b.kmp.request('POST', `${path(id)}/start`, { body: {} }),
          (id) => b.kmp.request('POST', `${path(id)}/stop`),
          (id) => b.kmp.request('POST', `${path(id)}/archive`, { body: { archive: true } }),
          (id) => b.kmp.request('DELETE', path(id)),
        );
      }
      requests.push(
        (id) => b.kmp.request('POST', '/v1/kmp-control/tasks/start', { body: { id } }),
        (id) => b.kmp.request('POST', '/v1/kmp-control/tasks/stop', { body: { id } }),
        (id) => b.kmp.request('POST', '/v1/kmp-control/tasks/archive', { query: { archived: true }, body: { id } }),
        (id) => b.kmp.request('DELETE', '/v1/kmp-control/tasks', { body: { id } }),
      );
      for (const request of requests)
        expectKmpError(await answeredAsUnknown(request, made.beta_success!.task_id, UNKNOWN_TASK_ID), 404, KMP.notFound);
    }));
});
