import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import type { TaskKey } from '../../functions/core/tasks/task.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { KmpClient } from '../support/kmp.ts';
import {
  expectKmpError,
  expectOk,
  KMP,
  kmpClientOf,
  picprocessTask,
  uploadTaskInputs,
  type KmpTestClient,
} from '../support/kmp-fixtures.ts';
import { useLocalStack } from '../support/local-stack.ts';

/**
 * Defects a review found in the kmp task lifecycle, each over HTTP against the local stack (no
 * worker: the tests move tasks through the store where only the pipeline would): a restarted or
 * updated task's callback, names that differ only in case, an update's callback, KooMap's
 * modeling_params, and a disabled client's token.
 */
const A = { clientId: 'tckmpfixes0000000001', secret: 'kmp-fixes-secret-a', namespace: 'kmpfixes' };
const stack = useLocalStack({ demo: A, worker: false });

interface TaskDto {
  readonly task_id: string;
  readonly task_name: string;
  readonly task_status: string;
  readonly callback_url?: string;
  readonly callback_format?: string;
  readonly modeling_params?: Record<string, unknown>;
}

const FIRST_CALLBACK = 'https://callbacks.example.com/first';
const SECOND_CALLBACK = 'https://callbacks.example.com/second';

describe('kmp task starts and updates', () => {
  let a: KmpTestClient;
  let workspaceId: string;
  const tasksPath = () => `/v1/real3d/${workspaceId}/tasks`;
  const keyOf = (task: TaskDto): TaskKey => ({ clientId: A.clientId, taskId: task.task_id });
  const create = (body: Record<string, unknown>) => a.kmp.request<TaskDto>('POST', tasksPath(), { body });
  const update = (task: TaskDto, body: Record<string, unknown>) =>
    a.kmp.request<TaskDto>('PUT', `${tasksPath()}/${task.task_id}`, { body });
  const start = (task: TaskDto) => a.kmp.request<TaskDto>('POST', `${tasksPath()}/${task.task_id}/start`, { body: {} });
  const created = async (name: string, extra: Record<string, unknown> = {}) =>
    expectOk(await create(picprocessTask(name, A.namespace, extra)));

  /** What the worker leaves of a started task whose job failed and whose callback's first delivery did not get through. */
  async function failWithCallbackRetrying(task: TaskDto): Promise<void> {
    let stored = await taskStore.require(keyOf(task));
    stored = await taskStore.transition(stored, 'dispatch', { version: stored.version });
    stored = await taskStore.transition(stored, 'run', { version: stored.version });
    await taskStore.transition(stored, 'fail', {
      version: stored.version,
      set: {
        error: { code: 'Failed', message: 'the job failed' },
        callback: { ...stored.callback!, status: 'retrying', attempts: 2, lastError: 'HTTP 500' },
      },
    });
  }

  before(async () => {
    await stack.ready();
    a = kmpClientOf(stack.current.url, A);
    await uploadTaskInputs(stack.current.url, A);
    workspaceId = expectOk(
      await a.kmp.request<{ workspace_id: string }>('POST', '/v1/workspaces', { body: { workspace_name: 'fixes' } }),
    ).workspace_id;
  });

  describe('a new run starts its callback afresh', () => {
    it('restarting a failed task resets its callback: no delivery left from the last run, every retry left', async () => {
      const task = await created('Restarted', { callback_url: FIRST_CALLBACK });
      assert.equal(expectOk(await start(task)).task_status, 'PENDING');
      await failWithCallbackRetrying(task);
      assert.equal(expectOk(await start(task)).task_status, 'PENDING');
      const stored = await taskStore.require(keyOf(task));
      assert.deepEqual(stored.callback, { url: FIRST_CALLBACK, format: 'JSON', status: 'none', attempts: 0 });
    });

    it('updating a failed task (description only) resets the callback it keeps', async () => {
      const task = await created('Redescribed', { callback_url: FIRST_CALLBACK, callback_format: 'XML' });
      expectOk(await start(task));
      await failWithCallbackRetrying(task);
      assert.equal(expectOk(await update(task, { task_description: 'again' })).task_status, 'INIT');
      const stored = await taskStore.require(keyOf(task));
      assert.deepEqual(stored.callback, { url: FIRST_CALLBACK, format: 'XML', status: 'none', attempts: 0 });
    });
  });

  describe('names that differ only in case are one name', () => {
    it('a case-only rename keeps the name claimed: "ALPHA" is still a duplicate', async () => {
      const task = await created('Alpha');
      assert.equal(expectOk(await update(task, { task_name: 'alpha' })).task_name, 'alpha');
      expectKmpError(await create(picprocessTask('ALPHA', A.namespace)), 400, KMP.duplicateName);
      // And renamed away for real, the name is free again.
      expectOk(await update(task, { task_name: 'Omega' }));
      expectOk(await create(picprocessTask('ALPHA', A.namespace)));
    });

    it('a rename the state refuses leaves both names as they were', async () => {
      const task = await created('Delta');
      expectOk(await start(task));
      expectKmpError(await update(task, { task_name: 'delta' }), 400, KMP.stateNotAllowed);
      expectKmpError(await update(task, { task_name: 'Epsilon' }), 400, KMP.stateNotAllowed);
      const stored = await taskStore.require(keyOf(task));
      assert.equal(stored.name, 'Delta');
      expectKmpError(await create(picprocessTask('DELTA', A.namespace)), 400, KMP.duplicateName, /DELTA/);
      expectOk(await create(picprocessTask('Epsilon', A.namespace)));
    });

    it("a rename to another task's name is refused and leaves that task's claim", async () => {
      const holder = await created('Zeta');
      const task = await created('Eta');
      expectKmpError(await update(task, { task_name: 'ZETA' }), 400, KMP.duplicateName);
      expectKmpError(await create(picprocessTask('zeta', A.namespace)), 400, KMP.duplicateName);
      expectKmpError(await create(picprocessTask('eta', A.namespace)), 400, KMP.duplicateName);
      assert.equal((await taskStore.require(keyOf(holder))).name, 'Zeta');
    });
  });

  describe('an update with work replaces the callback too', () => {
    it('takes the new callback_url and callback_format, fresh', async () => {
      const task = await created('Recalled', { callback_url: FIRST_CALLBACK });
      const updated = expectOk(
        await update(
          task,
          picprocessTask('Recalled', A.namespace, { callback_url: SECOND_CALLBACK, callback_format: 'XML', job_level: 2 }),
        ),
      );
      assert.equal(updated.callback_url, SECOND_CALLBACK);
      assert.equal(updated.callback_format, 'XML');
      const stored = await taskStore.require(keyOf(task));
      assert.deepEqual(stored.callback, { url: SECOND_CALLBACK, format: 'XML', status: 'none', attempts: 0 });
      assert.equal(stored.level, 2);
    });

    it('drops the callback when the new work names none', async () => {
      const task = await created('Uncalled', { callback_url: FIRST_CALLBACK });
      const updated = expectOk(await update(task, picprocessTask('Uncalled', A.namespace)));
      assert.equal(updated.callback_url, undefined);
      assert.equal((await taskStore.require(keyOf(task))).callback, undefined);
    });

    it('refuses a callback_url it would refuse on create, and changes nothing', async () => {
      const task = await created('Guarded', { callback_url: FIRST_CALLBACK });
      const before = await taskStore.require(keyOf(task));
      const refused = await update(task, picprocessTask('Guarded', A.namespace, { callback_url: 'http://169.254.169.254/latest' }));
      expectKmpError(refused, 400, KMP.invalidParameters, /CallBack/);
      assert.deepEqual(await taskStore.require(keyOf(task)), before);
    });
  });

  describe('modeling_params are KooMap’s ModelingParams', () => {
    const RANGE = (name: string, min: number, max: number) => `modeling_params.${name} must be a whole number from ${min} to ${max}`;
    const BAD: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
      ['a number past 2^53', { key_point_limit: 1e200 }, RANGE('key_point_limit', 1000, 1000000)],
      ['450 KB of one value', { accuracy: 'x'.repeat(450_000) }, 'modeling_params.accuracy must be Highest, High, Medium, Low or Lowest'],
      [
        '450 KB of unknown keys',
        Object.fromEntries(Array.from({ length: 4_500 }, (_, index) => [`k${index}`, 'x'.repeat(90)])),
        'modeling_params takes accuracy, key_point_limit, tie_point_limit and mesh_accuracy, not "k0"',
      ],
      ['a number out of range', { tie_point_limit: 99 }, RANGE('tie_point_limit', 100, 100000)],
      ['a fraction', { key_point_limit: 40000.5 }, RANGE('key_point_limit', 1000, 1000000)],
      ['an accuracy KooMap has not', { accuracy: 'Perfect' }, 'modeling_params.accuracy must be Highest, High, Medium, Low or Lowest'],
      ['a mesh_accuracy of 3', { mesh_accuracy: '3' }, RANGE('mesh_accuracy', 0, 2)],
    ];
    const exactly = (message: string) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

    for (const [what, params, message] of BAD) {
      it(`refuses ${what} with 400 KMP.00011004, on create and on update, storing nothing`, async () => {
        const name = `Params_${what.replace(/\W+/g, '_')}`.slice(0, 50);
        const refused = await create(picprocessTask(name, A.namespace, { modeling_params: params }));
        expectKmpError(refused, 400, KMP.invalidParameters, exactly(message));
        const task = await created(name);
        const before = await taskStore.require(keyOf(task));
        expectKmpError(await update(task, { modeling_params: params }), 400, KMP.invalidParameters, exactly(message));
        assert.deepEqual(await taskStore.require(keyOf(task)), before);
      });
    }

    it('takes the four fields, numbers as integers or digit strings, and echoes them as strings', async () => {
      const task = await created('Modelled', {
        modeling_params: { accuracy: 'Medium', key_point_limit: 40000, tie_point_limit: '4000', mesh_accuracy: 0 },
      });
      assert.deepEqual(task.modeling_params, { accuracy: 'Medium', key_point_limit: '40000', tie_point_limit: '4000', mesh_accuracy: '0' });
      const updated = expectOk(await update(task, { modeling_params: { key_point_limit: '1000000' } }));
      assert.deepEqual(updated.modeling_params, { key_point_limit: '1000000' });
    });
  });

  it('a disabled client with an X-Auth-Token gets 403 KMP.00011003, as with AK/SK', async () => {
    const { client, secret } = await clientRegistry.create({ name: 'kmpfixesoff', namespaces: ['kmpfixesoff'] });
    const token = await accessTokenOf(stack.current.url, client.clientId, secret);
    const byToken = new KmpClient(stack.current.url, { token });
    expectOk(await byToken.request('GET', '/v1/workspaces'));
    await clientRegistry.setStatus(client.clientId, 'disabled');
    expectKmpError(await byToken.request('GET', '/v1/workspaces'), 403, 'KMP.00011003', /disabled/);
    const bySignature = new KmpClient(stack.current.url, { accessKey: client.clientId, secretKey: secret });
    expectKmpError(await bySignature.request('GET', '/v1/workspaces'), 403, 'KMP.00011003', /disabled/);
  });
});
