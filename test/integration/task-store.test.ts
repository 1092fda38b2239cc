import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { TesseraError } from '../../functions/core/errors.ts';
import { newTaskId } from '../../functions/core/task-id.ts';
import { useLocalStack } from '../support/local-stack.ts';

useLocalStack();
const WORKSPACE = 'w0000000000000000000000000000000';

const newTask = (clientId = 'tc-store') =>
  taskStore.create({ taskId: newTaskId(), clientId, workspaceId: WORKSPACE, kind: 'kmp', level: 0, spec: { name: 'x' } });

describe('task store on DynamoDB', () => {
  it('lets exactly one of many racing transitions win', async () => {
    const task = await newTask();
    const key = { clientId: task.clientId, taskId: task.taskId };
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => taskStore.transition(key, 'start', { version: 1 })));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected')) {
      assert.equal(((outcome as PromiseRejectedResult).reason as TesseraError).kind, 'conflict');
    }
    const after = await taskStore.require(key);
    assert.deepEqual([after.state, after.version], ['PENDING', 2]);
  });

  it('lets exactly one of two different racing events win (stop vs dispatch)', async () => {
    const task = await newTask();
    const key = { clientId: task.clientId, taskId: task.taskId };
    await taskStore.transition(key, 'start');
    const [stop, dispatch] = await Promise.allSettled([
      taskStore.transition(key, 'stop', { version: 2 }),
      taskStore.transition(key, 'dispatch', { version: 2 }),
    ]);
    assert.equal([stop, dispatch].filter((outcome) => outcome.status === 'fulfilled').length, 1);
    assert.ok(['INIT', 'STARTING'].includes((await taskStore.require(key)).state));
  });

  it('refuses transitions the table does not allow, changing nothing', async () => {
    const task = await newTask();
    const key = { clientId: task.clientId, taskId: task.taskId };
    await assert.rejects(taskStore.transition(key, 'archive'), /cannot archive a task in state INIT; allowed in SUCCESS/);
    const after = await taskStore.require(key);
    assert.deepEqual([after.state, after.version], ['INIT', 1]);
  });

  it('counts tasks per state exactly, right after each write', async () => {
    const clientId = `tc-count-${Date.now()}`;
    const tasks = await Promise.all(Array.from({ length: 25 }, () => newTask(clientId)));
    for (const task of tasks.slice(0, 10)) await taskStore.transition(task, 'start');
    for (const task of tasks.slice(0, 4)) await taskStore.transition(task, 'dispatch');
    const counts = await taskStore.countByState({ clientId, workspaceId: WORKSPACE });
    assert.equal(counts.INIT, 15);
    assert.equal(counts.PENDING, 6);
    assert.equal(counts.STARTING, 4);
    assert.equal(
      Object.values(counts).reduce((sum, count) => sum + count, 0),
      25,
    );
  });

  it("lists a client newest first and never shows another client's tasks", async () => {
    const clientId = `tc-list-${Date.now()}`;
    const first = await newTask(clientId);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = await newTask(clientId);
    await newTask(`${clientId}-other`);
    const { tasks } = await taskStore.listByClient(clientId, { limit: 10 });
    assert.deepEqual(
      tasks.map((task) => task.taskId),
      [second.taskId, first.taskId],
    );
  });

  it("takes over a task only once its worker's lease has run out", async () => {
    const task = await newTask();
    const key = { clientId: task.clientId, taskId: task.taskId };
    await taskStore.transition(key, 'start');
    await taskStore.transition(key, 'dispatch', { set: { leaseUntil: Date.now() + 60_000 } });
    assert.equal(await taskStore.takeOver(key, Date.now() + 60_000), undefined, 'a live lease is not taken over');
    const taken = await taskStore.takeOver(key, Date.now() + 60_000, Date.now() + 120_000);
    assert.equal(taken?.state, 'STARTING');
    assert.equal(taken?.attempts, 1);
  });
});
