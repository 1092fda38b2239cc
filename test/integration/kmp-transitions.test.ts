import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { DELETABLE, TRANSITIONS, type TaskEvent, type TaskState } from '../../functions/core/task-states.ts';
import { subtaskKey } from '../../functions/core/task-id.ts';
import type { TaskKey } from '../../functions/core/tasks/task.ts';
import type { KmpAnswer } from '../support/kmp.ts';
import {
  CONTROL_ACTIONS,
  driveThrough,
  KMP_ERRORS,
  KmpTasks,
  KOOMAP_SUBTASK_STATES,
  KOOMAP_TASK_STATES,
  koomapWord,
  pathsFromCreation,
  REAL3D_ACTIONS,
  registerClient,
  shifted,
  taskOutcome,
  taskInState,
  taskPath,
  type Action,
  type KmpError,
  type SubtaskDto,
  type TaskDto,
} from '../support/kmp-tasks.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * Every kmp action from every state, against the state table itself: a task (or subtask) is put in
 * each state, each action is sent over HTTP, and the answer, the state the list shows and the
 * counts must be what TRANSITIONS and DELETABLE say. No worker runs, so nothing but the action
 * under test moves a task. The states are written through the task store (driveThrough), each
 * event a counted conditional write as the pipeline makes them: over HTTP alone, RUNNING or
 * STOPPING would need a real build caught at the right instant.
 */
const stack = useLocalStack({
  demo: { clientId: 'tckmptransitions0001', secret: 'kmp-transitions-secret', namespace: 'kt' },
  worker: false,
});

const TASK_PATHS = pathsFromCreation('task');
const SUBTASK_PATHS = pathsFromCreation('subtask');
/** BUNDLE_SUCCESS is KooMap's; no event leads there, but a task may start from it. */
const TASK_STATES: TaskState[] = [...TASK_PATHS.keys(), 'BUNDLE_SUCCESS'];
const SUBTASK_STATES: TaskState[] = [...SUBTASK_PATHS.keys()];

/** A client of its own per state (its own partition), its default workspace, and an input in its namespace. */
interface Tenant {
  readonly kmp: KmpTasks;
  readonly clientId: string;
  readonly namespace: string;
  readonly workspaceId: string;
}

async function tenant(name: string): Promise<Tenant> {
  const clientId = `tckmpt-${name.toLowerCase()}`;
  const namespace = `kt-${name.toLowerCase()}`;
  const kmp = await registerClient(stack.current.url, clientId, namespace);
  await kmp.upload(`${namespace}/in/pano.jpg`, await gradientJpeg(128, 64));
  await kmp.upload(`${namespace}/in/photo.jpg`, await gradientJpeg(64, 48));
  return { kmp, clientId, namespace, workspaceId: await kmp.defaultWorkspace() };
}

const tenants = new Map<string, Tenant>();
const tenantFor = (name: string) => tenants.get(name)!;
/** Per subtask state, the task that holds its subtasks (at most 10 a task). */
const parents = new Map<TaskState, TaskDto>();

before(async () => {
  await stack.ready();
  const names = [...TASK_STATES.map((state) => `task-${state}`), ...SUBTASK_STATES.map((state) => `subtask-${state}`), 'upload'];
  for (const [index, made] of (await Promise.all(names.map(tenant))).entries()) tenants.set(names[index]!, made);
  for (const state of SUBTASK_STATES) parents.set(state, await parentTask(tenantFor(`subtask-${state}`)));
});

let sequence = 0;
const uniqueName = (prefix: string) => `${prefix}_${(sequence += 1)}`;

function assertRefused(answer: KmpAnswer, code: string, context: string): void {
  assert.equal(answer.status, 400, `${context}: ${JSON.stringify(answer.body)}`);
  assert.equal((answer.body as KmpError).error_code, code, `${context}: ${JSON.stringify(answer.body)}`);
}

/** An answer that is a task or subtask, less update_time (queueing the task touches it once more just after). */
const withoutUpdateTime = (dto: unknown) => {
  const { update_time: _time, ...rest } = dto as Record<string, unknown>;
  return rest;
};

describe('the states under test', () => {
  it('cover every state KooMap documents for tasks and subtasks, each reached through the table', () => {
    for (const state of KOOMAP_TASK_STATES) assert.ok(TASK_STATES.includes(state), `task state ${state}`);
    for (const state of KOOMAP_SUBTASK_STATES) assert.ok(SUBTASK_STATES.includes(state), `subtask state ${state}`);
    assert.ok(TASK_STATES.includes('PAUSED') && TASK_STATES.includes('CANCELLED'), "the ci queue's states too");
  });
});

/** A new PANORAMA task, put in `state` through the store. */
const taskIn = ({ kmp, namespace, workspaceId }: Tenant, state: TaskState) =>
  taskInState(kmp, workspaceId, { task_name: uniqueName(state), task_type: 'PANORAMA', input_object: `${namespace}/in/pano.jpg` }, state);

function taskActionTests(family: string, actions: readonly Action[]): void {
  describe(`${family} task actions from every state`, { concurrency: 4 }, () => {
    for (const state of TASK_STATES) {
      describe(`a task in ${state}`, { concurrency: 1 }, () => {
        for (const action of actions) {
          const target = taskOutcome(state, action.event);
          const expected = target === undefined ? 'is refused' : target === null ? 'deletes it' : `takes it to ${target}`;
          it(`${action.name} ${expected}`, async () => {
            const tenant = tenantFor(`task-${state}`);
            const { kmp, workspaceId } = tenant;
            const task = await taskIn(tenant, state);
            const stored = await taskStore.require({ clientId: tenant.clientId, taskId: task.task_id });
            const countsBefore = await kmp.counts(workspaceId, false);

            const answer = await action.send(kmp, task);

            if (target === undefined) {
              assertRefused(answer, KMP_ERRORS.stateNotAllowed, `${action.name} from ${state}`);
              assert.deepEqual(await kmp.task(workspaceId, task.task_id), task, 'the task is as it was');
              assert.equal((await taskStore.require(stored)).version, stored.version, 'nothing was written');
              assert.deepEqual(await kmp.counts(workspaceId, false), countsBefore, 'the counts are as they were');
              return;
            }
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            const shown = await kmp.task(workspaceId, task.task_id);
            if (target === null) {
              assert.equal(answer.body, true);
              assert.equal(shown, undefined, 'the list no longer has it');
            } else {
              assert.equal(shown?.task_status, koomapWord(target), 'the list shows where it went');
              if (action.answer === 'true') assert.equal(answer.body, true);
              else assert.deepEqual(withoutUpdateTime(answer.body), withoutUpdateTime(shown), 'the answer is the task as it now is');
              if (action.event === 'update') assert.equal(shown.task_description, 'described_again');
            }
            if (target !== null)
              assert.ok((await kmp.idsInStatus(workspaceId, koomapWord(target))).includes(task.task_id), 'listed by its new status');
            if (target === null || koomapWord(target) !== koomapWord(state))
              assert.ok(
                !(await kmp.idsInStatus(workspaceId, koomapWord(state))).includes(task.task_id),
                'no longer listed by its old status',
              );
            assert.deepEqual(
              await kmp.counts(workspaceId, false),
              shifted(countsBefore, koomapWord(state), target === null ? undefined : koomapWord(target)),
              'the counts moved this task, and only it',
            );
          });
        }
        // With every step's change exact, counts that match a recount at the end matched at every step.
        it('leaves counts that match a recount of the list', async () => {
          const { kmp, workspaceId } = tenantFor(`task-${state}`);
          await kmp.assertCountsExact(workspaceId);
        });
      });
    }
  });
}

taskActionTests('real3d', REAL3D_ACTIONS);
taskActionTests('kmp-control', CONTROL_ACTIONS);

const subtaskPath = (subtask: SubtaskDto, workspaceId: string) =>
  `/v1/real3d/${workspaceId}/tasks/${subtask.task_id}/subtasks/${subtask.subtask_id}`;

type SubtaskEvent = Extract<TaskEvent, 'start' | 'stop' | 'beginUpload' | 'uploadSucceeded' | 'uploadFailed'> | 'delete';

interface SubtaskAction {
  readonly name: string;
  readonly event: SubtaskEvent;
  /** What it answers when allowed: KooMap's Real3DSubTaskDto, or the bare JSON literal `true`. */
  readonly answer: 'dto' | 'true';
  /** The code a state that does not allow it answers with. */
  readonly refusal: string;
  send(kmp: KmpTasks, subtask: SubtaskDto, workspaceId: string): Promise<KmpAnswer>;
}

/** Tessera's upload-status route (KooMap names none, reference/kmp.md §5.4): one value per event. */
const uploadStatus = (status: string, event: SubtaskEvent): SubtaskAction => ({
  name: `upload-status ${status}`,
  event,
  answer: 'dto',
  refusal: KMP_ERRORS.uploadStateNotAllowed,
  send: (kmp, subtask, workspaceId) =>
    kmp.request('PUT', `${subtaskPath(subtask, workspaceId)}/upload-status`, { body: { subtask_status: status } }),
});

const SUBTASK_ACTIONS: readonly SubtaskAction[] = [
  {
    name: 'start',
    event: 'start',
    answer: 'dto',
    refusal: KMP_ERRORS.stateNotAllowed,
    send: (kmp, subtask, workspaceId) => kmp.request('POST', `${subtaskPath(subtask, workspaceId)}/start`, { body: {} }),
  },
  {
    name: 'stop',
    event: 'stop',
    answer: 'true',
    refusal: KMP_ERRORS.stateNotAllowed,
    send: (kmp, subtask, workspaceId) => kmp.request('POST', `${subtaskPath(subtask, workspaceId)}/stop`, { body: {} }),
  },
  {
    name: 'delete',
    event: 'delete',
    answer: 'true',
    refusal: KMP_ERRORS.stateNotAllowed,
    send: (kmp, subtask, workspaceId) => kmp.request('DELETE', subtaskPath(subtask, workspaceId)),
  },
  uploadStatus('UPLOADING', 'beginUpload'),
  uploadStatus('UPLOAD_SUCCESS', 'uploadSucceeded'),
  uploadStatus('UPLOAD_FAILED', 'uploadFailed'),
];

function subtaskOutcome(state: TaskState, event: SubtaskEvent): TaskState | null | undefined {
  if (event === 'delete') return DELETABLE.subtask.has(state) ? null : undefined;
  return TRANSITIONS.subtask[event][state];
}

/** A PICPROCESS task (INIT) to hold subtasks. */
async function parentTask({ kmp, namespace, workspaceId }: Tenant): Promise<TaskDto> {
  return kmp.createTask(workspaceId, {
    task_name: uniqueName('parent'),
    task_type: 'PICPROCESS',
    input_object: `${namespace}/in/photo.jpg`,
    output_object: `${namespace}/out/photo.jpg`,
    process_rule: 'imageMogr2/thumbnail/16x',
  });
}

/** A new subtask, put in `state` through the store; `withInput`: its input uploaded to its model_path first. */
async function subtaskIn(
  { kmp, clientId, workspaceId }: Tenant,
  parent: TaskDto,
  state: TaskState,
  withInput: boolean,
): Promise<SubtaskDto> {
  const created = await kmp.request<SubtaskDto>('POST', `${taskPath(parent)}/subtasks`, { body: { subtask_name: uniqueName(state) } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.subtask_status, 'INIT');
  if (withInput) await kmp.upload(created.body.model_path, await gradientJpeg(64, 48));
  const key: TaskKey = { clientId, taskId: subtaskKey(parent.task_id, created.body.subtask_id) };
  await driveThrough(key, SUBTASK_PATHS.get(state)!);
  const shown = await kmp.subtask(workspaceId, parent.task_id, created.body.subtask_id);
  assert.equal(shown?.subtask_status, koomapWord(state), `set up in ${state}`);
  return shown;
}

describe('subtask actions from every state', { concurrency: 4 }, () => {
  for (const state of SUBTASK_STATES) {
    describe(`a subtask in ${state}`, { concurrency: 1 }, () => {
      for (const action of SUBTASK_ACTIONS) {
        const target = subtaskOutcome(state, action.event);
        const expected = target === undefined ? `is refused (${action.refusal})` : target === null ? 'deletes it' : `takes it to ${target}`;
        it(`${action.name} ${expected}`, async () => {
          const tenant = tenantFor(`subtask-${state}`);
          const { kmp, workspaceId } = tenant;
          const task = parents.get(state)!;
          // Start and UPLOAD_SUCCESS read the input: it is there, so only the state decides.
          const subtask = await subtaskIn(tenant, task, state, action.event === 'start' || action.event === 'uploadSucceeded');
          const key = { clientId: tenant.clientId, taskId: subtaskKey(task.task_id, subtask.subtask_id) };
          const stored = await taskStore.require(key);
          const countsBefore = await kmp.counts(workspaceId, false);

          const answer = await action.send(kmp, subtask, workspaceId);

          const shown = await kmp.subtask(workspaceId, task.task_id, subtask.subtask_id);
          if (target === undefined) {
            assertRefused(answer, action.refusal, `${action.name} from ${state}`);
            assert.deepEqual(shown, subtask, 'the subtask is as it was');
            assert.equal((await taskStore.require(key)).version, stored.version, 'nothing was written');
          } else if (target === null) {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.equal(answer.body, true);
            assert.equal(shown, undefined, 'the list no longer has it');
          } else {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.equal(shown?.subtask_status, koomapWord(target), 'the list shows where it went');
            if (action.answer === 'true') assert.equal(answer.body, true);
            else assert.deepEqual(withoutUpdateTime(answer.body), withoutUpdateTime(shown), 'the answer is the subtask as it now is');
          }
          // Subtasks are units of work inside a task: the workspace's counts are of tasks alone.
          assert.deepEqual(await kmp.counts(workspaceId, false), countsBefore, 'the counts are as they were');
          assert.equal((await kmp.task(workspaceId, task.task_id))?.task_status, 'INIT', 'the task is as it was');
        });
      }
    });
  }
});

describe("a subtask's upload status", () => {
  const setStatus = (kmp: KmpTasks, subtask: SubtaskDto, workspaceId: string, status: unknown) =>
    kmp.request<SubtaskDto | KmpError>('PUT', `${subtaskPath(subtask, workspaceId)}/upload-status`, { body: { subtask_status: status } });

  async function newSubtask(): Promise<{ tenant: Tenant; subtask: SubtaskDto }> {
    const tenant = tenantFor('upload');
    const parent = await parentTask(tenant);
    const created = await tenant.kmp.request<SubtaskDto>('POST', `${taskPath(parent)}/subtasks`, {
      body: { subtask_name: uniqueName('flow') },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    return { tenant, subtask: created.body };
  }

  it('goes INIT → UPLOADING → UPLOAD_SUCCESS once the input is at model_path, and the subtask then starts', async () => {
    const { tenant, subtask } = await newSubtask();
    const { kmp, workspaceId } = tenant;
    const uploading = await setStatus(kmp, subtask, workspaceId, 'UPLOADING');
    assert.equal(uploading.status, 200, JSON.stringify(uploading.body));
    assert.equal((uploading.body as SubtaskDto).subtask_status, 'UPLOADING');

    const early = await setStatus(kmp, subtask, workspaceId, 'UPLOAD_SUCCESS');
    assertRefused(early, KMP_ERRORS.invalidParameters, 'UPLOAD_SUCCESS with nothing uploaded');
    assert.equal((await kmp.subtask(workspaceId, subtask.task_id, subtask.subtask_id))?.subtask_status, 'UPLOADING');

    await kmp.upload(subtask.model_path, await gradientJpeg(64, 48));
    const uploaded = await setStatus(kmp, subtask, workspaceId, 'UPLOAD_SUCCESS');
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    assert.equal((await kmp.subtask(workspaceId, subtask.task_id, subtask.subtask_id))?.subtask_status, 'UPLOAD_SUCCESS');
    assertRefused(await setStatus(kmp, subtask, workspaceId, 'UPLOAD_FAILED'), KMP_ERRORS.uploadStateNotAllowed, 'once it succeeded');

    const started = await kmp.request<SubtaskDto>('POST', `${subtaskPath(subtask, workspaceId)}/start`, { body: {} });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.subtask_status, 'PENDING');
  });

  it('goes UPLOADING → UPLOAD_FAILED, after which it is never updated again, only deleted', async () => {
    const { tenant, subtask } = await newSubtask();
    const { kmp, workspaceId } = tenant;
    assert.equal((await setStatus(kmp, subtask, workspaceId, 'UPLOADING')).status, 200);
    const failed = await setStatus(kmp, subtask, workspaceId, 'UPLOAD_FAILED');
    assert.equal(failed.status, 200, JSON.stringify(failed.body));
    assert.equal((failed.body as SubtaskDto).subtask_status, 'UPLOAD_FAILED');
    for (const status of ['UPLOADING', 'UPLOAD_SUCCESS', 'UPLOAD_FAILED'])
      assertRefused(await setStatus(kmp, subtask, workspaceId, status), KMP_ERRORS.uploadStateNotAllowed, `${status} after UPLOAD_FAILED`);
    assert.equal((await kmp.subtask(workspaceId, subtask.task_id, subtask.subtask_id))?.subtask_status, 'UPLOAD_FAILED');
    assert.equal((await kmp.request('DELETE', subtaskPath(subtask, workspaceId))).body, true);
    assert.equal(await kmp.subtask(workspaceId, subtask.task_id, subtask.subtask_id), undefined);
  });

  it('refuses to start a subtask whose upload failed for its state, not for the input it lacks', async () => {
    const { tenant, subtask } = await newSubtask();
    const { kmp, workspaceId } = tenant;
    assert.equal((await setStatus(kmp, subtask, workspaceId, 'UPLOADING')).status, 200);
    assert.equal((await setStatus(kmp, subtask, workspaceId, 'UPLOAD_FAILED')).status, 200);
    // Uploading the input would not make the start allowed: the answer must name the state.
    assertRefused(
      await kmp.request('POST', `${subtaskPath(subtask, workspaceId)}/start`, { body: {} }),
      KMP_ERRORS.stateNotAllowed,
      'start after UPLOAD_FAILED',
    );
  });

  it('refuses a status value that is not an upload status with KMP.00021149, whatever the state', async () => {
    const { tenant, subtask } = await newSubtask();
    const { kmp, workspaceId } = tenant;
    for (const state of ['INIT', 'UPLOADING']) {
      if (state === 'UPLOADING') assert.equal((await setStatus(kmp, subtask, workspaceId, 'UPLOADING')).status, 200);
      for (const status of ['SUCCESS', 'RUNNING', 'uploading', 'UPLOAD_DONE', '']) {
        assertRefused(await setStatus(kmp, subtask, workspaceId, status), KMP_ERRORS.invalidUploadStatus, `"${status}" in ${state}`);
        assert.equal((await kmp.subtask(workspaceId, subtask.task_id, subtask.subtask_id))?.subtask_status, state);
      }
    }
  });
});
